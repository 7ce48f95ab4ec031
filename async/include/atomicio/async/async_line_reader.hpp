// AsyncLineReader: an AsyncFile read line by line from an offset onwards (aiofile's LineReader).
// It reads the file in chunks into a buffer and hands out the lines it finds there, so a line
// may span any number of chunks and a separator may be split between two.
//
// A line is returned with its separator, as Python's readline and aiofile do: "a\nb" gives
// "a\n", then "b" (the last line without a separator, as it is), then "" for the end. An empty
// line is the separator alone, never "". The separator is any non-empty byte string ("\n",
// "\r\n", "--"); the search for it is plain and left to right, so with "--" the text "a---b"
// splits into "a--" and "-b".
//
// Lines are bounded: one of more than max_line bytes, its separator included, completes with
// boost::asio::error::message_size (EMSGSIZE, "Message too long") as soon as that is certain,
// without waiting for its end. The reader then stays at the start of that line, so a further
// read fails the same way; at most max_line + chunk_size bytes are ever buffered.
//
// On a file that cannot seek (a FIFO, a socket) each read takes what has arrived, up to the
// chunk size, so a line is returned as soon as its separator has come.
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
struct LineReaderState;
ATOMICIO_ASYNC_EXPORT void start_read_line(std::shared_ptr<LineReaderState> state, StringCompletion handler);
}  // namespace detail

class ATOMICIO_ASYNC_EXPORT AsyncLineReader {
 public:
  /// Reads lines of `file` ending in `separator`, from `offset` on, `chunk_size` bytes at a time,
  /// refusing lines of more than `max_line` bytes. Throws std::invalid_argument when the
  /// separator is empty or `chunk_size` or `max_line` is 0.
  explicit AsyncLineReader(AsyncFile& file, std::string separator = "\n", std::size_t chunk_size = 4096,
                           std::uint64_t offset = 0, std::size_t max_line = 1 << 20);
  AsyncLineReader(AsyncLineReader&&) noexcept;
  AsyncLineReader& operator=(AsyncLineReader&&) noexcept;
  ~AsyncLineReader();

  /// Reads the next line: void(error_code, std::string), the line with its separator, the last
  /// line without one, "" at the end of the file (a regular file that grows later yields more
  /// lines on later reads). A line already buffered completes without I/O (but never inside
  /// this call). On an error the string is empty and offset() stays where it was: after a
  /// cancellation (boost::asio::error::operation_aborted) the next read returns the whole line,
  /// also the part read before the cancellation. Starting a read while one is in flight
  /// completes that new one with boost::asio::error::already_started. Too long a line:
  /// boost::asio::error::message_size, see above. Honours the handler's cancellation slot as
  /// AsyncFile::async_read_at does.
  template <class Token>
  auto async_read_line(Token&& token) {
    return detail::initiate_erased<void(detail::ErrorCode, std::string)>(
        std::forward<Token>(token), [state = state_](detail::StringCompletion handler) mutable {
          detail::start_read_line(std::move(state), std::move(handler));
        });
  }

  /// Where the next line starts in the file: the initial offset plus the lines returned so far.
  std::uint64_t offset() const noexcept;
  const std::string& separator() const noexcept;
  std::size_t max_line() const noexcept;

 private:
  std::shared_ptr<detail::LineReaderState> state_;
};

}  // namespace atomicio
