// AsyncFile: an open file read and written at explicit offsets (aiofile's AIOFile). There is no
// cursor: every operation names its offset, so any number of reads and writes may be in flight
// on one file at once (ten concurrent writes at ten offsets, then one fsync).
//
// Every operation takes an Asio completion token (a callback, use_future, use_awaitable,
// deferred, as_tuple(...), ...) and completes on the handler's associated executor, by default
// the file's. Byte operations complete like Asio's own files, with a boost::system::error_code:
// async_read_some_at reports the end of the file as boost::asio::error::eof, the whole-buffer
// async_read_at as a short count. Opening completes with a std::exception_ptr holding
// atomicio's typed error (FileReadError or FileWriteError naming the path, the operation and
// the OS cause), the same the sync classes throw.
//
// Cancellation (a bound cancellation slot, or an awaitable operator ||) is honoured by every
// operation: on io_uring by the kernel, on the pool before the job starts and while a FIFO or
// device waits for data. A cancelled operation completes with boost::asio::error::
// operation_aborted; one already running on the pool finishes first and reports its result, so
// no write is half-counted. Buffers passed as views must stay alive until the completion, also
// after a cancellation: the kernel may still fill them.
//
// Files that io_uring does not serve (FIFOs, sockets, devices, procfs and sysfs) always use the
// pool; backend() and backend_reason() say which backend a file uses and why. On a FIFO or other
// non-seekable file offsets are ignored: reads and writes go in sequence.
//
// Thread-safety: distinct objects are independent. Start operations on one object from one
// thread or strand at a time (Asio's rule for I/O objects); operations in flight may overlap.
#pragma once

#include <atomicio/async/detail/initiate.hpp>
#include <atomicio/async/export.hpp>
#include <atomicio/async/io_engine.hpp>
#include <atomicio/async/open_mode.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <sys/types.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>

