// The real FileSystem: thin wrappers over the system calls, with EINTR retried where that is
// correct (never for close()).
#include "posix/file_system.hpp"

#include "posix/unique_fd.hpp"

#include "atomicio_config.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace atomicio::detail {

namespace {

template <class Call>
auto retry_on_eintr(Call&& call) {
  for (;;) {
    auto result = call();
    if (result != -1 || errno != EINTR) return result;
  }
}

FileSystem& real_file_system() noexcept {
  static FileSystem real;
  return real;
}

std::atomic<FileSystem*> current{nullptr};

}  // namespace

void UniqueFd::reset(int fd) noexcept {
  // Not retried on EINTR: the descriptor is released either way (see close(2), "Dealing with
  // error returns from close()").
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

FileSystem::~FileSystem() = default;

int FileSystem::open_at(int dir_fd, const char* path, int flags, mode_t mode) {
  return retry_on_eintr([&] { return ::openat(dir_fd, path, flags, mode); });
}
ssize_t FileSystem::read(int fd, void* buffer, std::size_t size) {
  return retry_on_eintr([&] { return ::read(fd, buffer, size); });
}
ssize_t FileSystem::write(int fd, const void* data, std::size_t size) {
  return retry_on_eintr([&] { return ::write(fd, data, size); });
}
int FileSystem::fsync(int fd) {
  return retry_on_eintr([&] { return ::fsync(fd); });
}
int FileSystem::fstat(int fd, struct stat* out) { return ::fstat(fd, out); }
int FileSystem::fstat_at(int dir_fd, const char* path, struct stat* out, int flags) {
  return ::fstatat(dir_fd, path, out, flags);
}
int FileSystem::fchmod(int fd, mode_t mode) { return ::fchmod(fd, mode); }
int FileSystem::fchown(int fd, uid_t owner, gid_t group) { return ::fchown(fd, owner, group); }
int FileSystem::link_at(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path,
                        int flags) {
  return ::linkat(old_dir_fd, old_path, new_dir_fd, new_path, flags);
}
int FileSystem::rename_at(int old_dir_fd, const char* old_path, int new_dir_fd,
                          const char* new_path) {
  return ::renameat(old_dir_fd, old_path, new_dir_fd, new_path);
}
int FileSystem::unlink_at(int dir_fd, const char* path, int flags) {
  return ::unlinkat(dir_fd, path, flags);
}
ssize_t FileSystem::read_link_at(int dir_fd, const char* path, char* buffer, std::size_t size) {
  return ::readlinkat(dir_fd, path, buffer, size);
}
int FileSystem::clone_file(int destination, int source) {
#if ATOMICIO_HAVE_FICLONE
  return retry_on_eintr([&] { return ::ioctl(destination, FICLONE, source); });
#else
  (void)destination, (void)source;
  errno = EOPNOTSUPP;  // callers fall back to copying
  return -1;
#endif
}
ssize_t FileSystem::copy_file_range(int source, int destination, std::size_t size) {
#if ATOMICIO_HAVE_COPY_FILE_RANGE
  return retry_on_eintr(
      [&] { return ::copy_file_range(source, nullptr, destination, nullptr, size, 0); });
#else
  (void)source, (void)destination, (void)size;
  errno = ENOSYS;  // callers fall back to read/write
  return -1;
#endif
}
long FileSystem::filesystem_type(int fd) {
  struct statfs info {};
  if (::fstatfs(fd, &info) != 0) return -1;
  return static_cast<long>(info.f_type);
}

FileSystem& file_system() noexcept {
  FileSystem* installed = current.load(std::memory_order_acquire);
  return installed != nullptr ? *installed : real_file_system();
}

ScopedFileSystem::ScopedFileSystem(FileSystem& replacement) noexcept
    : previous_(current.exchange(&replacement, std::memory_order_acq_rel)) {}

ScopedFileSystem::~ScopedFileSystem() { current.store(previous_, std::memory_order_release); }

}  // namespace atomicio::detail
