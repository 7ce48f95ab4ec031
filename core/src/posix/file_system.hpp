// The narrow file-system interface every OS call of the commit engine goes through, so tests
// can inject faults (EIO on fsync, ENOSPC on write, a failing rename) that a real filesystem
// produces only rarely. Methods have POSIX semantics: -1 and errno on failure. EINTR is retried
// here, once, for every call where retrying is correct.
//
// Thread-safety: the real implementation is stateless. An override installed with
// ScopedFileSystem applies to the whole process; tests install it while no other thread commits.
#pragma once

#include <atomicio/export.hpp>

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>

namespace atomicio::detail {

class ATOMICIO_EXPORT FileSystem {
 public:
  virtual ~FileSystem();
  virtual int open_at(int dir_fd, const char* path, int flags, mode_t mode);
  virtual ssize_t read(int fd, void* buffer, std::size_t size);
  /// One write(2); callers loop for short writes.
  virtual ssize_t write(int fd, const void* data, std::size_t size);
  virtual int fsync(int fd);
  virtual int fstat(int fd, struct stat* out);
  virtual int fstat_at(int dir_fd, const char* path, struct stat* out, int flags);
  virtual int fchmod(int fd, mode_t mode);
  virtual int fchown(int fd, uid_t owner, gid_t group);
  virtual int link_at(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path,
                      int flags);
  virtual int rename_at(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path);
  virtual int unlink_at(int dir_fd, const char* path, int flags);
  /// readlinkat(2): the link's body, not NUL-terminated.
  virtual ssize_t read_link_at(int dir_fd, const char* path, char* buffer, std::size_t size);
  /// ioctl(FICLONE): share `source`'s extents with `destination` (btrfs, XFS).
  virtual int clone_file(int destination, int source);
  virtual ssize_t copy_file_range(int source, int destination, std::size_t size);
  /// The filesystem magic of `fd` (statfs f_type), or -1.
  virtual long filesystem_type(int fd);
};

/// The file system in force: the real one unless a test installed another.
ATOMICIO_EXPORT FileSystem& file_system() noexcept;

/// Installs `replacement` for its lifetime (tests only).
class ATOMICIO_EXPORT ScopedFileSystem {
 public:
  explicit ScopedFileSystem(FileSystem& replacement) noexcept;
  ~ScopedFileSystem();
  ScopedFileSystem(const ScopedFileSystem&) = delete;
  ScopedFileSystem& operator=(const ScopedFileSystem&) = delete;

 private:
  FileSystem* previous_;
};

}  // namespace atomicio::detail
