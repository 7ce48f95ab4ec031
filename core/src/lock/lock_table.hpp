// The in-process lock table in front of the OS lock. One LockEntry per file identity (the
// resolved target path) per process; every FileLock and SafeFile on that file shares it.
//
// fork(): a child must not use its parent's locks (with ofd and flock they belong to the open
// file description both processes share, so they would not exclude each other). A
// pthread_atfork child handler gives the child a fresh, empty LockTable and a new fork
// generation; entries of an older generation are never touched again in the child (their
// mutexes may be held by parent threads that do not exist there): releasing one does nothing,
// claiming one claims the same file's entry in the fresh table, and destroying one leaks its
// sidecar handle instead of calling into the backend.
//
// Waiting: one FIFO queue per entry for every waiter, threads and async tasks alike. A request
// enters at once only when nobody queues and its mode fits the holders; otherwise it queues, and
// each release grants from the front: consecutive shared requests together, an exclusive one
// alone. So a waiting writer keeps later readers out (writer preference) and nobody starves. A
// thread waits on the entry's condition variable for its own grant; an async waiter's callback
// runs once, outside the mutex, on the thread that granted it (it must only post). A timed-out or
// cancelled waiter withdraws itself under the mutex: either it is still queued and leaves holding
// nothing, or the grant came first and it holds the lock; never both, never neither.
//
// The OS lock is taken by the first holder of an empty entry (os_in_progress_ keeps everyone
// else out meanwhile): a thread with the backend's blocking lock(), an async task with
// non-waiting attempts of its own timing (lock_queue.hpp).
//
// Lock order: LockTable::mutex_ before LockEntry::mutex. The backend's lock() is called with no
// mutex held; its non-blocking unlock() under LockEntry::mutex.
#pragma once

#include "lock/lock_backend.hpp"

#include <atomicio/file_lock.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace atomicio::detail {

/// Who holds a lock: the calling thread, or the task a LockOwnerScope on it names. Re-entrancy is
/// keyed to it.
std::uint64_t current_lock_owner() noexcept;

/// A new owner for a task (never a thread's, never reused), and the thread's override that
/// makes current_lock_owner() answer a task's owner (both declared for use in lock_queue.hpp).
std::uint64_t new_lock_owner() noexcept;
std::uint64_t exchange_lock_owner_override(std::uint64_t owner) noexcept;

/// How many fork()s lie between the first process that used the lock table and this one.
std::uint64_t fork_generation() noexcept;

struct LockEntry {
  LockEntry(std::filesystem::path target, std::filesystem::path sidecar, LockBackendRef backend);
  ~LockEntry();
  LockEntry(const LockEntry&) = delete;
  LockEntry& operator=(const LockEntry&) = delete;

  /// Takes the lock for `owner`, waiting on this thread. Throws AlreadyLockedError,
  /// LockTimeoutError, LockFailedError.
  void acquire(std::uint64_t owner, LockMode mode, Timeout timeout);
  /// Releases one level of `owner`'s hold. Never throws; does nothing on a stale entry.
  void release(std::uint64_t owner) noexcept;
  /// True in a child of fork() for an entry its parent made: the child must not use it.
  bool stale() const noexcept { return generation != fork_generation(); }

  // The async side (lock_queue.hpp). `on_grant(take_os_lock)` runs once, outside the mutex.
  enum class Admission { entered, take_os_lock, queued };
  Admission enter_or_queue(std::uint64_t owner, LockMode mode, std::function<void(bool)> on_grant,
                           std::uint64_t& ticket);
  /// Removes a queued waiter: false when its grant came first (it then holds, or takes the OS lock).
  bool withdraw(std::uint64_t ticket);
  /// One call of the backend's lock() for the owner that was told to take the OS lock; waits at
  /// most `wait_ns` (-1: no limit). ATOMICIO_OK, ATOMICIO_ERR_BUSY, or a LockFailedError thrown.
  std::int32_t os_attempt(LockMode mode, std::int64_t wait_ns, Timeout timeout);
  /// Ends the OS lock step: `taken` makes `owner` a holder; otherwise the entry is free again.
  void finish_os_lock(std::uint64_t owner, LockMode mode, bool taken) noexcept;

