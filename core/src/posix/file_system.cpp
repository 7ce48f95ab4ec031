// The real FileSystem: thin wrappers over the system calls, with EINTR retried where that is
// correct (never for close()).
#include "posix/file_system.hpp"

#include "posix/unique_fd.hpp"

#include "atomicio_config.h"

#include <attr/error_context.h>
#include <attr/libattr.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
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

// attr_copy_fd reports failures through this context. It passes the attribute's name to the
// filter before each copy, so the filter remembers it for the error callback (which is only
// given a printf format).
struct XattrCopyContext {
  error_context base;  // first member: libattr hands us back a pointer to it
  std::string current;
  std::vector<XattrFailure>* failures;
};

void record_xattr_failure(error_context* context, const char*, ...) {
  auto* self = reinterpret_cast<XattrCopyContext*>(context);
  self->failures->push_back({self->current, errno});
}

int keep_unless_configured_skip(const char* name, error_context* context) {
  auto* self = reinterpret_cast<XattrCopyContext*>(context);
  self->current = name;
  // Unlike attr_copy_fd's default filter we keep the "permissions" class too: those are the
  // POSIX and NFSv4 ACLs, which coreutils copies separately and we copy here.
  return attr_copy_action(name, nullptr) != ATTR_ACTION_SKIP;
}

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

int FileSystem::lock_file(int fd, int operation) {
  return retry_on_eintr([&] { return ::flock(fd, operation); });
}
int FileSystem::stat_x(int dir_fd, const char* path, int flags, unsigned int mask, struct statx* out) {
  return ::statx(dir_fd, path, flags, mask, out);
}
int FileSystem::read_directory(int dir_fd, long* position,
                               const std::function<bool(std::string_view)>& visit) {
  int listing_fd = retry_on_eintr([&] { return ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (listing_fd < 0) return -1;
  DIR* listing = ::fdopendir(listing_fd);
  if (listing == nullptr) {
    ::close(listing_fd);
    return -1;
  }
  if (*position != 0) ::seekdir(listing, *position);
  int result = 0;
  long next = 0;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(listing);
    if (entry == nullptr) {
      if (errno != 0) result = -1;
      break;
    }
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    if (!visit(name)) {
      next = ::telldir(listing);
      break;
    }
  }
  const int saved = errno;
  ::closedir(listing);
  *position = next < 0 ? 0 : next;
  errno = saved;
  return result;
}
int FileSystem::copy_xattrs(int source, int destination, std::vector<XattrFailure>& failures) {
  XattrCopyContext context{{&record_xattr_failure, nullptr, nullptr}, {}, &failures};
  const std::size_t before = failures.size();
  ::attr_copy_fd("", source, "", destination, &keep_unless_configured_skip, &context.base);
  return failures.size() == before ? 0 : -1;
}

int FileSystem::remove_xattr(int fd, const char* name) { return ::fremovexattr(fd, name); }

FileSystem& file_system() noexcept {
  FileSystem* installed = current.load(std::memory_order_acquire);
  return installed != nullptr ? *installed : real_file_system();
}

ScopedFileSystem::ScopedFileSystem(FileSystem& replacement) noexcept
    : previous_(current.exchange(&replacement, std::memory_order_acq_rel)) {}

ScopedFileSystem::~ScopedFileSystem() { current.store(previous_, std::memory_order_release); }

}  // namespace atomicio::detail
