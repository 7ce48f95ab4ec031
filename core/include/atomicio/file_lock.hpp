// FileLock: a lock on a file that holds across threads, processes and (later) async tasks.
//
// The inter-process lock lives on a sidecar file `<target>.lock` next to the target resolved as
// open(2) would resolve it (symlinks, `..` after a symlinked directory, fs.protected_symlinks;
// names too long for the suffix get a hashed sidecar name, see sidecar_for), never on the data
// file itself: a commit renames a new inode over the data file, so a lock on
// the old inode would protect nothing. For the advisory backends (ofd, flock, fcntl,
// interprocess) sidecars are created on first use and never removed (deleting a lock file on
// release lets two holders in at once). A sidecar must be a regular file: a FIFO, device,
// directory or symlink at its name is a LockFailedError saying what it is, never a wait. Where
// it cannot be created (a read-only filesystem, a directory the user may not write), the
// LockFailedError carries that cause.
//
// One file, one kind of lock: backends whose locks do not conflict cannot protect a file
// together. ofd, fcntl and interprocess are one family on Linux (OFD and POSIX record locks
// conflict with each other); flock is another; lockfile a third. A sidecar is created holding
// the name of the backend that made it ("atomicio-lock-sidecar 1\nbackend ofd\n"), and a
// process asking for a backend of another family gets a LockFailedError naming both (an empty
// sidecar, made by an older atomicio, is accepted). The default backend is "ofd" everywhere,
// never chosen by what is installed; see LockOptions::backend. The lockfile backend, for filesystems without
// advisory locks, is the exception by design: its sidecar IS the lock — created with O_EXCL
// holding the owner's pid, host and start time, removed on release, broken when the owner is
// provably dead (see plugins/lock/lockfile/README.md).
//
// In front of the OS lock sits an in-process table keyed by the file's identity (its canonical
// path, so `a.json`, `./a.json` and a symlink to it are one lock). The table makes threads
// exclude each other, makes the lock re-entrant for its owning thread (a nested lock of the same
// or weaker mode just counts), and turns a shared-to-exclusive upgrade, which would deadlock,
// into a LockFailedError.
//
// Fairness: inside a process, waiting writers are preferred — once an exclusive request waits,
// new shared requests from other threads queue behind it, so readers cannot starve a writer.
// Between processes the kernel decides, and Linux (ofd, flock, fcntl) grants a shared lock
// while a writer waits: readers in other processes whose holds keep overlapping can starve a
// writer indefinitely. Writers that must make progress under heavy read load should use a
// timeout. (The lockfile backend has no shared mode; every holder is exclusive.)
//
// fork() and exec: a FileLock belongs to the process that took it. A child created by fork()
// starts with an empty in-process table of its own: it holds none of its parent's locks (a
// FileLock it inherited says !owns_lock() there, and its release does nothing), and every lock
// it takes (also through a SafeFile or FileLock object
// it inherited) opens its own sidecar descriptor and waits for its parent like any other
// process. The parent's locks are untouched by the child. A child made by vfork() or a raw
// clone() skips the pthread_atfork handler that does this and must exec (or exit) before
// locking. Sidecar descriptors are opened O_CLOEXEC: exec never carries a lock into another
// program.
//
// Thread-safety: a FileLock object belongs to one thread at a time; it may be moved to another
// thread and released there.
#pragma once

#include <atomicio/export.hpp>
#include <atomicio/lock_mode.hpp>
#include <atomicio/timeout.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atomicio {

class PluginHost;

/// Which inter-process mechanism guards the sidecar.
struct LockOptions {
  /// A backend name ("ofd", "flock", "fcntl", "interprocess", "lockfile", "none"). Empty: the
  /// process default (set_default_lock_backend), else ATOMICIO_LOCK_BACKEND, else "ofd" (a
  /// PluginNotInstalledError naming lock.ofd when it is missing; never another backend chosen
  /// by what is installed). Never a silent downgrade: a named backend that is not installed is
  /// a PluginNotInstalledError, one that fails on the file's filesystem (or whose family does
  /// not match the sidecar's record, see above) a LockFailedError. "none" gives in-process
  /// locking only (threads of one process exclude each other; processes do not).
  std::string backend;
  /// Where lock backend plugins come from; null means PluginHost::global().
  PluginHost* plugins = nullptr;
  /// For backends that detect stale locks (lockfile): how old a lock whose owner cannot be
  /// checked (another host, /proc hidden) must be to count as abandoned; zero never, negative
  /// the backend's default (lockfile: ATOMICIO_LOCKFILE_STALE_SECONDS, else one hour). A lock
  /// whose owner is provably dead on this host is broken at once regardless. Settings apply
  /// when this process first opens the file's sidecar; later locks share that opening.
  std::chrono::seconds stale_after{-1};
};

/// Sets the backend used where LockOptions/FileOptions name none, for the whole process; it
/// takes precedence over ATOMICIO_LOCK_BACKEND. Empty restores ATOMICIO_LOCK_BACKEND, else "ofd". Checked at
/// the next lock (a backend that is not installed fails there). A file object keeps the
/// backend it first locked with.
ATOMICIO_EXPORT void set_default_lock_backend(std::string name);
/// What set_default_lock_backend() set, or empty.
ATOMICIO_EXPORT std::string default_lock_backend();

struct LockBackendInfo {
  std::string name;       ///< "ofd"
  std::string provider;   ///< the plugin id, "lock.ofd"
  bool available = true;  ///< false when the plugin is shadowed, rejected or failed to load
};
/// Every backend named by a lock plugin manifest, without loading anything. Sorted by name.
/// `plugins` null means PluginHost::global().
ATOMICIO_EXPORT std::vector<LockBackendInfo> list_lock_backends(const PluginHost* plugins = nullptr);

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
  /// True while this process holds the lock through this object (false in a forked child for
  /// a lock its parent took).
  bool owns_lock() const noexcept;
  LockMode mode() const noexcept;
  /// The sidecar file the inter-process lock is taken on.
  std::filesystem::path sidecar_path() const;
  /// The backend guarding the sidecar, e.g. "ofd".
  std::string backend() const;

  /// The sidecar used for `target`: `<resolved target>.lock`, or for a name of 251-255 bytes
  /// `<first 200 bytes>.<16 hex digits of FNV-1a-64 of the name>.lock` (README, "Lock files").
  /// Resolves `target` as a lock does; throws LockFailedError where that fails.
  static std::filesystem::path sidecar_for(const std::filesystem::path& target);

  /// Internal: adopts a claim the file classes already took.
  explicit FileLock(std::unique_ptr<detail::LockClaim> claim) noexcept;

 private:
  std::unique_ptr<detail::LockClaim> claim_;
};

}  // namespace atomicio
