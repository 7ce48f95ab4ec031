// AsyncStream: a file-like object with a cursor (aiofile's and aiomisc's async_open), optionally
// compressed on the fly with gzip, bzip2 or xz through the core's codec plugins.
//
// Reads and writes start at tell(); seek() moves it. Plain files seek anywhere (also past the
// end). A compressed stream is either read (mode "r", "r+") or written ("w", "a", "x", with or
// without "+"): a read stream seeks by decoding again from the start to the offset, as Python's
// gzip does, within the next read; a write stream cannot seek, and reading it back needs a close
// and a reopen with "r". FIFOs, sockets and devices cannot seek either. Append mode ("a", "a+")
// writes at the end whatever the cursor, and tell() is then the size seen at open plus what
// this stream wrote. A compressed write stream's tell() counts the plaintext it took.
//
// Completions: every operation takes an Asio completion token and completes with a
// std::exception_ptr first, holding atomicio's typed errors: FileReadError / FileWriteError
// with the path, the operation and the OS code (or, from a codec, "decompress" with the
// compressed byte offset: the same error the sync SafeFile::read_bytes throws for that file);
// boost::system::system_error(operation_aborted) for a cancellation; std::logic_error for a
// misuse (a second operation while one is in flight, reading a write-only stream, a closed
// stream). Cancellation (a bound slot, awaitable operators) is honoured while an operation
// waits; a cancelled read leaves cursor and buffers as they were, data it already took from
// a FIFO included, so the next read returns the right bytes.
//
// Close it: async_close() ends the compressed stream (its trailer) and writes what is buffered.
// A stream destroyed without it closes the descriptor but loses the buffered compressed bytes
// and the trailer, so its file is a truncated archive (aiomisc needs the close too).
//
// Loops (the idioms of `async for` over a file and over iter_chunked):
//   for (std::string line; !(line = co_await s.async_readline(use_awaitable)).empty();) ...
//   for (std::string chunk; !(chunk = co_await s.async_read_chunk(n, use_awaitable)).empty();) ...
//
// Thread-safety: one operation at a time per stream; starting another while one is in flight
// completes the new one with std::logic_error and leaves the running one alone. Use one object
// from one thread or strand at a time. Distinct streams are independent.
#pragma once

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/async_stream_options.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>

