// AsyncWriter: an AsyncFile written in sequence from an offset onwards (aiofile's Writer). Each
// async_write takes its range of the file when it is initiated, [offset(), offset() + size),
// and moves offset() past it at once. So writes started one after another without waiting land
// in the order they were started, side by side, while they run concurrently underneath (no
// queue, no lock): three writes of "Hello", " ", "World" started together give "Hello World".
//
// A write that fails or is cancelled keeps its range: the bytes it did not write stay what they
// were (a hole in a new file), and later writes are not moved down to close the gap. The
// handler's byte count says how much of its range was written.
//
// In append mode ("a") and on files that cannot seek (a FIFO, a socket) the system ignores
// offsets: there only writes that each wait for the previous one come out in order.
//
// Lifetime: the writer refers to its AsyncFile, which must outlive the writer and every
// operation the writer started. The writer may be destroyed while its writes are in flight.
//
// Thread-safety: one writer is not safe for concurrent use: start writes and call offset() from
// one thread or strand (Asio's rule for I/O objects); any number of writes may be in flight.
#pragma once

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/detail/initiate.hpp>
#include <atomicio/async/export.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace atomicio {

class AsyncWriter;

namespace detail {
ATOMICIO_ASYNC_EXPORT void start_sequential_write(AsyncWriter& writer, std::string data, SizeCompletion handler);
}  // namespace detail

class ATOMICIO_ASYNC_EXPORT AsyncWriter {
 public:
  /// Writes `file` from `offset` on.
  explicit AsyncWriter(AsyncFile& file, std::uint64_t offset = 0) noexcept : file_(&file), offset_(offset) {}
  /// Not copyable: two copies would hand out the same ranges.
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;
  AsyncWriter(AsyncWriter&&) noexcept = default;
  AsyncWriter& operator=(AsyncWriter&&) noexcept = default;

  /// Writes all of `data` at offset() and moves offset() past it when initiated (for deferred,
  /// when launched): void(error_code, std::size_t), the count short only with an error.
  /// Honours the handler's cancellation slot as AsyncFile::async_write_at does. The writer must
  /// be alive when the operation is initiated.
  template <class Token>
  auto async_write(std::string data, Token&& token) {
    return detail::initiate_erased<void(detail::ErrorCode, std::size_t)>(
        std::forward<Token>(token), [this, data = std::move(data)](detail::SizeCompletion handler) mutable {
          detail::start_sequential_write(*this, std::move(data), std::move(handler));
        });
  }

  /// Where the next write goes: the initial offset plus the sizes of all writes initiated so
  /// far, finished or not.
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  friend ATOMICIO_ASYNC_EXPORT void detail::start_sequential_write(AsyncWriter&, std::string, detail::SizeCompletion);

  AsyncFile* file_;
  std::uint64_t offset_;
};

}  // namespace atomicio
