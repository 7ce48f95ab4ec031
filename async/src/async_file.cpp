// AsyncFile's operations: one blocking job each on the pool backend, Asio's io_uring reads and
// writes composed into whole operations on the io_uring backend, and the calls Boost 1.81
// cannot make asynchronously (open, fsync, fstat, ftruncate, close) on the pool for both.
#include "file_state.hpp"
#include "nowait_io.hpp"
#include "pool_job.hpp"

#include <atomicio/errors.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/system_executor.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace atomicio::detail {

namespace {

ErrorCode os_code(int error) { return {error, boost::system::system_category()}; }

ErrorCode result_code(int error) {
  if (error == ECANCELED) return boost::asio::error::operation_aborted;
  return error == 0 ? ErrorCode{} : os_code(error);
}

IoEngine& engine_of(const AsyncFileOptions& options) {
  return options.engine != nullptr ? *options.engine : IoEngine::shared();
}

// Regular files on ordinary filesystems go to io_uring; everything else to the pool, with the
// reason kept for backend_reason().
void choose_backend(FileState& state, const struct stat& info) {
  const char* not_uring = nullptr;
  if (S_ISFIFO(info.st_mode)) {
    state.access = Access::fifo;
    not_uring = "a FIFO";
  } else if (!S_ISREG(info.st_mode) && !S_ISBLK(info.st_mode)) {
    state.access = Access::sequential;
    not_uring = S_ISCHR(info.st_mode) ? "a character device" : S_ISSOCK(info.st_mode) ? "a socket" : "not a regular file";
  } else {
    struct statfs fs {};
    if (::fstatfs(state.fd->get(), &fs) == 0 &&
        (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC || fs.f_type == DEBUGFS_MAGIC))
      not_uring = "on procfs or sysfs, whose files the kernel reads only synchronously";
  }
  IoEngine& engine = *state.engine;
  if (not_uring != nullptr) {
    state.backend = IoBackend::thread_pool;
    state.backend_reason = std::string("thread_pool: io_uring is not used for this file, which is ") + not_uring;
    return;
  }
  if (engine.backend() != IoBackend::io_uring) {
    state.backend = IoBackend::thread_pool;
    state.backend_reason = engine.backend_reason();
    return;
  }
#if ATOMICIO_ASYNC_HAS_IO_URING
  try {
    state.uring.emplace(state.executor);
    state.uring->assign(state.fd->get());
    state.backend = IoBackend::io_uring;
    state.backend_reason = engine.backend_reason();
  } catch (const boost::system::system_error& error) {
    // The engine's probe passed but this io_context's ring could not be made (a limit reached
    // since): this file uses the pool instead of failing.
    state.uring.reset();
    state.backend = IoBackend::thread_pool;
    state.backend_reason = std::string("thread_pool: Asio's io_uring failed here: ") + error.what();
  }
#endif
}

std::shared_ptr<FileState> make_state(boost::asio::any_io_executor executor, int fd, std::filesystem::path path,
                                      const AsyncFileOptions& options) {
  IoEngine& engine = engine_of(options);
  auto state = std::make_shared<FileState>();
  state->executor = std::move(executor);
  state->engine = &engine;
  state->path = std::move(path);
  state->fd = std::make_shared<OwnedFd>(fd, engine);
  struct stat info {};
  if (::fstat(fd, &info) != 0) info.st_mode = S_IFREG;
  choose_backend(*state, info);
  bool nowait = options.nowait_first && state->access == Access::positional;
  state->nowait_reads.store(nowait, std::memory_order_relaxed);
  state->nowait_writes.store(nowait, std::memory_order_relaxed);
  return state;
}

boost::asio::any_io_executor executor_or_system(const std::shared_ptr<FileState>& state) {
  if (state) return state->executor;
  return boost::asio::system_executor();
}

template <class... Results, class... Values>
void fail_closed(const std::shared_ptr<FileState>& state, Completion<void(Results...)> handler, Values&&... values) {
  complete_later(executor_or_system(state), std::move(handler), boost::asio::error::bad_descriptor,
                 std::forward<Values>(values)...);
}

bool closed(const std::shared_ptr<FileState>& state) { return !state || !state->fd; }

#if ATOMICIO_ASYNC_HAS_IO_URING
// Repeats Asio's read_some_at/write_some_at until the buffer is done, the file ends (reads) or
// an error comes. Data is either a view or, for the owning overloads, a string kept in `owned`.
template <bool Reading>
struct UringTransfer {
  using Buffer = std::conditional_t<Reading, boost::asio::mutable_buffer, boost::asio::const_buffer>;
  std::shared_ptr<FileState> state;
  std::uint64_t offset;
  Buffer buffer;
  bool whole;
  std::shared_ptr<std::string> owned;
  std::size_t done = 0;
  bool started = false;

