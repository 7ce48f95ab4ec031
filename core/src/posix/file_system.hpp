// The narrow file-system interface every OS call of the commit engine goes through, so tests
// can inject faults (EIO on fsync, ENOSPC on write, a failing rename) that a real filesystem
// produces only rarely. Methods have POSIX semantics: -1 and errno on failure. EINTR is retried
// here, once, for every call where retrying is correct.
//
// Thread-safety: the real implementation is stateless. An override installed with
// ScopedFileSystem applies to the whole process; tests install it while no other thread commits.
#pragma once

#include "test_export.hpp"

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace atomicio::detail {

/// One extended attribute copy_xattrs could not copy: its name (empty when the source's list
/// itself could not be read) and the errno.
struct XattrFailure {
  std::string name;
  int error = 0;
};

class ATOMICIO_TEST_EXPORT FileSystem {
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
  /// flock(2): `operation` is LOCK_EX, LOCK_SH or LOCK_UN, optionally | LOCK_NB.
  virtual int lock_file(int fd, int operation);
  /// statx(2) of `path` relative to `dir_fd` (AT_EMPTY_PATH with "" for `dir_fd` itself).
  virtual int stat_x(int dir_fd, const char* path, int flags, unsigned int mask, struct statx* out);
  /// Calls `visit` with each entry's name (not "." or "..") from `*position` (0: the start;
  /// else a value this call left there before, as telldir(3)) until it returns false or the
  /// listing ends; then leaves in `*position` where to go on (0 after the end). Reads through a
  /// descriptor of its own, so `dir_fd`'s offset is untouched. 0, or -1 and errno.
  virtual int read_directory(int dir_fd, long* position,
                             const std::function<bool(std::string_view name)>& visit);
  /// Copies the extended attributes of `source` to `destination` with libattr's attr_copy_fd,
  /// ACLs included and skipping what /etc/xattr.conf marks "skip" (see xattr.conf(5)). Returns
  /// 0 when everything was copied, else -1 with each attribute not copied in `failures`.
  virtual int copy_xattrs(int source, int destination, std::vector<XattrFailure>& failures);
  /// fremovexattr(2).
  virtual int remove_xattr(int fd, const char* name);
};

/// The file system in force: the real one unless a test installed another.
ATOMICIO_TEST_EXPORT FileSystem& file_system() noexcept;

/// Installs `replacement` for its lifetime (tests only).
class ATOMICIO_TEST_EXPORT ScopedFileSystem {
 public:
  explicit ScopedFileSystem(FileSystem& replacement) noexcept;
  ~ScopedFileSystem();
  ScopedFileSystem(const ScopedFileSystem&) = delete;
  ScopedFileSystem& operator=(const ScopedFileSystem&) = delete;

 private:
  FileSystem* previous_;
};

}  // namespace atomicio::detail
