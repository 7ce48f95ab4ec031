// lock.interprocess: boost::interprocess::file_lock on the sidecar, for applications that
// already lock their files with Boost.Interprocess and must interoperate with it.
//
// On Linux (and every POSIX system) Boost builds file_lock on classic fcntl record locks, so it
// inherits their pitfall: closing any descriptor of the file drops the process's lock, and two
// file_lock objects on one file in one process do not exclude each other. This backend is
// therefore fenced exactly like `fcntl`, through the same RecordLockTable: one file_lock per
// sidecar inode per process, never destroyed while the process holds a lock on the inode.
//
// Boost's file_lock needs an existing file, opens it read-write following symlinks and without
// close-on-exec, and does not reveal its descriptor. The backend therefore creates the sidecar
// itself (O_NOFOLLOW, O_CLOEXEC) and learns its identity from its own descriptor.
#include "record_lock_table.hpp"

#include <atomicio/sdk/lock_backend.hpp>
#include <atomicio/sdk/sidecar_file.hpp>

#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/sync/file_lock.hpp>

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
namespace ipc = boost::interprocess;

OsError os_error(const std::string& what, const ipc::interprocess_exception& error) {
  return OsError(what + ": " + error.what(), error.get_native_error());
}

/// One boost::interprocess::file_lock, i.e. one read-write descriptor of the sidecar.
class FileLockLocker {
 public:
  explicit FileLockLocker(const std::string& path) : lock_(open(path)), path_(path) {}

  bool try_lock(LockMode mode) {
    try {
      return mode == LockMode::shared ? lock_.try_lock_sharable() : lock_.try_lock();
    } catch (const ipc::interprocess_exception& error) {
      throw os_error("cannot lock " + path_, error);
    }
  }

  void lock(LockMode mode) {
    for (;;) {
      try {
        if (mode == LockMode::shared) lock_.lock_sharable();
        else lock_.lock();
        return;
      } catch (const ipc::interprocess_exception& error) {
        // Boost does not retry F_SETLKW when a signal handler interrupts the wait.
        if (error.get_native_error() != EINTR) throw os_error("cannot lock " + path_, error);
      }
    }
  }

  void unlock() {
    try {
      lock_.unlock();
    } catch (const ipc::interprocess_exception& error) {
      throw os_error("cannot unlock " + path_, error);
    }
  }

 private:
  static ipc::file_lock open(const std::string& path) {
    try {
      return ipc::file_lock(path.c_str());
    } catch (const ipc::interprocess_exception& error) {
      throw os_error("cannot open lock file " + path, error);
    }
  }

  ipc::file_lock lock_;
  std::string path_;
};

RecordLockTable<FileLockLocker>& process_table() { return RecordLockTable<FileLockLocker>::of_this_process(); }

class InterprocessBackend final : public atomicio::sdk::LockBackend {
 public:
  std::unique_ptr<Handle> open(const std::string& sidecar_path) override {
    // SidecarFile: a symlink planted at the sidecar's name must not make us create (or Boost
    // lock) a file elsewhere, nor a FIFO or device hang or affect us; it also checks that no
    // backend of another family guards the sidecar.
    atomicio::sdk::SidecarFile sidecar(sidecar_path, "interprocess");
    if (!sidecar.writable())
      throw OsError("cannot open lock file " + sidecar_path + " read-write, which boost::interprocess::file_lock needs",
                    EACCES);
    const int fd = sidecar.release();
    struct stat ours {};
    if (::fstat(fd, &ours) != 0) {
      const int error = errno;
      ::close(fd);  // fstat of an open descriptor fails only on a broken system; nothing to save
      throw OsError("cannot stat lock file " + sidecar_path, error);
    }
    const FileIdentity identity = FileIdentity::of(ours);

    std::unique_ptr<FileLockLocker> locker;
    try {
      locker = std::make_unique<FileLockLocker>(sidecar_path);
    } catch (...) {
      // Our descriptor may share the inode with a lock this process holds: close it safely.
      process_table().retire(identity, nullptr, fd);
      throw;
    }
    // Boost opened the path after us; make sure it found the same file (nothing in atomicio
    // replaces a sidecar, but someone else might have).
    struct stat now {};
    const int found = ::lstat(sidecar_path.c_str(), &now);
    if (found != 0 || FileIdentity::of(now) != identity) {
      const int error = found != 0 ? errno : ESTALE;
      process_table().retire(FileIdentity::of(now), std::move(locker));
      process_table().retire(identity, nullptr, fd);
      throw OsError("lock file " + sidecar_path + " was replaced while it was being opened", error);
    }
    // The spare descriptor is closed once that cannot drop a lock of this process.
    return process_table().adopt(identity, std::move(locker), sidecar_path, fd);
  }

  bool lock(Handle& handle, LockMode mode, std::chrono::nanoseconds timeout) override {
    return process_table().lock(static_cast<RecordLockTable<FileLockLocker>::Handle&>(handle), mode, timeout);
  }

  void unlock(Handle& handle) override {
    process_table().unlock(static_cast<RecordLockTable<FileLockLocker>::Handle&>(handle));
  }
};

}  // namespace

ATOMICIO_LOCK_BACKEND_PLUGIN(InterprocessBackend)
