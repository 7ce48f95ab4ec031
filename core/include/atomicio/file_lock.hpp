// FileLock: a lock on a file that holds across threads, processes and (later) async tasks.
//
// The inter-process lock lives on a sidecar file `<target>.lock` next to the resolved target,
// never on the data file itself: a commit renames a new inode over the data file, so a lock on
// the old inode would protect nothing. Sidecars are created on first use and never removed
// (deleting a lock file on release lets two holders in at once); they are empty.
//
// In front of the OS lock sits an in-process table keyed by the file's identity (its canonical
// path, so `a.json`, `./a.json` and a symlink to it are one lock). The table makes threads
// exclude each other, makes the lock re-entrant for its owning thread (a nested lock of the same
// or weaker mode just counts), and turns a shared-to-exclusive upgrade, which would deadlock,
// into a LockFailedError. Waiting writers are preferred: once an exclusive request waits, new
// shared requests from other threads queue behind it.
//
// Thread-safety: a FileLock object belongs to one thread at a time; it may be moved to another
// thread and released there.
#pragma once

#include <atomicio/export.hpp>
#include <atomicio/timeout.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace atomicio {

class PluginHost;

enum class LockMode { exclusive, shared };

/// Which inter-process mechanism guards the sidecar.
struct LockOptions {
  /// A backend name ("ofd", "none", ...). Empty: ATOMICIO_LOCK_BACKEND if set, else the first
  /// installed of ofd, flock, lockfile. Never a silent downgrade: a named backend that is not
  /// installed is a PluginNotInstalledError. "none" gives in-process locking only.
  std::string backend;
  /// Where lock backend plugins come from; null means PluginHost::global().
  PluginHost* plugins = nullptr;
};

namespace detail {
class LockTable;
struct LockEntry;
struct LockClaim;
}  // namespace detail

class ATOMICIO_EXPORT FileLock {
 public:
  /// Acquires `target`'s lock in `mode`, waiting up to `timeout`. Throws AlreadyLockedError
  /// (immediate timeout, lock held), LockTimeoutError (limit reached), LockFailedError (OS error,
  /// or an upgrade that would deadlock) or PluginNotInstalledError (no usable backend).
  explicit FileLock(const std::filesystem::path& target, LockMode mode = LockMode::exclusive,
                    Timeout timeout = Timeout::infinite(), const LockOptions& options = {});

  /// The non-throwing form for the expected outcome: nullopt when the lock is held elsewhere.
  /// Other failures still throw.
  static std::optional<FileLock> try_lock(const std::filesystem::path& target,
                                          LockMode mode = LockMode::exclusive,
                                          const LockOptions& options = {});

  FileLock(FileLock&&) noexcept;
  FileLock& operator=(FileLock&&) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  /// Releases the lock if still held. Never throws.
  ~FileLock();

  /// Releases the lock now. Idempotent; never throws.
  void unlock() noexcept;
  bool owns_lock() const noexcept;
  LockMode mode() const noexcept;
  /// The sidecar file the inter-process lock is taken on.
  std::filesystem::path sidecar_path() const;
  /// The backend guarding the sidecar, e.g. "ofd".
  std::string backend() const;

  /// The sidecar used for `target`: `<resolved target>.lock`.
  static std::filesystem::path sidecar_for(const std::filesystem::path& target);

  /// Internal: adopts a claim the file classes already took.
  explicit FileLock(std::unique_ptr<detail::LockClaim> claim) noexcept;

 private:
  std::unique_ptr<detail::LockClaim> claim_;
};

}  // namespace atomicio
