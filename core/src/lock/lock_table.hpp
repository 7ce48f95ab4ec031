// The in-process lock table in front of the OS lock. One LockEntry per file identity (the
// resolved target path) per process; every FileLock and SafeFile on that file shares it.
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

struct LockEntry {
  LockEntry(std::filesystem::path target, std::filesystem::path sidecar, LockBackendRef backend);
  ~LockEntry();
  LockEntry(const LockEntry&) = delete;
  LockEntry& operator=(const LockEntry&) = delete;

  /// Takes the lock for `owner`. Throws AlreadyLockedError, LockTimeoutError, LockFailedError.
  void acquire(std::uint64_t owner, LockMode mode, Timeout timeout);
  /// Releases one level of `owner`'s hold. Never throws.
  void release(std::uint64_t owner) noexcept;

  const std::filesystem::path target;
  const std::filesystem::path sidecar;
  const LockBackendRef backend;

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
  static LockTable& instance();
  /// The entry for the file whose resolved path is `identity` (see path/resolved_target.hpp),
  /// locked on `sidecar`, created on first use. Throws LockFailedError when the file is already
  /// locked in this process through a different backend.
  std::shared_ptr<LockEntry> entry_for(const std::filesystem::path& identity, const std::filesystem::path& sidecar,
                                       const LockBackendRef& backend);
  /// The entry for `identity` if some FileLock or file operation of this process holds or
  /// waits for it, else null.
  std::shared_ptr<LockEntry> find(const std::filesystem::path& identity);

 private:
  std::mutex mutex_;
  std::map<std::filesystem::path, std::weak_ptr<LockEntry>> entries_;
};

/// Acquires `entry` for the calling thread: the building block of FileLock and the file classes.
std::unique_ptr<LockClaim> claim(std::shared_ptr<LockEntry> entry, LockMode mode, Timeout timeout);

}  // namespace atomicio::detail
