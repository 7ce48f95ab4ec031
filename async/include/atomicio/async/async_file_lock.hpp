// Async file locks: rapfiles' lock_file(path, exclusive) / lock_file_shared(path) on Asio
// completion tokens, and the guard that AsyncSafeFile's locked() hands out.
//
//   auto guard = co_await atomicio::async_lock_file(executor, "counter.json", LockMode::exclusive,
//                                                   2s, {}, asio::use_awaitable);
//   ... // other tasks and threads of this process, and other processes, are kept out
//   guard.unlock();  // or let it go out of scope
//
// One lock table for threads and tasks. The lock is the same one FileLock and the file classes
// take (the same sidecar, backend and in-process table): a task holding it excludes other tasks
// (also on the same thread: the owner is the task, not the thread) and threads, and the other way
// round. Waiters of both kinds queue in one FIFO per file; a waiting writer keeps later readers
// out. Waiting never parks a thread: a queued task is resumed on its own executor when granted.
// The inter-process lock is then taken with non-waiting attempts on the engine's pool, spaced by a
// jittered backoff (0.25 ms four times, then doubling to 8 ms) on a timer, so every backend works and no pool thread
// waits for another process.
//
// Timeouts and cancellation are decided inside the operation, against the grant, under the
// table's mutex: a wait that times out or is cancelled (Asio cancellation slots, any type)
// completes with LockTimeoutError / AlreadyLockedError (Timeout::immediate() and the lock held) or
// operation_aborted, and holds nothing afterwards, also when the grant landed in the same turn
// (the grant is then released). An OS failure completes with LockFailedError; a backend that is
// not installed with PluginNotInstalledError. An io_context destroyed while a wait is queued
// drops the operation (its handler is never called) and leaves nothing held or queued; as for
// every Asio operation, it must not be destroyed while the operation's work may still complete
// into it (a pool step in flight, a release on another thread in the same instant).
#pragma once

#include <atomicio/async/detail/initiate.hpp>
#include <atomicio/async/export.hpp>
#include <atomicio/async/io_engine.hpp>
#include <atomicio/detail/lock_queue.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/lock_mode.hpp>
#include <atomicio/timeout.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <exception>
#include <filesystem>
#include <optional>
#include <utility>

namespace atomicio {

struct AsyncLockOptions {
  /// The backend and the plugins, as for FileLock.
  LockOptions lock;
  /// Whose pool runs the steps that may block (resolving the path, opening the sidecar, each
  /// attempt at the inter-process lock); null means IoEngine::shared().
  IoEngine* engine = nullptr;
};

/// A held file lock. Move-only; releases on destruction or unlock(), from any thread, without
/// waiting. Operations made through an AsyncSafeFile guard run inside it without locking again.
class ATOMICIO_ASYNC_EXPORT AsyncLockGuard {
 public:
  /// Holds nothing.
  AsyncLockGuard() noexcept = default;
  AsyncLockGuard(AsyncLockGuard&& other) noexcept;
  AsyncLockGuard& operator=(AsyncLockGuard&& other) noexcept;
  AsyncLockGuard(const AsyncLockGuard&) = delete;
  AsyncLockGuard& operator=(const AsyncLockGuard&) = delete;
  ~AsyncLockGuard();

  /// Releases now. Idempotent; never throws.
  void unlock() noexcept;
  bool owns_lock() const noexcept { return held_; }
  explicit operator bool() const noexcept { return held_; }
  LockMode mode() const noexcept { return mode_; }
  /// The locked file, resolved as open(2) resolves it; empty when nothing was locked.
  std::filesystem::path path() const;
  /// The backend's name ("ofd").
  std::string backend() const;
  /// The task owner the lock is held for (see detail::LockOwnerScope).
  detail::LockOwner owner() const noexcept { return owner_; }

  /// For the library: a guard over a lock `owner` already holds.
  AsyncLockGuard(detail::QueuedLock lock, detail::LockOwner owner, LockMode mode) noexcept
      : lock_(std::move(lock)), owner_(owner), mode_(mode), held_(true) {}

 private:
  std::optional<detail::QueuedLock> lock_;
  detail::LockOwner owner_ = 0;
  LockMode mode_ = LockMode::exclusive;
  bool held_ = false;
};

namespace detail {
using LockCompletion = Completion<void(std::exception_ptr, AsyncLockGuard)>;
ATOMICIO_ASYNC_EXPORT void start_lock_file(boost::asio::any_io_executor executor, std::filesystem::path path,
                                           LockMode mode, Timeout timeout, AsyncLockOptions options,
                                           LockOwner owner, LockCompletion handler);
}  // namespace detail

/// Locks `path` in `mode`, waiting up to `timeout`, for a new task owner. Completes with
/// void(std::exception_ptr, AsyncLockGuard) on the handler's executor (see the top of this file
/// for the errors).
template <class Token>
auto async_lock_file(boost::asio::any_io_executor executor, std::filesystem::path path, LockMode mode,
                     Timeout timeout, AsyncLockOptions options, Token&& token) {
  return detail::initiate_erased<void(std::exception_ptr, AsyncLockGuard)>(
      std::forward<Token>(token),
      [executor = std::move(executor), path = std::move(path), mode, timeout,
       options = std::move(options)](detail::LockCompletion handler) mutable {
        detail::start_lock_file(std::move(executor), std::move(path), mode, timeout, std::move(options),
                                detail::new_task_lock_owner(), std::move(handler));
      });
}

/// rapfiles' lock_file(path, exclusive=True): exclusive, waiting without end.
template <class Token>
auto async_lock_file(boost::asio::any_io_executor executor, std::filesystem::path path, Token&& token) {
  return async_lock_file(std::move(executor), std::move(path), LockMode::exclusive, Timeout::infinite(),
                         AsyncLockOptions{}, std::forward<Token>(token));
}

/// rapfiles' lock_file_shared(path): shared, waiting without end.
template <class Token>
auto async_lock_file_shared(boost::asio::any_io_executor executor, std::filesystem::path path, Token&& token) {
  return async_lock_file(std::move(executor), std::move(path), LockMode::shared, Timeout::infinite(),
                         AsyncLockOptions{}, std::forward<Token>(token));
}

}  // namespace atomicio
