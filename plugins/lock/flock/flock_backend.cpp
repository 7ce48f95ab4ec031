// lock.flock: BSD flock(2) locks on the sidecar.
//
// A flock lock belongs to the open file description, so closing some other descriptor of the
// sidecar does not drop it and two opens in one process exclude each other. flock(2) has no
// timed form: bounded waits poll LOCK_NB with the SDK's backoff, unbounded waits block in the
// kernel.
//
// After fork() the child shares the parent's open file description and with it the lock, so a
// LOCK_UN issued by the child would release the parent's lock too. The handle remembers which
// process locked it and makes an unlock from any other process a no-op: the child's copy of a
// held lock is inert, and the parent's lock lasts until the parent releases it.
#include <atomicio/sdk/lock_backend.hpp>
#include <atomicio/sdk/process_id.hpp>
#include <atomicio/sdk/sidecar_file.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace {

using atomicio::sdk::LockMode;
using atomicio::sdk::OsError;

class FlockHandle final : public atomicio::sdk::LockBackend::Handle {
 public:
  explicit FlockHandle(std::string path) : sidecar_(std::move(path), "flock") {}

  int fd() const { return sidecar_.fd(); }
  const std::string& path() const { return sidecar_.path(); }
  /// The process that took the lock, 0 when not locked.
  pid_t locked_by = 0;

 private:
  // Closing drops the lock only when no other descriptor (say, a forked child's) still refers
  // to the description; that is exactly the semantics wanted.
  atomicio::sdk::SidecarFile sidecar_;
};

std::string explain(const std::string& what, const std::string& path, int error) {
  std::string message = what + " " + path;
  // A filesystem that has no flock support (some FUSE and network filesystems) must not look
  // like an ordinary failure: the caller should pick another backend.
  if (error == ENOLCK || error == EOPNOTSUPP || error == ENOSYS)
    message += " (this filesystem does not support flock locks; try the 'fcntl' or 'lockfile' backend)";
  return message;
}

class FlockBackend final : public atomicio::sdk::LockBackend {
 public:
  std::unique_ptr<Handle> open(const std::string& sidecar_path) override {
    // flock needs no write access, so a read-only sidecar still locks both ways (except on
    // NFS, where flock is emulated with fcntl locks; see README.md).
    return std::make_unique<FlockHandle>(sidecar_path);
  }

  bool lock(Handle& base, LockMode mode, std::chrono::nanoseconds timeout) override {
    auto& handle = static_cast<FlockHandle&>(base);
    const int operation = mode == LockMode::shared ? LOCK_SH : LOCK_EX;
    bool locked = timeout.count() < 0
                      ? call_flock(handle, operation)
                      : atomicio::sdk::poll_until(timeout, [&] { return call_flock(handle, operation | LOCK_NB); });
    if (locked) handle.locked_by = atomicio::sdk::current_process_id();
    return locked;
  }

  void unlock(Handle& base) override {
    auto& handle = static_cast<FlockHandle&>(base);
    // A child after fork() holds a copy of the parent's handle; its LOCK_UN would release the
    // lock shared through the open file description, which still belongs to the parent.
    if (handle.locked_by != atomicio::sdk::current_process_id()) return;
    handle.locked_by = 0;
    if (::flock(handle.fd(), LOCK_UN) != 0) throw OsError(explain("cannot unlock", handle.path(), errno), errno);
  }

 private:
  // True when locked; false when LOCK_NB found the lock held. Throws on any other failure.
  static bool call_flock(const FlockHandle& handle, int operation) {
    int result;
    do {
      result = ::flock(handle.fd(), operation);
    } while (result != 0 && errno == EINTR);
    if (result == 0) return true;
    if ((operation & LOCK_NB) != 0 && errno == EWOULDBLOCK) return false;
    throw OsError(explain("cannot lock", handle.path(), errno), errno);
  }
};

}  // namespace

ATOMICIO_LOCK_BACKEND_PLUGIN(FlockBackend)
