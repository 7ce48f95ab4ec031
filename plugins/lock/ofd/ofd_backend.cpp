// lock.ofd: Linux open-file-description locks on the sidecar.
//
// OFD locks belong to the open file description, not the process, so unlike classic fcntl
// locks they are not dropped when some other descriptor of the file is closed, and two
// descriptors in one process do exclude each other. Kernels before 3.15 lack them (fcntl fails
// with EINVAL); this backend then uses flock(2), which has the same per-description semantics
// on local filesystems.
//
// fork(): a child shares the parent's open file description and with it the lock, so an unlock
// from the child would free the parent's lock too. The handle remembers which process locked
// it and ignores unlocks from any other; the description (and the lock) lives on until the
// last process holding it closes its descriptor or the parent unlocks. exec closes the
// descriptor (O_CLOEXEC).
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

class OfdHandle final : public atomicio::sdk::LockBackend::Handle {
 public:
  explicit OfdHandle(std::string path) : sidecar_(std::move(path), "ofd") {}

  int fd() const { return sidecar_.fd(); }
  const std::string& path() const { return sidecar_.path(); }
  bool use_flock = false;
  pid_t locked_by = 0;  ///< the process that took the lock, 0 when unlocked

 private:
  atomicio::sdk::SidecarFile sidecar_;
};

int retry_on_eintr(int result_of_call, auto&& call) {
  while (result_of_call == -1 && errno == EINTR) result_of_call = call();
  return result_of_call;
}

class OfdBackend final : public atomicio::sdk::LockBackend {
 public:
  std::unique_ptr<Handle> open(const std::string& sidecar_path) override {
    return std::make_unique<OfdHandle>(sidecar_path);
  }

  bool lock(Handle& base, LockMode mode, std::chrono::nanoseconds timeout) override {
    auto& handle = static_cast<OfdHandle&>(base);
    bool locked = timeout.count() < 0 ? try_lock(handle, mode, true)
                                      : atomicio::sdk::poll_until(timeout, [&] { return try_lock(handle, mode, false); });
    if (locked) handle.locked_by = atomicio::sdk::current_process_id();
    return locked;
  }

  void unlock(Handle& base) override {
    auto& handle = static_cast<OfdHandle&>(base);
    if (handle.locked_by != atomicio::sdk::current_process_id()) return;  // a forked child's copy: the lock is the parent's
    handle.locked_by = 0;
    int result = handle.use_flock ? ::flock(handle.fd(), LOCK_UN) : set_lock(handle.fd(), F_UNLCK, F_OFD_SETLK);
    if (result != 0) throw OsError("cannot unlock " + handle.path(), errno);
  }

 private:
  static int set_lock(int fd, short type, int command) {
    struct flock request {};
    request.l_type = type;
    request.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file; l_pid must be 0
    return ::fcntl(fd, command, &request);
  }

  // Returns true when locked, false when held elsewhere (only when !wait); throws otherwise.
  static bool try_lock(OfdHandle& handle, LockMode mode, bool wait) {
    if (!handle.use_flock) {
      short type = mode == LockMode::shared ? F_RDLCK : F_WRLCK;
      int command = wait ? F_OFD_SETLKW : F_OFD_SETLK;
      int result = retry_on_eintr(set_lock(handle.fd(), type, command), [&] { return set_lock(handle.fd(), type, command); });
      if (result == 0) return true;
      if (!wait && (errno == EAGAIN || errno == EACCES)) return false;
      // A read-only sidecar cannot take a write lock. flock(2) could, but Linux keeps flock and
      // OFD locks apart: this process's flock would not exclude another's OFD lock.
      if (errno == EBADF && type == F_WRLCK)
        throw OsError("cannot take an exclusive lock on " + handle.path() +
                          ": this process may only open it read-only, and an OFD write lock needs a writable descriptor",
                      EBADF);
      // EINVAL: no OFD locks in this kernel, so no process uses them here and flock(2) is safe.
      if (errno != EINVAL) throw OsError("cannot lock " + handle.path(), errno);
      handle.use_flock = true;
    }
    int operation = (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
    int result = retry_on_eintr(::flock(handle.fd(), operation), [&] { return ::flock(handle.fd(), operation); });
    if (result == 0) return true;
    if (!wait && errno == EWOULDBLOCK) return false;
    throw OsError("cannot lock " + handle.path(), errno);
  }
};

}  // namespace

ATOMICIO_LOCK_BACKEND_PLUGIN(OfdBackend)
