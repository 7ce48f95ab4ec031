// The temporary file a commit writes into, always in the target's own directory (a temp in
// /tmp would make the rename fail with EXDEV, or be non-atomic on filesystems that only rename
// atomically within a directory), and the sweep that removes temps of writers that died.
#pragma once

#include "posix/unique_fd.hpp"

#include <sys/types.h>

#include <string>

namespace atomicio::detail {

struct TempFile {
  UniqueFd fd;
  /// Empty for an unnamed O_TMPFILE inode; else the name in the directory (ours to unlink).
  std::string name;
};

/// Opens the temporary file in `dir_fd`, O_RDWR, holding flock(LOCK_EX) on it for as long as
/// the descriptor lives (the sweep's proof that its writer is alive): an unnamed O_TMPFILE if
/// the filesystem supports it, else a named temp as by create_named_temp_file. `mode` as for
/// open(2) (the umask applies). Returns an invalid fd with errno set.
TempFile create_temp_file(int dir_fd, const std::string& target_name, mode_t mode);

/// A named temp file `.<target>.atomicio-<random>-<check>.tmp`, locked as above and bound to
/// its inode by <check>. Returns an invalid fd with errno set.
TempFile create_named_temp_file(int dir_fd, const std::string& target_name, mode_t mode);

/// Links the unnamed temp `fd` into `dir_fd` under a fresh bound temp name, through
/// /proc/self/fd or else linkat(AT_EMPTY_PATH). Returns the name, or "" with errno set.
std::string link_unnamed_temp_file(int dir_fd, int fd, const std::string& target_name);

/// Removes from `dir_fd` the temps whose writer is provably dead: the name is bound to the
/// inode it names and nobody holds the temp's lock. Bounded: reads at most 4096 entries and
/// opens at most 64 temp-shaped ones, and this process's next sweep of the directory goes on
/// from there. Best effort: never throws, and a temp it cannot prove dead stays.
void sweep_dead_temp_files(int dir_fd);

}  // namespace atomicio::detail
