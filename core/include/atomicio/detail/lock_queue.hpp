// The lock table's non-blocking side, for lock operations that wait without a thread (the
// async library's). Not a stable API: it moves with the core.
//
// A request either enters at once, is told to take the inter-process lock (the first holder of
// the file in this process does), or queues; a queued request learns of its grant through a
// callback that runs once, on the thread that granted it, outside every lock of the table, and
// must only hand the news on (post it). Threads using FileLock and the file classes wait in the
// same FIFO queue, so tasks and threads exclude each other and take turns.
#pragma once

#include <atomicio/export.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/lock_mode.hpp>
#include <atomicio/timeout.hpp>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace atomicio::detail {

struct LockEntry;

/// Who holds a lock: a thread by default, or a task. A new task owner is never a thread's and
/// never reused.
using LockOwner = std::uint64_t;
ATOMICIO_EXPORT LockOwner new_task_lock_owner() noexcept;

/// While alive, the locks this thread takes (FileLock, SafeFile's operations) are taken for
/// `owner`: how a pool thread runs a file operation inside a task's held lock, which then only
/// counts one more level instead of waiting for itself.
class ATOMICIO_EXPORT LockOwnerScope {
 public:
  explicit LockOwnerScope(LockOwner owner) noexcept;
  ~LockOwnerScope();
  LockOwnerScope(const LockOwnerScope&) = delete;
  LockOwnerScope& operator=(const LockOwnerScope&) = delete;

 private:
  LockOwner previous_;
};

class ATOMICIO_EXPORT QueuedLock {
 public:
  /// The lock of `target` through the backend `options` names. Resolves the path and may load
  /// the backend's plugin: call it where blocking is allowed. Throws LockFailedError,
  /// PluginNotInstalledError.
  static QueuedLock open(const std::filesystem::path& target, LockMode mode, const LockOptions& options);

  enum class Admission {
    entered,       ///< `owner` holds the lock now (or one more level of it)
    take_os_lock,  ///< `owner` must take the inter-process lock, then call finish_os_lock
    queued,        ///< `on_grant(take_os_lock)` will run; `ticket` withdraws the request
  };
  /// Never waits. Throws LockFailedError for an upgrade that would deadlock.
  Admission enter_or_queue(LockOwner owner, LockMode mode, std::function<void(bool take_os_lock)> on_grant,
                           std::uint64_t& ticket) const;
  /// Removes a queued request: true when it left holding nothing; false when its grant came
  /// first (its on_grant has run or is running, and it must be honoured or released).
  bool withdraw(std::uint64_t ticket) const;
  /// One non-waiting attempt at the inter-process lock by the owner told to take it: true
  /// taken, false held by another process. Opening the sidecar may touch the disk: call it
  /// where blocking is allowed. Throws LockFailedError.
  bool try_os_lock(LockMode mode) const;
  /// Ends the inter-process step: `taken` makes `owner` a holder, else the lock is free again
  /// for the next in line.
  void finish_os_lock(LockOwner owner, LockMode mode, bool taken) const noexcept;
  /// Releases one level of `owner`'s hold. Never throws, never waits.
  void release(LockOwner owner) const noexcept;

  /// The error a wait that gave up throws: AlreadyLockedError for an immediate timeout,
  /// LockTimeoutError otherwise, naming the file, the mode, the backend and `held_by`.
  std::exception_ptr unavailable(LockMode mode, Timeout timeout, const std::string& held_by) const;
  const std::filesystem::path& target() const noexcept;
  const std::filesystem::path& sidecar() const noexcept;
  const std::string& backend() const noexcept;

 private:
  explicit QueuedLock(std::shared_ptr<LockEntry> entry) noexcept : entry_(std::move(entry)) {}
  std::shared_ptr<LockEntry> entry_;
};

}  // namespace atomicio::detail
