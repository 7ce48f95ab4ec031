// lock.fcntl: classic POSIX record locks (F_SETLK / F_SETLKW) on the whole sidecar.
//
// The one lock kind that NFS carries to the server on every client and kernel (NLM for NFSv3,
// the protocol's own locks for NFSv4), which is why it exists next to `ofd`. Record locks
// belong to the process, not the descriptor, and vanish when the process closes any
// descriptor of the file; RecordLockTable fences that by keeping one descriptor per sidecar
// inode per process and never closing a descriptor of an inode the process has locked.
//
// fcntl locks are not inherited across fork(): a child holds nothing, and its unlock (a
// F_UNLCK on a range it does not hold) changes nothing for the parent. exec keeps a process's
// record locks, but the sidecar descriptor is O_CLOEXEC and its closing at exec drops them.
#include "record_lock_table.hpp"

#include <atomicio/sdk/lock_backend.hpp>
#include <atomicio/sdk/sidecar_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace {

using atomicio::record_locks::FileIdentity;
using atomicio::record_locks::RecordLockTable;
using atomicio::sdk::LockMode;
using atomicio::sdk::OsError;

std::string explain(const std::string& what, const std::string& path, int error) {
  std::string message = what + " " + path;
  if (error == ENOLCK)
    message += " (no lock available: on NFS the lock service (rpc.statd/lockd) may be missing, or the mount uses 'nolock')";
  else if (error == EDEADLK)
    message += " (the kernel found that waiting would deadlock with a lock this process holds elsewhere)";
  return message;
}

/// One open descriptor of a sidecar, locked with whole-file record locks.
class FdLocker {
 public:
  explicit FdLocker(atomicio::sdk::SidecarFile sidecar) : sidecar_(std::move(sidecar)) {}

  bool try_lock(LockMode mode) { return request(mode == LockMode::shared ? F_RDLCK : F_WRLCK, F_SETLK); }
  void lock(LockMode mode) { request(mode == LockMode::shared ? F_RDLCK : F_WRLCK, F_SETLKW); }
  void unlock() {
    if (!request(F_UNLCK, F_SETLK)) throw OsError("cannot unlock " + sidecar_.path(), EAGAIN);
  }

 private:
  // True when granted, false when F_SETLK found a conflicting lock; throws otherwise.
  bool request(short type, int command) {
    struct flock range {};
    range.l_type = type;
    range.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file, however long it grows
    int result;
    do {
      result = ::fcntl(sidecar_.fd(), command, &range);
    } while (result != 0 && errno == EINTR);
    if (result == 0) return true;
    // POSIX allows either errno for "held by someone else".
    if (command == F_SETLK && (errno == EAGAIN || errno == EACCES)) return false;
    if (errno == EBADF && type == F_WRLCK && !sidecar_.writable())
      throw OsError("cannot take an exclusive lock on " + sidecar_.path() +
                        ": this process may only open it read-only, and a write lock needs a writable descriptor",
                    EBADF);
    throw OsError(explain(type == F_UNLCK ? "cannot unlock" : "cannot lock", sidecar_.path(), errno), errno);
  }

  atomicio::sdk::SidecarFile sidecar_;
};

RecordLockTable<FdLocker>& process_table() { return RecordLockTable<FdLocker>::of_this_process(); }

class FcntlBackend final : public atomicio::sdk::LockBackend {
 public:
  std::unique_ptr<Handle> open(const std::string& sidecar_path) override {
    atomicio::sdk::SidecarFile sidecar(sidecar_path, "fcntl");
    struct stat info {};
    if (::fstat(sidecar.fd(), &info) != 0) throw OsError("cannot stat lock file " + sidecar_path, errno);
    auto locker = std::make_unique<FdLocker>(std::move(sidecar));
    // If this process already has the inode open, the new descriptor joins the table's list
    // of descriptors to close later: closing it now could drop a lock held through the other.
    return process_table().adopt(FileIdentity::of(info), std::move(locker), sidecar_path);
  }

  bool lock(Handle& handle, LockMode mode, std::chrono::nanoseconds timeout) override {
    return process_table().lock(static_cast<RecordLockTable<FdLocker>::Handle&>(handle), mode, timeout);
  }

  void unlock(Handle& handle) override {
    process_table().unlock(static_cast<RecordLockTable<FdLocker>::Handle&>(handle));
  }
};

}  // namespace

ATOMICIO_LOCK_BACKEND_PLUGIN(FcntlBackend)
