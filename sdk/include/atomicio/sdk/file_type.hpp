// Words for a file's type, for the messages that refuse a path which is not a regular file. The
// host uses it too, so a lock file and a data file are refused in the same words.
#pragma once

#include <sys/stat.h>

#include <string>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// "a FIFO", "a directory", …: what a file that is not a regular file is.
inline std::string describe_file_type(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

}  // namespace abi_v1
}  // namespace atomicio::sdk