  template <class Self>
  void operator()(Self& self, ErrorCode error = {}, std::size_t bytes = 0) {
    done += bytes;
    if (started) {
      bool finished = error || done == buffer.size() || !whole;
      if (Reading && bytes == 0 && !error) {
        finished = true;  // the end of the file
        if (!whole && buffer.size() > 0) error = boost::asio::error::eof;
      }
      if (!Reading && bytes == 0 && !error && done < buffer.size()) error = os_code(ENOSPC);
      if (finished) {
        if (Reading && whole && error == boost::asio::error::eof) error = {};
        self.complete(error, done);
        return;
      }
    }
    started = true;
    if constexpr (Reading)
      state->uring->async_read_some_at(offset + done, buffer + done, std::move(self));
    else
      state->uring->async_write_some_at(offset + done, buffer + done, std::move(self));
  }
};

template <bool Reading, class Buffer>
void start_uring(std::shared_ptr<FileState> state, std::uint64_t offset, Buffer buffer, bool whole,
                 std::shared_ptr<std::string> owned, SizeCompletion handler) {
  auto& file = *state->uring;
  boost::asio::async_compose<SizeCompletion, void(ErrorCode, std::size_t)>(
      UringTransfer<Reading>{std::move(state), offset, buffer, whole, std::move(owned)}, handler, file);
}
#endif

// The handler of what the backend does after a nowait try moved `already` bytes: it reports the
// total, on the executor and with the cancellation slot of the original handler.
SizeCompletion counting_from(std::size_t already, const FileState& state, SizeCompletion handler) {
  auto executor = boost::asio::get_associated_executor(handler, state.executor);
  auto slot = handler.get_cancellation_slot();
  return SizeCompletion(boost::asio::bind_cancellation_slot(
      slot, boost::asio::bind_executor(executor, [already, handler = std::move(handler)](ErrorCode error,
                                                                                        std::size_t bytes) mutable {
        std::move(handler)(error, already + bytes);
      })));
}

// The transfer on the file's backend, after or instead of the nowait try.
template <bool Reading, class Buffer>
void start_on_backend(std::shared_ptr<FileState> state, std::uint64_t offset, Buffer buffer, bool whole,
                      std::shared_ptr<std::string> owned, SizeCompletion handler) {
#if ATOMICIO_ASYNC_HAS_IO_URING
  if (state->backend == IoBackend::io_uring)
    return start_uring<Reading>(std::move(state), offset, buffer, whole, std::move(owned), std::move(handler));
#endif
  IoEngine& engine = *state->engine;
  auto executor = state->executor;
  run_on_pool(engine, executor, std::move(handler),
              [state = std::move(state), offset, buffer, whole, owned = std::move(owned)](const CancelFlag& cancelled) {
                if (cancelled.load(std::memory_order_relaxed))
                  return std::tuple<ErrorCode, std::size_t>(boost::asio::error::operation_aborted, 0);
                IoResult result;
                if constexpr (Reading) {
                  result = read_blocking(state->fd->get(), state->access, offset, static_cast<char*>(buffer.data()),
                                         buffer.size(), whole, cancelled);
                  if (result.error == 0 && result.bytes == 0 && buffer.size() > 0 && !whole)
                    return std::tuple<ErrorCode, std::size_t>(boost::asio::error::eof, 0);
                } else {
                  result = write_blocking(state->fd->get(), state->access, offset,
                                          static_cast<const char*>(buffer.data()), buffer.size(), whole, cancelled);
                }
                return std::tuple<ErrorCode, std::size_t>(result_code(result.error), result.bytes);
              });
}

template <bool Reading, class Buffer>
void start_transfer(std::shared_ptr<FileState> state, std::uint64_t offset, Buffer buffer, bool whole,
                    std::shared_ptr<std::string> owned, SizeCompletion handler) {
  if (closed(state)) return fail_closed(state, std::move(handler), std::size_t{0});
  NowaitResult first;
  if constexpr (Reading)
    first = read_nowait(state->fd->get(), offset, static_cast<char*>(buffer.data()), buffer.size(), whole,
                        state->nowait_reads);
  else
    first = write_nowait(state->fd->get(), offset, static_cast<const char*>(buffer.data()), buffer.size(), whole,
                         state->nowait_writes);
  if (first.finished) {
    ErrorCode error;
    if (Reading && first.bytes == 0 && !whole) error = boost::asio::error::eof;
    return complete_later(state->executor, std::move(handler), error, first.bytes);
  }
  // Never `handler = counting_from(...)`: Boost 1.81's any_completion_handler move assignment
  // recurses without end (it copies from an lvalue through its converting constructor).
  if (first.bytes == 0)
    return start_on_backend<Reading>(std::move(state), offset, buffer, whole, std::move(owned), std::move(handler));
  auto rest = counting_from(first.bytes, *state, std::move(handler));
  start_on_backend<Reading>(std::move(state), offset + first.bytes, buffer + first.bytes, whole, std::move(owned),
                            std::move(rest));
}

std::exception_ptr open_error(const std::filesystem::path& path, const OpenMode& mode, int error) {
  std::string detail = "cannot open in mode '" + mode.to_string() + "'";
  std::error_code code(error, std::generic_category());
  if (!mode.write) return std::make_exception_ptr(FileReadError("open", path, detail, code));
  return std::make_exception_ptr(FileWriteError("open", path, detail, code));
}

}  // namespace

