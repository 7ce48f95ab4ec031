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
// Lock order: LockTable::mutex_ before LockEntry::mutex. The backend's blocking lock() is
// called with no mutex held (os_in_progress keeps others out meanwhile); its non-blocking
// unlock() is called under LockEntry::mutex.
#pragma once

#include "lock/lock_backend.hpp"

#include <atomicio/file_lock.hpp>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace atomicio::detail {

/// Who holds a lock: by default the calling thread. Re-entrancy is keyed to it.
std::uint64_t current_lock_owner() noexcept;

/// How many fork()s lie between the first process that used the lock table and this one.
std::uint64_t fork_generation() noexcept;

struct LockEntry {
  LockEntry(std::filesystem::path target, std::filesystem::path sidecar, LockBackendRef backend);
  ~LockEntry();
  LockEntry(const LockEntry&) = delete;
  LockEntry& operator=(const LockEntry&) = delete;

  /// Takes the lock for `owner`. Throws AlreadyLockedError, LockTimeoutError, LockFailedError.
  void acquire(std::uint64_t owner, LockMode mode, Timeout timeout);
  /// Releases one level of `owner`'s hold. Never throws; does nothing on a stale entry.
  void release(std::uint64_t owner) noexcept;
  /// True in a child of fork() for an entry its parent made: the child must not use it.
  bool stale() const noexcept { return generation != fork_generation(); }

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
  bool can_enter(LockMode mode) const;
  void take_os_lock(std::unique_lock<std::mutex>& held, LockMode mode, Timeout timeout,
                    std::chrono::steady_clock::time_point deadline);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Holder> holders_;
  unsigned exclusive_waiters_ = 0;
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

/// Acquires `entry` for the calling thread: the building block of FileLock and the file classes.
/// A stale `entry` (made before a fork()) is replaced by the same file's entry in this process's
/// table, so a file object a forked child inherited takes locks of the child's own.
std::unique_ptr<LockClaim> claim(std::shared_ptr<LockEntry> entry, LockMode mode, Timeout timeout);

}  // namespace atomicio::detail
