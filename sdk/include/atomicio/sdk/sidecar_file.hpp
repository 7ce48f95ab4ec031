// The open descriptor of a sidecar lock file, for backends that lock through a descriptor
// (ofd, flock, fcntl). The sidecar is shared by every process that locks the data file, so it
// is created empty, never truncated, never followed through a symlink, and never removed.
#pragma once

#include <atomicio/sdk/errors.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

namespace atomicio::sdk {
inline namespace abi_v1 {

class SidecarFile {
 public:
  /// Opens `path` read-write, creating it (mode 0666 minus umask) if missing. Someone else's
  /// read-only sidecar, or one on a read-only filesystem, is opened read-only instead: shared
  /// locks still work there. O_NOFOLLOW: a symlink planted at the sidecar's name must not make
  /// us create or lock a file elsewhere. O_CLOEXEC: a program the application execs does not
  /// inherit the descriptor (and with it, for ofd and flock, the lock). Throws OsError.
  explicit SidecarFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd_ < 0 && (errno == EACCES || errno == EROFS)) {
      writable_ = false;
      fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd_ < 0) throw OsError("cannot open lock file " + path_, errno);
  }
  ~SidecarFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  SidecarFile(SidecarFile&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), writable_(other.writable_), path_(std::move(other.path_)) {}
  SidecarFile& operator=(SidecarFile&&) = delete;
  SidecarFile(const SidecarFile&) = delete;
  SidecarFile& operator=(const SidecarFile&) = delete;

  int fd() const noexcept { return fd_; }
  /// False when only a read-only descriptor could be had.
  bool writable() const noexcept { return writable_; }
  const std::string& path() const noexcept { return path_; }

 private:
  int fd_ = -1;
  bool writable_ = true;
  std::string path_;
};

}  // namespace abi_v1
}  // namespace atomicio::sdk