namespace atomicio {

class AsyncStream;

namespace detail {
struct StreamState;
struct StreamAccess;
using StreamPtr = std::shared_ptr<StreamState>;
using StreamOpenCompletion = Completion<void(std::exception_ptr, AsyncStream)>;
using StreamTextCompletion = Completion<void(std::exception_ptr, std::string)>;
using StreamCountCompletion = Completion<void(std::exception_ptr, std::size_t)>;
using StreamDoneCompletion = Completion<void(std::exception_ptr)>;

ATOMICIO_ASYNC_EXPORT void start_stream_open(boost::asio::any_io_executor executor, std::filesystem::path path,
                                             OpenMode mode, AsyncStreamOptions options, StreamOpenCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_stream_read(StreamPtr state, std::size_t size, StreamTextCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_stream_readline(StreamPtr state, std::string separator, StreamTextCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_stream_write(StreamPtr state, std::string data, StreamCountCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_stream_flush(StreamPtr state, bool fsync, StreamDoneCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_stream_close(StreamPtr state, StreamDoneCompletion handler);
}  // namespace detail

class ATOMICIO_ASYNC_EXPORT AsyncStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  /// async_read's "to the end".
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// A closed stream (what a failed open hands over).
  AsyncStream() noexcept;
  AsyncStream(AsyncStream&&) noexcept;
  AsyncStream& operator=(AsyncStream&&) noexcept;
  /// Closes the file without ending a compressed stream (see the file comment).
  ~AsyncStream();

  /// Loads the codecs and opens `path`, both on the engine's pool: void(std::exception_ptr,
  /// AsyncStream). Fails with UnsupportedFormatError when no codec plugin handles the chosen
  /// suffix (before the file is created or truncated), PluginLoadError, or what
  /// AsyncFile::async_open fails with. Append mode also learns the file's size here.
  template <class Token>
  static auto async_open(executor_type executor, std::filesystem::path path, OpenMode mode,
                         AsyncStreamOptions options, Token&& token) {
    return detail::initiate_erased<void(std::exception_ptr, AsyncStream)>(
        std::forward<Token>(token),
        [executor, path = std::move(path), mode, options](detail::StreamOpenCompletion handler) mutable {
          detail::start_stream_open(executor, std::move(path), mode, options, std::move(handler));
        });
  }
  template <class Token>
  static auto async_open(executor_type executor, std::filesystem::path path, OpenMode mode, Token&& token) {
    return async_open(std::move(executor), std::move(path), mode, AsyncStreamOptions{}, std::forward<Token>(token));
  }

  /// A stream over an open file (aiofile's async_open(fp)); the cursor starts at 0 and the
  /// mode is the descriptor's (fcntl F_GETFL; append mode starts at its size, from fstat).
  /// Codecs follow file.path() and `options`. Runs on the calling thread: give plugins that
  /// are already loaded, or call it off the event loop. Throws std::invalid_argument for a
  /// closed file and what async_open fails with for codecs.
  static AsyncStream adopt(AsyncFile file, AsyncStreamOptions options = {});

  bool is_open() const noexcept;
  executor_type get_executor() const noexcept;
  const std::filesystem::path& path() const noexcept;
  /// The file underneath (backend(), backend_reason(), native_handle()). Operations on it
  /// bypass the stream's cursor and buffers.
  const AsyncFile& file() const noexcept;
  /// The codec suffixes applied, ".gz" style, or "" for a plain stream.
  std::string codecs() const;

  /// The cursor: plaintext bytes from the start (see the file comment for append and
  /// compressed streams). Does not block.
  std::uint64_t tell() const noexcept;
  /// Moves the cursor; no I/O happens until the next read or write. Throws std::logic_error
  /// for a compressed write stream, a file that cannot seek, a closed stream, or while an
  /// operation is in flight.
  void seek(std::uint64_t offset);

  /// Up to `size` bytes from the cursor, fewer only at the end (npos: everything to the end):
  /// void(std::exception_ptr, std::string). On a FIFO it waits for `size` bytes or the end.
  template <class Token>
  auto async_read(std::size_t size, Token&& token) {
    return start<void(std::exception_ptr, std::string)>(std::forward<Token>(token), [size](auto state, auto handler) {
      detail::start_stream_read(std::move(state), size, std::move(handler));
    });
  }
  /// Everything from the cursor to the end.
  template <class Token>
  auto async_read(Token&& token) {
    return async_read(npos, std::forward<Token>(token));
  }
  /// The next chunk of `size` bytes (options.chunk_size without it), shorter only at the end,
  /// "" after it: aiofile's iter_chunked.
  template <class Token>
  auto async_read_chunk(std::size_t size, Token&& token) {
    return async_read(size == 0 ? chunk_size() : size, std::forward<Token>(token));
  }
  template <class Token>
  auto async_read_chunk(Token&& token) {
    return async_read(chunk_size(), std::forward<Token>(token));
  }

  /// The next line with its "\n"; the last line as it is; "" at the end (Python's readline):
  /// void(std::exception_ptr, std::string). A line longer than options.max_line fails with
  /// FileReadError("readline", ...) and the cursor stays at its start.
  template <class Token>
  auto async_readline(Token&& token) {
    return async_readline(std::string("\n"), std::forward<Token>(token));
  }
  /// The same with another separator (any non-empty bytes; std::invalid_argument when empty).
  template <class Token>
  auto async_readline(std::string separator, Token&& token) {
    return start<void(std::exception_ptr, std::string)>(
        std::forward<Token>(token), [separator = std::move(separator)](auto state, auto handler) mutable {
          detail::start_stream_readline(std::move(state), std::move(separator), std::move(handler));
        });
  }

  /// Writes `data` at the cursor (at the end in append mode): void(std::exception_ptr,
  /// std::size_t). A plain stream writes it all before completing; a compressed one encodes
  /// it and writes the compressed bytes once chunk_size of them gathered. A cancelled plain
  /// write reports operation_aborted and the count it wrote; a compressed write whose data
  /// went into the codec completes normally (its bytes go out with a later write or close).
  template <class Token>
  auto async_write(std::string data, Token&& token) {
    return start<void(std::exception_ptr, std::size_t)>(
        std::forward<Token>(token), [data = std::move(data)](auto state, auto handler) mutable {
          detail::start_stream_write(std::move(state), std::move(data), std::move(handler));
        });
  }
  /// Writes the compressed bytes gathered so far (not what the codec still holds: only close
  /// ends the stream); nothing for a plain stream: void(std::exception_ptr).
  template <class Token>
  auto async_flush(Token&& token) {
    return start<void(std::exception_ptr)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_stream_flush(std::move(state), false, std::move(handler));
    });
  }
  /// async_flush, then fsync(2): void(std::exception_ptr).
  template <class Token>
  auto async_fsync(Token&& token) {
    return start<void(std::exception_ptr)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_stream_flush(std::move(state), true, std::move(handler));
    });
  }
  /// Ends a compressed stream (its trailer), writes what is buffered and closes the file:
  /// void(std::exception_ptr). Not cancellable: an interrupted close would leave a truncated
  /// archive. The stream is closed whatever the result; closing a closed stream succeeds.
  template <class Token>
  auto async_close(Token&& token) {
    return start<void(std::exception_ptr)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_stream_close(std::move(state), std::move(handler));
    });
  }

 private:
  friend struct detail::StreamAccess;
  explicit AsyncStream(detail::StreamPtr state) noexcept;
  std::size_t chunk_size() const noexcept;

  template <class Signature, class Token, class Body>
  auto start(Token&& token, Body body) {
    return detail::initiate_erased<Signature>(
        std::forward<Token>(token), [state = state_, body = std::move(body)](detail::Completion<Signature> handler) mutable {
          body(std::move(state), std::move(handler));
        });
  }

  detail::StreamPtr state_;
};

}  // namespace atomicio