OwnedFd::~OwnedFd() {
  if (fd_ < 0) return;
  int fd = fd_;
  // Never retried: the descriptor is gone whatever close(2) says (man 2 close).
  boost::asio::post(engine_.pool(), [fd] { ::close(fd); });
}

FileState::~FileState() {
#if ATOMICIO_ASYNC_HAS_IO_URING
  if (uring && uring->is_open()) {
    boost::system::error_code ignored;  // release only forgets the descriptor; `fd` closes it
    uring->release(ignored);
  }
#endif
}

void start_open(boost::asio::any_io_executor executor, std::filesystem::path path, OpenMode mode,
                AsyncFileOptions options, OpenCompletion handler) {
  IoEngine& engine = engine_of(options);
  run_on_pool(engine, executor, std::move(handler),
              [executor, path = std::move(path), mode, options, &engine](const CancelFlag& cancelled) {
                using Result = std::tuple<std::exception_ptr, AsyncFile>;
                if (cancelled.load(std::memory_order_relaxed))
                  return Result(std::make_exception_ptr(boost::system::system_error(boost::asio::error::operation_aborted)),
                                AsyncFile());
                int fd;
                do fd = ::open(path.c_str(), mode.flags(), options.permissions);
                while (fd < 0 && errno == EINTR);
                if (fd < 0) return Result(open_error(path, mode, errno), AsyncFile());
                // Opened O_NONBLOCK so that a FIFO or device cannot hang the open; regular
                // files ignore the flag, and the pool waits on the others with poll(2).
                return Result(nullptr, AsyncFile(make_state(executor, fd, path, options)));
              });
}

void start_read_at(std::shared_ptr<FileState> state, std::uint64_t offset, boost::asio::mutable_buffer buffer,
                   bool whole, SizeCompletion handler) {
  start_transfer<true>(std::move(state), offset, buffer, whole, nullptr, std::move(handler));
}

void start_write_at(std::shared_ptr<FileState> state, std::uint64_t offset, boost::asio::const_buffer buffer,
                    bool whole, SizeCompletion handler) {
  start_transfer<false>(std::move(state), offset, buffer, whole, nullptr, std::move(handler));
}

void start_write_string_at(std::shared_ptr<FileState> state, std::uint64_t offset, std::string data,
                           SizeCompletion handler) {
  auto owned = std::make_shared<std::string>(std::move(data));
  boost::asio::const_buffer buffer(owned->data(), owned->size());
  start_transfer<false>(std::move(state), offset, buffer, true, std::move(owned), std::move(handler));
}

void start_read_string_at(std::shared_ptr<FileState> state, std::uint64_t offset, std::size_t size,
                          StringCompletion handler) {
  if (closed(state)) return fail_closed(state, std::move(handler), std::string());
  auto owned = std::make_shared<std::string>(size, '\0');
  boost::asio::mutable_buffer buffer(owned->data(), owned->size());
  // The inner handler carries the outer one, so its executor and cancellation slot apply.
  auto executor = boost::asio::get_associated_executor(handler, state->executor);
  auto slot = handler.get_cancellation_slot();
  start_transfer<true>(std::move(state), offset, buffer, true, owned,
                       SizeCompletion(boost::asio::bind_cancellation_slot(
                           slot, boost::asio::bind_executor(executor, [owned, handler = std::move(handler)](
                                                                          ErrorCode error, std::size_t bytes) mutable {
                             owned->resize(bytes);
                             std::move(handler)(error, std::move(*owned));
                           }))));
}

void start_sync(std::shared_ptr<FileState> state, SyncKind kind, StatusCompletion handler) {
  if (closed(state)) return fail_closed(state, std::move(handler));
  IoEngine& engine = *state->engine;
  auto executor = state->executor;
  run_on_pool(engine, executor, std::move(handler), [state = std::move(state), kind](const CancelFlag& cancelled) {
    if (cancelled.load(std::memory_order_relaxed)) return std::tuple<ErrorCode>(boost::asio::error::operation_aborted);
    int fd = state->fd->get();
    // Not retried on failure: after a failed fsync the kernel may have dropped the dirty pages.
    int result = kind == SyncKind::all ? ::fsync(fd) : ::fdatasync(fd);
    return std::tuple<ErrorCode>(result == 0 ? ErrorCode{} : os_code(errno));
  });
}

