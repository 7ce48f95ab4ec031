// The open descriptor of a sidecar lock file, for backends that lock through a descriptor
// (ofd, flock, fcntl, interprocess), and the record that says which backend guards a sidecar.
// The sidecar is shared by every process that locks the data file, so it is never truncated,
// never followed through a symlink, and never removed.
//
// The record: a sidecar is created already holding "atomicio-lock-sidecar 1\nbackend NAME\n"
// (written to an unnamed or hidden temp in the same directory, then linked to the sidecar's
// name, so nobody ever sees it half-written). A process that asks for a backend of another
// family (one whose locks do not conflict with the recorded one's) is refused. On Linux ofd,
// fcntl and interprocess are one family (OFD and POSIX record locks conflict with each other);
// flock is another; lockfile, whose sidecar is the lock itself ("atomicio-lockfile 1 ..."),
// a third. An empty sidecar (made by an older atomicio) or one of unknown content is accepted.
#pragma once

#include <atomicio/sdk/errors.hpp>
#include <atomicio/sdk/file_type.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// The group of backends whose locks exclude each other; every other backend has its own.
inline std::string_view lock_family_of(std::string_view backend) noexcept {
  if (backend == "ofd" || backend == "fcntl" || backend == "interprocess") return "ofd/fcntl/interprocess";
  return backend;
}

inline constexpr std::string_view kSidecarRecordMagic = "atomicio-lock-sidecar 1\n";
inline constexpr std::string_view kLockfileRecordMagic = "atomicio-lockfile ";

/// The backend a sidecar's content names: "lockfile" for a lock file of that backend, the
/// recorded backend for a sidecar record, "" when it names none (empty, or unknown content).
inline std::string sidecar_guardian(std::string_view content) {
  if (content.starts_with(kLockfileRecordMagic)) return "lockfile";
  if (!content.starts_with(kSidecarRecordMagic)) return {};
  std::string_view rest = content.substr(kSidecarRecordMagic.size());
  if (!rest.starts_with("backend ")) return {};
  rest.remove_prefix(8);
  return std::string(rest.substr(0, rest.find('\n')));
}

/// "" when a sidecar guarded by `guardian` (see sidecar_guardian) may be locked by `backend`;
/// else the message of the refusal, naming both.
inline std::string sidecar_mismatch(const std::string& path, const std::string& guardian, std::string_view backend) {
  if (guardian.empty() || lock_family_of(guardian) == lock_family_of(backend)) return {};
  return "lock file " + path + " is guarded by the '" + guardian + "' lock backend, whose locks the '" +
         std::string(backend) + "' backend asked for here would not exclude; use one backend for a file in every process";
}

