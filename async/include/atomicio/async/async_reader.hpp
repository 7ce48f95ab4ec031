// AsyncReader: an AsyncFile read in chunks of a chosen size from an offset onwards (aiofile's
// Reader). Each async_read_chunk reads the next chunk and moves the reader's offset past it; the
// end of the file is an empty chunk without an error, so a loop reads until it gets one.
//
// A chunk is full-sized except the last one of a regular file. On a file that cannot seek (a
// FIFO, a socket, a character device) a chunk is whatever arrived, up to the chunk size, as
// soon as something did; the offset then only counts the bytes consumed.
//
// Lifetime: the reader refers to its AsyncFile, which must outlive the reader and every
// operation the reader started. The reader itself may be destroyed or moved while a read is in
// flight: the operation keeps what it needs.
//
// Thread-safety: one reader is not safe for concurrent use: start operations and call offset()
// from one thread or strand, with one read in flight at a time, and let completions run there
// (Asio's rule for I/O objects). Distinct readers are independent, also on one file.
#pragma once

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/detail/initiate.hpp>
#include <atomicio/async/export.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace atomicio {

namespace detail {
struct ReaderState;
ATOMICIO_ASYNC_EXPORT void start_read_chunk(std::shared_ptr<ReaderState> state, StringCompletion handler);
}  // namespace detail

class ATOMICIO_ASYNC_EXPORT AsyncReader {
 public:
  /// Reads `file` from `offset` in chunks of `chunk_size` bytes. Throws std::invalid_argument
  /// when `chunk_size` is 0.
  explicit AsyncReader(AsyncFile& file, std::size_t chunk_size = 32 * 1024, std::uint64_t offset = 0);
  AsyncReader(AsyncReader&&) noexcept;
  AsyncReader& operator=(AsyncReader&&) noexcept;
  ~AsyncReader();

  /// Reads the next chunk: void(error_code, std::string). An empty string without an error at
  /// the end of the file. On success the offset moves past the chunk. On an error, a
  /// cancellation (boost::asio::error::operation_aborted) included, the string is empty and the
  /// offset stays, so the next read asks for the same bytes again. Starting a read while one is
  /// in flight completes that new one with boost::asio::error::already_started. The offset the
  /// read starts at is taken when the operation is initiated (for deferred, when launched).
  /// Honours the handler's cancellation slot as AsyncFile::async_read_at does.
  template <class Token>
  auto async_read_chunk(Token&& token) {
    return detail::initiate_erased<void(detail::ErrorCode, std::string)>(
        std::forward<Token>(token), [state = state_](detail::StringCompletion handler) mutable {
          detail::start_read_chunk(std::move(state), std::move(handler));
        });
  }

  /// Where the next chunk starts: the initial offset plus the bytes of the chunks read so far.
  std::uint64_t offset() const noexcept;
  std::size_t chunk_size() const noexcept;

 private:
  std::shared_ptr<detail::ReaderState> state_;
};

}  // namespace atomicio
