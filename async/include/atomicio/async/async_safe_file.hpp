// AsyncSafeFile: SafeFile's operations on Asio completion tokens (the seeds' AsyncSafeFile).
//
//   atomicio::AsyncSafeFile file(executor, "state.json", 2s);
//   {
//     auto guard = co_await file.async_locked(LockMode::exclusive, asio::use_awaitable);
//     auto value = (co_await guard.async_read(asio::use_awaitable)).value_or(atomicio::Value::object());
//     value["runs"] = value.value("runs", 0) + 1;
//     co_await guard.async_write(value, asio::use_awaitable);  // inside the held lock: no relocking
//   }  // released here
//
// Every operation is: wait for the file's lock without a thread (async_lock_file: shared for
// reads, exclusive for the rest, within the file's timeout), then one job on the engine's pool
// that runs the SafeFile operation as the lock's task owner, then release. So the formats,
// codecs, durability and errors are SafeFile's own: FileReadError with path and position,
// FileWriteError, FileAppendError, UnsupportedFormatError, LockTimeoutError (the seeds'
// AsyncTimeoutError), AlreadyLockedError (an immediate timeout on a held lock), LockFailedError
// (AsyncLockError) — delivered as the std::exception_ptr first argument of every completion
// (use_awaitable throws it; as_tuple hands it over).
//
// Cancellation (Asio cancellation slots) is honoured at step boundaries: while waiting for the
// lock, and before the pool job starts. A commit that has started is never abandoned half way:
// it runs to its end and the operation reports what happened. A cancelled write leaves the old
// content and no temporary file.
//
// A guard from async_locked() holds the lock across several operations made through it (they do
// not lock again); other tasks, threads and processes wait. It may be moved between coroutines;
// it releases on destruction or unlock(), once the operations started through it have finished.
// Streaming: async_read_stream() hands the content to a consumer in pieces under the shared lock;
// async_open_writer() gives an AsyncContentWriter that holds the exclusive lock until its
// commit. Where the `<path>.lock` sidecar cannot be created (a read-only directory), a plain read runs
// without the inter-process lock as SafeFile::read() does.
#pragma once

#include <atomicio/async/async_file_lock.hpp>
#include <atomicio/async/detail/initiate.hpp>
#include <atomicio/async/export.hpp>
#include <atomicio/async/io_engine.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/value.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atomicio {

class AsyncSafeFile;
class AsyncSafeFileGuard;
class AsyncContentWriter;

