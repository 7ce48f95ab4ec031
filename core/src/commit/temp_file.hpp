// The temporary file a commit writes into, always in the target's own directory (a temp in
// /tmp would make the rename fail with EXDEV, or be non-atomic on filesystems that only rename
// atomically within a directory).
#pragma once

#include "posix/unique_fd.hpp"

#include <string>

namespace atomicio::detail {

struct TempFile {
  UniqueFd fd;
  /// Empty for an unnamed O_TMPFILE inode; else the name in the directory (ours to unlink).
  std::string name;
};

/// Opens the temporary file in `dir_fd`: an unnamed O_TMPFILE if the filesystem supports it,
/// else `.<target>.atomicio-<pid>-<random>.tmp` opened O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC.
/// Mode 0666 minus umask, as open() gives a new file. Returns an invalid fd with errno set.
TempFile create_temp_file(int dir_fd, const std::string& target_name);

/// A fresh unpredictable name for `target_name`'s temp file; the pid in it lets the sweep tell
/// a dead writer's leftovers from a live writer's file.
std::string temp_file_name(const std::string& target_name);

/// Removes temp files left in `dir_fd` by writers that died (their pid no longer exists and the
/// file is older than a grace period). Runs once per directory per process; best effort.
void sweep_stale_temp_files(int dir_fd, const std::string& directory_path);

}  // namespace atomicio::detail