class SidecarFile {
 public:
  /// Opens `path` read-write, creating it (mode 0666 minus umask) holding the record of
  /// `backend` (no record when empty) if missing. Someone else's read-only sidecar, or one on a
  /// read-only filesystem, is opened read-only instead: shared locks still work there. Never
  /// blocks: O_NONBLOCK, and anything but a regular file is refused before and after opening.
  /// O_NOFOLLOW: a symlink planted at the sidecar's name must not make us create or lock a file
  /// elsewhere. O_CLOEXEC: a program the application execs does not inherit the descriptor
  /// (and with it, for ofd and flock, the lock). Throws OsError: with the cause of the failed
  /// creation (EROFS, EACCES) when the sidecar is missing and cannot be made; when it is not a
  /// regular file; when it is guarded by a backend of another family.
  explicit SidecarFile(std::string path, std::string_view backend = {}) : path_(std::move(path)) {
    // A few rounds: a lockfile backend's sidecar comes and goes.
    for (int round = 0; fd_ < 0; ++round) {
      refuse_unless_regular_at_path();
      if (open_existing()) break;
      if (errno != ENOENT || round == 3) throw OsError("cannot open lock file " + path_, errno);
      if (create(backend)) break;
    }
    struct stat info {};
    if (::fstat(fd_, &info) != 0) fail("cannot stat lock file " + path_, errno);
    if (!S_ISREG(info.st_mode)) fail(not_regular_message(info.st_mode), EINVAL);
    if (!backend.empty()) {
      char content[256];
      ssize_t n;
      do {
        n = ::pread(fd_, content, sizeof content, 0);
      } while (n < 0 && errno == EINTR);
      // An unreadable record (a write-only sidecar) says nothing; it is not refused.
      if (n > 0) {
        std::string refusal = sidecar_mismatch(path_, sidecar_guardian(std::string_view(content, static_cast<std::size_t>(n))), backend);
        if (!refusal.empty()) fail(refusal, 0);
      }
    }
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
  /// Gives up ownership of the descriptor, which the caller must close.
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  static constexpr int kOpenFlags = O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

  [[noreturn]] void fail(const std::string& message, int error) {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    throw OsError(message, error);
  }

  std::string not_regular_message(mode_t mode) const {
    return "lock file " + path_ + " is " + describe_file_type(mode) + ", not a regular file; refusing to use it";
  }

  // Checked before opening, so that a device planted at the name is not even opened (opening
  // some devices has effects); fstat after opening closes the race.
  void refuse_unless_regular_at_path() const {
    struct stat info {};
    if (::lstat(path_.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
      throw OsError(not_regular_message(info.st_mode), S_ISLNK(info.st_mode) ? ELOOP : EINVAL);
  }

  // True when open; else errno says why.
  bool open_existing() {
    fd_ = ::open(path_.c_str(), O_RDWR | kOpenFlags);
    if (fd_ < 0 && (errno == EACCES || errno == EROFS)) {
      const int first = errno;
      fd_ = ::open(path_.c_str(), O_RDONLY | kOpenFlags);
      writable_ = false;
      if (fd_ < 0 && errno == ENOENT) errno = first;  // gone meanwhile: report why we could not write it
    }
    return fd_ >= 0;
  }

  // Creates the sidecar holding `backend`'s record. True when this call made it (fd_ is then
  // its descriptor); false with errno EEXIST when someone else did first; throws otherwise,
  // with the cause of the creation's failure.
  bool create(std::string_view backend) {
    const auto slash = path_.rfind('/');
    const std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
    // An unnamed temp leaves nothing behind if we die before linking it.
    int temp = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    if (temp >= 0 && !write_record(temp, backend)) fail_create(temp, {}, errno);
    if (temp >= 0) {
      const std::string proc_path = "/proc/self/fd/" + std::to_string(temp);
      if (::linkat(AT_FDCWD, proc_path.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) == 0) return adopt(temp);
      if (errno == EEXIST) return give_up(temp, {});
      if (::access("/proc/self/fd", F_OK) == 0) fail_create(temp, {}, errno);
      ::close(temp);  // no /proc: link a named temp instead
      temp = -1;
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      fail_create(-1, {}, errno);
    }
    thread_local std::mt19937_64 random(std::random_device{}());
    const std::string temp_name = directory + "/.atomicio-sidecar." + std::to_string(::getpid()) + "." + std::to_string(random()) + ".tmp";
    temp = ::open(temp_name.c_str(), O_RDWR | O_CREAT | O_EXCL | kOpenFlags, 0666);
    if (temp < 0) fail_create(-1, {}, errno);
    if (!write_record(temp, backend)) fail_create(temp, temp_name, errno);
    if (::link(temp_name.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST) return give_up(temp, temp_name);
      fail_create(temp, temp_name, errno);
    }
    ::unlink(temp_name.c_str());  // the sidecar's name now holds the inode
    return adopt(temp);
  }

  static bool write_record(int fd, std::string_view backend) {
    if (backend.empty()) return true;
    const std::string record = std::string(kSidecarRecordMagic) + "backend " + std::string(backend) + "\n";
    std::size_t written = 0;
    while (written < record.size()) {
      ssize_t n = ::write(fd, record.data() + written, record.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = ENOSPC;
        return false;
      }
      written += static_cast<std::size_t>(n);
    }
    return true;
  }

  bool adopt(int fd) {
    fd_ = fd;
    writable_ = true;
    return true;
  }

  static bool give_up(int temp, const std::string& temp_name) {
    ::close(temp);
    if (!temp_name.empty()) ::unlink(temp_name.c_str());
    errno = EEXIST;
    return false;
  }

  [[noreturn]] void fail_create(int temp, const std::string& temp_name, int error) {
    if (temp >= 0) ::close(temp);
    if (!temp_name.empty()) ::unlink(temp_name.c_str());
    throw OsError("cannot create lock file " + path_, error);
  }

  int fd_ = -1;
  bool writable_ = true;
  std::string path_;
};

}  // namespace abi_v1
}  // namespace atomicio::sdk