void start_size(std::shared_ptr<FileState> state, LengthCompletion handler) {
  if (closed(state)) return fail_closed(state, std::move(handler), std::uint64_t{0});
  IoEngine& engine = *state->engine;
  auto executor = state->executor;
  run_on_pool(engine, executor, std::move(handler), [state = std::move(state)](const CancelFlag& cancelled) {
    using Result = std::tuple<ErrorCode, std::uint64_t>;
    if (cancelled.load(std::memory_order_relaxed)) return Result(boost::asio::error::operation_aborted, 0);
    struct stat info {};
    if (::fstat(state->fd->get(), &info) != 0) return Result(os_code(errno), 0);
    return Result(ErrorCode{}, static_cast<std::uint64_t>(info.st_size));
  });
}

void start_truncate(std::shared_ptr<FileState> state, std::uint64_t length, StatusCompletion handler) {
  if (closed(state)) return fail_closed(state, std::move(handler));
  IoEngine& engine = *state->engine;
  auto executor = state->executor;
  run_on_pool(engine, executor, std::move(handler), [state = std::move(state), length](const CancelFlag& cancelled) {
    if (cancelled.load(std::memory_order_relaxed)) return std::tuple<ErrorCode>(boost::asio::error::operation_aborted);
    int result;
    do result = ::ftruncate(state->fd->get(), static_cast<off_t>(length));
    while (result != 0 && errno == EINTR);
    return std::tuple<ErrorCode>(result == 0 ? ErrorCode{} : os_code(errno));
  });
}

void start_close(std::shared_ptr<FileState> state, StatusCompletion handler) {
  if (closed(state)) return fail_closed(state, std::move(handler));
  std::shared_ptr<OwnedFd> fd = std::move(state->fd);
#if ATOMICIO_ASYNC_HAS_IO_URING
  if (state->uring && state->uring->is_open()) {
    boost::system::error_code ignored;  // forgets the descriptor; closing is ours
    state->uring->release(ignored);
  }
#endif
  IoEngine& engine = *state->engine;
  auto executor = state->executor;
  state.reset();
  run_on_pool(engine, executor, std::move(handler), [fd = std::move(fd)](const CancelFlag&) mutable {
    // Operations still in flight hold the descriptor; it closes after them, unreported.
    if (fd.use_count() > 1) return std::tuple<ErrorCode>(ErrorCode{});
    int descriptor = fd->release();
    return std::tuple<ErrorCode>(::close(descriptor) == 0 ? ErrorCode{} : os_code(errno));
  });
}

}  // namespace atomicio::detail

namespace atomicio {

AsyncFile::AsyncFile() noexcept = default;
AsyncFile::AsyncFile(std::shared_ptr<detail::FileState> state) noexcept : state_(std::move(state)) {}
AsyncFile::AsyncFile(AsyncFile&&) noexcept = default;
AsyncFile& AsyncFile::operator=(AsyncFile&&) noexcept = default;
AsyncFile::~AsyncFile() = default;

AsyncFile AsyncFile::adopt(executor_type executor, int fd, std::filesystem::path name, AsyncFileOptions options) {
  if (fd < 0 || ::fcntl(fd, F_GETFD) < 0)
    throw std::system_error(std::error_code(fd < 0 ? EBADF : errno, std::generic_category()),
                            "AsyncFile::adopt: descriptor " + std::to_string(fd) + " is not open");
  if (name.empty()) name = "/proc/self/fd/" + std::to_string(fd);
  return AsyncFile(detail::make_state(std::move(executor), fd, std::move(name), options));
}

bool AsyncFile::is_open() const noexcept { return !detail::closed(state_); }
AsyncFile::executor_type AsyncFile::get_executor() const noexcept {
  return state_ ? state_->executor : executor_type();
}
const std::filesystem::path& AsyncFile::path() const noexcept {
  static const std::filesystem::path none;
  return state_ ? state_->path : none;
}
int AsyncFile::native_handle() const noexcept { return is_open() ? state_->fd->get() : -1; }
IoBackend AsyncFile::backend() const noexcept { return state_ ? state_->backend : IoBackend::thread_pool; }
const std::string& AsyncFile::backend_reason() const noexcept {
  static const std::string none = "closed";
  return state_ ? state_->backend_reason : none;
}
bool AsyncFile::seekable() const noexcept { return !state_ || state_->access == detail::Access::positional; }

}  // namespace atomicio