namespace detail {
struct SafeFileShared;
using ValueCompletion = Completion<void(std::exception_ptr, std::optional<Value>)>;
using BytesCompletion = Completion<void(std::exception_ptr, std::optional<std::string>)>;
using DoneCompletion = Completion<void(std::exception_ptr)>;
using GuardCompletion = Completion<void(std::exception_ptr, AsyncSafeFileGuard)>;
using ExistsCompletion = Completion<void(std::exception_ptr, bool)>;
using WriterCompletion = Completion<void(std::exception_ptr, AsyncContentWriter)>;
struct ContentWriterShared;
using PieceConsumer = std::function<void(std::string_view piece)>;

enum class SafeFileOp { read, read_bytes, write, write_bytes, update, append };

/// What one operation carries in: a value (write, update) or bytes (write_bytes, append).
struct SafeFileInput {
  Value value;
  std::string bytes;
};

/// Runs `op` under a new lock (held == null) or inside `held`'s lock.
ATOMICIO_ASYNC_EXPORT void start_safe_value_op(std::shared_ptr<SafeFileShared> file,
                                               std::shared_ptr<AsyncLockGuard> held, SafeFileOp op,
                                               ValueCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_safe_bytes_op(std::shared_ptr<SafeFileShared> file,
                                               std::shared_ptr<AsyncLockGuard> held, BytesCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_safe_write_op(std::shared_ptr<SafeFileShared> file,
                                               std::shared_ptr<AsyncLockGuard> held, SafeFileOp op,
                                               SafeFileInput input, DoneCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_safe_locked(std::shared_ptr<SafeFileShared> file, LockMode mode,
                                             GuardCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_safe_read_stream(std::shared_ptr<SafeFileShared> file,
                                                  std::shared_ptr<AsyncLockGuard> held, PieceConsumer consumer,
                                                  ExistsCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_open_writer(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held,
                                             WriteMode mode, WriterCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_writer_write(std::shared_ptr<ContentWriterShared> writer, std::string bytes,
                                              DoneCompletion handler);
ATOMICIO_ASYNC_EXPORT void start_writer_commit(std::shared_ptr<ContentWriterShared> writer, DoneCompletion handler);
}  // namespace detail

/// The operations of an AsyncSafeFile, inside a lock held by the guard; shared by the guard and
/// the file so that one set of templates serves both.
class AsyncSafeFileOps {
 public:
  /// The parsed document, or nullopt when the file does not exist (SafeFile::read).
  template <class Token>
  auto async_read(Token&& token) const {
    return detail::initiate_erased<void(std::exception_ptr, std::optional<Value>)>(
        std::forward<Token>(token), [file = file_, held = held_](detail::ValueCompletion handler) mutable {
          detail::start_safe_value_op(std::move(file), std::move(held), detail::SafeFileOp::read, std::move(handler));
        });
  }
  /// The content as bytes (decompressed by the name's codecs), or nullopt (SafeFile::read_bytes).
  template <class Token>
  auto async_read_bytes(Token&& token) const {
    return detail::initiate_erased<void(std::exception_ptr, std::optional<std::string>)>(
        std::forward<Token>(token), [file = file_, held = held_](detail::BytesCompletion handler) mutable {
          detail::start_safe_bytes_op(std::move(file), std::move(held), std::move(handler));
        });
  }
  /// Replaces the content with `value` in the file's format (SafeFile::write).
  template <class Token>
  auto async_write(Value value, Token&& token) const {
    return write_op(detail::SafeFileOp::write, {std::move(value), {}}, std::forward<Token>(token));
  }
  /// Merges `value` into the content under one exclusive lock (SafeFile::update).
  template <class Token>
  auto async_update(Value value, Token&& token) const {
    return write_op(detail::SafeFileOp::update, {std::move(value), {}}, std::forward<Token>(token));
  }
  /// Replaces the content with `bytes` (SafeFile::write_bytes).
  template <class Token>
  auto async_write_bytes(std::string bytes, Token&& token) const {
    return write_op(detail::SafeFileOp::write_bytes, {Value(), std::move(bytes)}, std::forward<Token>(token));
  }
  /// Adds `text` at the end as one atomic commit (SafeFile::append).
  template <class Token>
  auto async_append(std::string text, Token&& token) const {
    return write_op(detail::SafeFileOp::append, {Value(), std::move(text)}, std::forward<Token>(token));
  }
  /// Streams the content (decompressed) to `consumer` in pieces of at most 64 KiB under the
  /// shared lock, with memory bounded by the buffers (SafeFile::read_stream). `consumer` runs on
  /// the engine's pool, one piece after another; what it throws fails the operation. Completes
  /// with void(std::exception_ptr, bool exists).
  template <class Token>
  auto async_read_stream(std::function<void(std::string_view piece)> consumer, Token&& token) const {
    return detail::initiate_erased<void(std::exception_ptr, bool)>(
        std::forward<Token>(token),
        [file = file_, held = held_, consumer = std::move(consumer)](detail::ExistsCompletion handler) mutable {
          detail::start_safe_read_stream(std::move(file), std::move(held), std::move(consumer), std::move(handler));
        });
  }
  /// A streaming writer of new content, holding the exclusive lock until it commits, aborts or
  /// is destroyed (SafeFile::open_writer). Completes with void(std::exception_ptr,
  /// AsyncContentWriter).
  template <class Token>
  auto async_open_writer(WriteMode mode, Token&& token) const {
    return detail::initiate_erased<void(std::exception_ptr, AsyncContentWriter)>(
        std::forward<Token>(token), [file = file_, held = held_, mode](detail::WriterCompletion handler) mutable {
          detail::start_open_writer(std::move(file), std::move(held), mode, std::move(handler));
        });
  }

 protected:
  AsyncSafeFileOps() = default;
  AsyncSafeFileOps(std::shared_ptr<detail::SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held) noexcept
      : file_(std::move(file)), held_(std::move(held)) {}

  std::shared_ptr<detail::SafeFileShared> file_;
  std::shared_ptr<AsyncLockGuard> held_;  // null for the file's own operations: each locks

 private:
  template <class Token>
  auto write_op(detail::SafeFileOp op, detail::SafeFileInput input, Token&& token) const {
    return detail::initiate_erased<void(std::exception_ptr)>(
        std::forward<Token>(token),
        [file = file_, held = held_, op, input = std::move(input)](detail::DoneCompletion handler) mutable {
          detail::start_safe_write_op(std::move(file), std::move(held), op, std::move(input), std::move(handler));
        });
  }
};

/// The file's lock, held for the operations made through this guard. Move-only.
class ATOMICIO_ASYNC_EXPORT AsyncSafeFileGuard : public AsyncSafeFileOps {
 public:
  /// Holds nothing.
  AsyncSafeFileGuard() = default;
  AsyncSafeFileGuard(AsyncSafeFileGuard&&) noexcept = default;
  AsyncSafeFileGuard& operator=(AsyncSafeFileGuard&&) noexcept = default;
  AsyncSafeFileGuard(const AsyncSafeFileGuard&) = delete;
  AsyncSafeFileGuard& operator=(const AsyncSafeFileGuard&) = delete;
  ~AsyncSafeFileGuard() = default;

  /// Gives the hold up: the lock is released now, or when the operations started through this
  /// guard have finished. Idempotent; never throws. Operations started through a guard that
  /// holds nothing complete with std::logic_error.
  void unlock() noexcept {
    held_.reset();
    file_.reset();
  }
  bool owns_lock() const noexcept { return held_ && held_->owns_lock(); }
  explicit operator bool() const noexcept { return owns_lock(); }
  LockMode mode() const noexcept { return held_ ? held_->mode() : LockMode::exclusive; }

  /// For the library.
  AsyncSafeFileGuard(std::shared_ptr<detail::SafeFileShared> file, AsyncLockGuard lock);
};

/// New content written in pieces (ContentWriter's async form): encoded on the fly into the
/// commit's temporary file on the engine's pool; the file is untouched until async_commit(),
/// and a writer destroyed or aborted uncommitted rolls back and releases the lock. One
/// operation at a time. Move-only.
class ATOMICIO_ASYNC_EXPORT AsyncContentWriter {
 public:
  /// Writes nothing.
  AsyncContentWriter() = default;
  AsyncContentWriter(AsyncContentWriter&&) noexcept = default;
  AsyncContentWriter& operator=(AsyncContentWriter&&) noexcept = default;
  ~AsyncContentWriter();

  /// Adds `bytes`: void(std::exception_ptr) (FileWriteError; the writer is then rolled back).
  template <class Token>
  auto async_write(std::string bytes, Token&& token) {
    return detail::initiate_erased<void(std::exception_ptr)>(
        std::forward<Token>(token), [state = state_, bytes = std::move(bytes)](detail::DoneCompletion handler) mutable {
          detail::start_writer_write(std::move(state), std::move(bytes), std::move(handler));
        });
  }
  /// Publishes atomically and releases the lock: void(std::exception_ptr) (FileWriteError; the
  /// file is then unchanged).
  template <class Token>
  auto async_commit(Token&& token) {
    return detail::initiate_erased<void(std::exception_ptr)>(
        std::forward<Token>(token), [state = state_](detail::DoneCompletion handler) mutable {
          detail::start_writer_commit(std::move(state), std::move(handler));
        });
  }
  /// Drops what was written and releases the lock, on the pool (removing the temporary file
  /// may touch the disk). Idempotent; never throws.
  void abort() noexcept;

  /// For the library.
  explicit AsyncContentWriter(std::shared_ptr<detail::ContentWriterShared> state) noexcept
      : state_(std::move(state)) {}

 private:
  std::shared_ptr<detail::ContentWriterShared> state_;
};

class ATOMICIO_ASYNC_EXPORT AsyncSafeFile : public AsyncSafeFileOps {
 public:
  /// Binds to `path` (which need not exist) on `executor`. `timeout` bounds every lock wait;
  /// `engine` (null: IoEngine::shared()) runs the file work. Nothing is opened until the first
  /// operation.
  AsyncSafeFile(boost::asio::any_io_executor executor, std::filesystem::path path, Timeout timeout = Timeout::infinite(),
                FileOptions options = {}, IoEngine* engine = nullptr);

  /// Takes the file's lock in `mode` and completes with a guard holding it:
  /// void(std::exception_ptr, AsyncSafeFileGuard).
  template <class Token>
  auto async_locked(LockMode mode, Token&& token) const {
    return detail::initiate_erased<void(std::exception_ptr, AsyncSafeFileGuard)>(
        std::forward<Token>(token), [file = file_, mode](detail::GuardCompletion handler) mutable {
          detail::start_safe_locked(std::move(file), mode, std::move(handler));
        });
  }

  const std::filesystem::path& path() const noexcept;
  boost::asio::any_io_executor get_executor() const noexcept;
  /// The synchronous file underneath.
  SafeFile& sync_file() const noexcept;
};

}  // namespace atomicio