  const std::filesystem::path target;
  const std::filesystem::path sidecar;
  const LockBackendRef backend;
  const std::uint64_t generation = fork_generation();

 private:
  struct Holder {
    std::uint64_t owner;
    LockMode mode;
    unsigned count;
  };
  // A thread's grant, on its stack while it waits.
  struct ThreadGrant {
    bool granted = false;
    bool take_os_lock = false;
  };
  struct Waiter {
    std::uint64_t ticket;
    std::uint64_t owner;
    LockMode mode;
    ThreadGrant* thread;                   // a waiting thread's, or
    std::function<void(bool)> on_grant;  // an async waiter's
  };
  using Grants = std::vector<std::pair<std::function<void(bool)>, bool>>;

  bool fits(LockMode mode) const;
  bool can_enter_now(LockMode mode) const { return queue_.empty() && !os_in_progress_ && fits(mode); }
  /// Re-entrant hold: true when `owner` already holds and now counts one more level.
  bool reenter(std::uint64_t owner, LockMode mode, Timeout timeout);
  /// Grants from the front of the queue; async grants go to `grants`, to run after unlocking.
  void grant_waiters(Grants& grants);
  static void run(Grants& grants) noexcept;
  void take_os_lock(std::unique_lock<std::mutex>& held, std::uint64_t owner, LockMode mode, Timeout timeout,
                    std::chrono::steady_clock::time_point deadline);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Holder> holders_;
  std::deque<Waiter> queue_;
  std::uint64_t next_ticket_ = 1;
  bool os_in_progress_ = false;
  void* os_handle_ = nullptr;
};

/// A FileLock's hold on an entry.
struct LockClaim {
  std::shared_ptr<LockEntry> entry;
  std::uint64_t owner = 0;
  LockMode mode = LockMode::exclusive;
  bool held = false;
};

class LockTable {
 public:
  /// This process's table: a fresh one in each child of fork().
  static LockTable& instance();
  /// The entry for the file whose resolved path is `identity` (see path/resolved_target.hpp),
  /// locked on `sidecar`, created on first use. Throws LockFailedError when the file is already
  /// locked in this process through a different backend.
  std::shared_ptr<LockEntry> entry_for(const std::filesystem::path& identity, const std::filesystem::path& sidecar,
                                       const LockBackendRef& backend);
  /// The entry for `identity` if some FileLock or file operation of this process holds or
  /// waits for it, else null.
  std::shared_ptr<LockEntry> find(const std::filesystem::path& identity);
  /// In a child of fork(): this table's entry for the file of the parent's entry `stale`.
  std::shared_ptr<LockEntry> renew(const LockEntry& stale);

 private:
  std::mutex mutex_;
  std::map<std::filesystem::path, std::weak_ptr<LockEntry>> entries_;
};

/// AlreadyLockedError (immediate timeout) or LockTimeoutError for a wait on `entry` that gave up.
std::exception_ptr lock_unavailable(const LockEntry& entry, LockMode mode, Timeout timeout, const std::string& holder);

/// The entry of `target`'s lock through the backend `options` name (resolving the path and
/// loading the backend's plugin). Throws LockFailedError, PluginNotInstalledError.
std::shared_ptr<LockEntry> lock_entry_for(const std::filesystem::path& target, LockMode mode, Timeout timeout,
                                          const LockOptions& options);

/// Acquires `entry` for the calling thread: the building block of FileLock and the file classes.
/// A stale `entry` (made before a fork()) is replaced by the same file's entry in this process's
/// table, so a file object a forked child inherited takes locks of the child's own.
std::unique_ptr<LockClaim> claim(std::shared_ptr<LockEntry> entry, LockMode mode, Timeout timeout);

}  // namespace atomicio::detail
