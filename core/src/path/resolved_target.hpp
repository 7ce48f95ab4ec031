// Where an operation on a path really lands, decided once per operation and then used by all of
// its steps: the lock identity, the read and the commit. The kernel's own rules decide: every
// directory is opened by the kernel (so `..` after a symlinked directory means what it means
// to open(2), and intermediate symlinks obey fs.protected_symlinks), and the symlink chain of
// the final component, which we follow ourselves because a commit must replace the pointee and
// a dangling link must lead to its pointee being created, is followed only where the kernel
// would follow it for this caller.
#pragma once

#include "posix/unique_fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace atomicio::detail {

struct ResolvedTarget {
  UniqueFd directory_fd;            ///< O_RDONLY|O_DIRECTORY: every later step is *at() relative to it
  std::filesystem::path directory;  ///< the directory's absolute path as the kernel reports it
  std::string name;                 ///< the file's name inside the directory (never a symlink at resolution)
  /// The file type (S_IFMT bits) found at resolution, or 0 when no file has that name yet.
  mode_t existing_type = 0;

  std::filesystem::path full() const { return directory / name; }
  bool exists() const noexcept { return existing_type != 0; }
  bool is_regular_or_missing() const noexcept;
  /// The sidecar's name inside `directory` (see sidecar_name).
  std::string sidecar() const;
  std::filesystem::path sidecar_path() const { return directory / sidecar(); }
};

/// The outcome of a resolution: a target, or the errno and the cause in words. Callers turn a
/// failure into the error type of their operation (FileReadError, FileWriteError, LockFailedError).
struct Resolution {
  ResolvedTarget target;
  int error = 0;        ///< 0 on success
  std::string problem;  ///< what went wrong, for the error's detail
  bool ok() const noexcept { return error == 0; }
};

/// Resolves `path` as open(2) would for this process: opens the parent directory through the
/// kernel, then follows the final component's symlink chain one link at a time, refusing a link
/// the kernel refuses to follow (fs.protected_symlinks: a link planted by another user in a
/// sticky world-writable directory; EACCES), and stops at the first name that is missing or not
/// a symlink. More than 40 links is ELOOP, as in the kernel. Makes system calls through
/// file_system(); never throws for an OS failure.
Resolution resolve_target(const std::filesystem::path& path);

/// Why a target of `type` (not a regular file) is refused, for an error's detail and code:
/// "the path names a FIFO; atomicio <action> only regular files", EISDIR for a directory,
/// else EINVAL.
struct FileTypeRefusal {
  std::string detail;
  int error;
};
FileTypeRefusal refuse_file_type(mode_t type, const char* action);

}  // namespace atomicio::detail