namespace atomicio {

struct AsyncFileOptions {
  /// Where the file's operations run; null means IoEngine::shared().
  IoEngine* engine = nullptr;
  /// Permission bits of a file the open creates, before the umask.
  mode_t permissions = 0666;
  /// Tries each read and write of a regular file first as a call that cannot block
  /// (preadv2/pwritev2 with RWF_NOWAIT) on the initiating thread. Data already in the page
  /// cache then completes without a round trip through io_uring or the pool; the kernel
  /// answers EAGAIN where it would have to wait, and the backend does the rest. Where the
  /// filesystem has no nowait writes (ext4 among them) writes go straight to the backend. The
  /// handler still runs later, never inside the initiating call. Off: every transfer goes to
  /// the backend.
  bool nowait_first = true;
};

class AsyncFile;

namespace detail {
struct FileState;
using ErrorCode = boost::system::error_code;
using OpenCompletion = Completion<void(std::exception_ptr, AsyncFile)>;
using SizeCompletion = Completion<void(ErrorCode, std::size_t)>;
using StringCompletion = Completion<void(ErrorCode, std::string)>;
using StatusCompletion = Completion<void(ErrorCode)>;
using LengthCompletion = Completion<void(ErrorCode, std::uint64_t)>;

enum class SyncKind { all, data };

ATOMICIO_ASYNC_EXPORT void start_open(boost::asio::any_io_executor executor, std::filesystem::path path, OpenMode mode,
                                      AsyncFileOptions options, OpenCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_read_at(std::shared_ptr<FileState> state, std::uint64_t offset,
                                         boost::asio::mutable_buffer buffer, bool whole, SizeCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_read_string_at(std::shared_ptr<FileState> state, std::uint64_t offset,
                                                std::size_t size, StringCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_write_at(std::shared_ptr<FileState> state, std::uint64_t offset,
                                          boost::asio::const_buffer buffer, bool whole, SizeCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_write_string_at(std::shared_ptr<FileState> state, std::uint64_t offset,
                                                 std::string data, SizeCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_sync(std::shared_ptr<FileState> state, SyncKind kind, StatusCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_size(std::shared_ptr<FileState> state, LengthCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_truncate(std::shared_ptr<FileState> state, std::uint64_t length,
                                          StatusCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_close(std::shared_ptr<FileState> state, StatusCompletion handler);
}  // namespace detail

class ATOMICIO_ASYNC_EXPORT AsyncFile {
 public:
  using executor_type = boost::asio::any_io_executor;

  /// A closed file (what a failed open hands over).
  AsyncFile() noexcept;
  AsyncFile(AsyncFile&&) noexcept;
  AsyncFile& operator=(AsyncFile&&) noexcept;
  /// Closes the file; the close(2) itself runs on the engine's pool once no operation needs it.
  ~AsyncFile();

  /// Opens `path` on the pool (open(2) may block on a slow or network filesystem). Completes
  /// with void(std::exception_ptr, AsyncFile): FileReadError (read-only modes) or
  /// FileWriteError, with operation "open", the path and the OS cause.
  template <class Token>
  static auto async_open(executor_type executor, std::filesystem::path path, OpenMode mode, AsyncFileOptions options,
                         Token&& token) {
    return detail::initiate_erased<void(std::exception_ptr, AsyncFile)>(
        std::forward<Token>(token),
        [executor, path = std::move(path), mode, options](detail::OpenCompletion handler) mutable {
          detail::start_open(executor, std::move(path), mode, options, std::move(handler));
        });
  }
  template <class Token>
  static auto async_open(executor_type executor, std::filesystem::path path, OpenMode mode, Token&& token) {
    return async_open(std::move(executor), std::move(path), mode, AsyncFileOptions{}, std::forward<Token>(token));
  }

  /// Takes ownership of an open descriptor (aiofile's async_open(fp)). `name` is what errors
  /// and backend_reason() call it. Throws std::system_error when `fd` is not open.
  static AsyncFile adopt(executor_type executor, int fd, std::filesystem::path name = {},
                         AsyncFileOptions options = {});

  bool is_open() const noexcept;
  executor_type get_executor() const noexcept;
  const std::filesystem::path& path() const noexcept;
  /// The descriptor, or -1 when closed. Still owned by this object.
  int native_handle() const noexcept;
  IoBackend backend() const noexcept;
  const std::string& backend_reason() const noexcept;
  /// False for FIFOs, sockets and character devices: offsets are ignored there.
  bool seekable() const noexcept;

  /// Reads what is available at `offset` into `buffers`' first buffer: void(error_code,
  /// std::size_t), error::eof at the end. Together with async_write_some_at this makes the file
  /// an Asio random-access device, so boost::asio::async_read_at/async_write_at work on it.
  template <class MutableBuffers, class Token>
  auto async_read_some_at(std::uint64_t offset, const MutableBuffers& buffers, Token&& token) {
    return start<void(detail::ErrorCode, std::size_t)>(
        std::forward<Token>(token), [offset, buffer = first_buffer(buffers)](auto state, auto handler) {
          detail::start_read_at(std::move(state), offset, buffer, false, std::move(handler));
        });
  }
  template <class ConstBuffers, class Token>
  auto async_write_some_at(std::uint64_t offset, const ConstBuffers& buffers, Token&& token) {
    return start<void(detail::ErrorCode, std::size_t)>(
        std::forward<Token>(token), [offset, buffer = first_const_buffer(buffers)](auto state, auto handler) {
          detail::start_write_at(std::move(state), offset, buffer, false, std::move(handler));
        });
  }

  /// Fills `buffer` from `offset`: void(error_code, std::size_t), the count short only when the
  /// file ends first (no error then).
  template <class Token>
  auto async_read_at(std::uint64_t offset, boost::asio::mutable_buffer buffer, Token&& token) {
    return start<void(detail::ErrorCode, std::size_t)>(
        std::forward<Token>(token), [offset, buffer](auto state, auto handler) {
          detail::start_read_at(std::move(state), offset, buffer, true, std::move(handler));
        });
  }
  /// Up to `size` bytes from `offset` (fewer at the end of the file): void(error_code, std::string).
  template <class Token>
  auto async_read_at(std::uint64_t offset, std::size_t size, Token&& token) {
    return start<void(detail::ErrorCode, std::string)>(
        std::forward<Token>(token), [offset, size](auto state, auto handler) {
          detail::start_read_string_at(std::move(state), offset, size, std::move(handler));
        });
  }
  /// Writes all of `buffer` at `offset` (at the end in append mode): void(error_code, std::size_t).
  template <class Token>
  auto async_write_at(std::uint64_t offset, boost::asio::const_buffer buffer, Token&& token) {
    return start<void(detail::ErrorCode, std::size_t)>(
        std::forward<Token>(token), [offset, buffer](auto state, auto handler) {
          detail::start_write_at(std::move(state), offset, buffer, true, std::move(handler));
        });
  }
  /// The same with the data owned by the operation, so the caller need not keep it alive.
  template <class Token>
  auto async_write_at(std::uint64_t offset, std::string data, Token&& token) {
    return start<void(detail::ErrorCode, std::size_t)>(
        std::forward<Token>(token), [offset, data = std::move(data)](auto state, auto handler) mutable {
          detail::start_write_string_at(std::move(state), offset, std::move(data), std::move(handler));
        });
  }

  /// fsync(2): void(error_code). A failed fsync is not retried (the kernel may have dropped the
  /// dirty pages it reported).
  template <class Token>
  auto async_fsync(Token&& token) {
    return start<void(detail::ErrorCode)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_sync(std::move(state), detail::SyncKind::all, std::move(handler));
    });
  }
  /// fdatasync(2): void(error_code).
  template <class Token>
  auto async_fdatasync(Token&& token) {
    return start<void(detail::ErrorCode)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_sync(std::move(state), detail::SyncKind::data, std::move(handler));
    });
  }
  /// The file's size from fstat(2): void(error_code, std::uint64_t).
  template <class Token>
  auto async_size(Token&& token) {
    return start<void(detail::ErrorCode, std::uint64_t)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_size(std::move(state), std::move(handler));
    });
  }
  /// ftruncate(2) to `length` (growing makes a hole): void(error_code).
  template <class Token>
  auto async_truncate(std::uint64_t length, Token&& token) {
    return start<void(detail::ErrorCode)>(std::forward<Token>(token), [length](auto state, auto handler) {
      detail::start_truncate(std::move(state), length, std::move(handler));
    });
  }
  /// Closes now and reports close(2)'s error (EIO from a network filesystem): void(error_code).
  /// Operations still in flight keep the descriptor until they complete; it closes after them
  /// and the result is then success. The object is closed as soon as this is called.
  template <class Token>
  auto async_close(Token&& token) {
    return start<void(detail::ErrorCode)>(std::forward<Token>(token), [](auto state, auto handler) {
      detail::start_close(std::move(state), std::move(handler));
    }, true);
  }

 private:
  friend ATOMICIO_ASYNC_EXPORT void detail::start_open(boost::asio::any_io_executor, std::filesystem::path, OpenMode,
                                                      AsyncFileOptions, detail::OpenCompletion);
  explicit AsyncFile(std::shared_ptr<detail::FileState> state) noexcept;

  template <class Signature, class Token, class Body>
  auto start(Token&& token, Body body, bool closing = false) {
    std::shared_ptr<detail::FileState> state = closing ? std::move(state_) : state_;
    return detail::initiate_erased<Signature>(
        std::forward<Token>(token),
        [state = std::move(state), body = std::move(body)](detail::Completion<Signature> handler) mutable {
          body(std::move(state), std::move(handler));
        });
  }
  template <class Buffers>
  static boost::asio::mutable_buffer first_buffer(const Buffers& buffers) {
    auto it = boost::asio::buffer_sequence_begin(buffers);
    return it == boost::asio::buffer_sequence_end(buffers) ? boost::asio::mutable_buffer() : boost::asio::mutable_buffer(*it);
  }
  template <class Buffers>
  static boost::asio::const_buffer first_const_buffer(const Buffers& buffers) {
    auto it = boost::asio::buffer_sequence_begin(buffers);
    return it == boost::asio::buffer_sequence_end(buffers) ? boost::asio::const_buffer() : boost::asio::const_buffer(*it);
  }

  std::shared_ptr<detail::FileState> state_;
};

}  // namespace atomicio
