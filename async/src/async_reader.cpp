// AsyncReader: the next chunk, and the offset moved only by a chunk that arrived.
#include <atomicio/async/async_reader.hpp>

#include "chunk_read.hpp"
#include "pool_job.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/system_executor.hpp>

#include <stdexcept>
#include <utility>

namespace atomicio::detail {

struct ReaderState {
  AsyncFile* file;
  std::size_t chunk_size;
  std::uint64_t offset;
  bool reading = false;
};

void start_read_chunk(std::shared_ptr<ReaderState> state, StringCompletion handler) {
  if (!state)
    return complete_later(boost::asio::system_executor(), std::move(handler), boost::asio::error::bad_descriptor,
                          std::string());
  if (state->reading)
    return complete_later(io_executor(*state->file), std::move(handler), boost::asio::error::already_started,
                          std::string());
  state->reading = true;
  auto executor = boost::asio::get_associated_executor(handler, io_executor(*state->file));
  auto slot = handler.get_cancellation_slot();
  AsyncFile& file = *state->file;
  std::uint64_t offset = state->offset;
  std::size_t size = state->chunk_size;
  read_next_chunk(
      file, offset, size,
      boost::asio::bind_cancellation_slot(
          slot, boost::asio::bind_executor(executor, [state = std::move(state), handler = std::move(handler)](
                                                         ErrorCode error, std::string data) mutable {
            state->reading = false;
            state->offset += data.size();  // nothing on an error: the same chunk is read again
            std::move(handler)(error, std::move(data));
          })));
}

}  // namespace atomicio::detail

namespace atomicio {

AsyncReader::AsyncReader(AsyncFile& file, std::size_t chunk_size, std::uint64_t offset) {
  if (chunk_size == 0) throw std::invalid_argument("AsyncReader: the chunk size must be at least 1");
  state_ = std::make_shared<detail::ReaderState>(detail::ReaderState{&file, chunk_size, offset});
}
AsyncReader::AsyncReader(AsyncReader&&) noexcept = default;
AsyncReader& AsyncReader::operator=(AsyncReader&&) noexcept = default;
AsyncReader::~AsyncReader() = default;

std::uint64_t AsyncReader::offset() const noexcept { return state_ ? state_->offset : 0; }
std::size_t AsyncReader::chunk_size() const noexcept { return state_ ? state_->chunk_size : 0; }

}  // namespace atomicio
