// AsyncWriter: each write takes its range of the file when it starts, so writes started
// together land in the order they were started.
#include <atomicio/async/async_writer.hpp>

namespace atomicio::detail {

void start_sequential_write(AsyncWriter& writer, std::string data, SizeCompletion handler) {
  std::uint64_t offset = writer.offset_;
  writer.offset_ += data.size();
  // The erased handler goes on as the token: its executor and cancellation slot stay in force.
  writer.file_->async_write_at(offset, std::move(data), std::move(handler));
}

}  // namespace atomicio::detail
