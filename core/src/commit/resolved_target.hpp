// Where a commit really lands: the target with its symlink chain followed, split into the real
// directory (opened, so every later step is relative to one directory even if a path component
// is swapped meanwhile) and the final name inside it.
#pragma once

#include "posix/unique_fd.hpp"

#include <filesystem>
#include <string>

namespace atomicio::detail {

struct ResolvedTarget {
  std::filesystem::path directory;  ///< realpath of the directory holding the file
  std::string name;                 ///< the file's name inside `directory`
  UniqueFd directory_fd;            ///< O_RDONLY|O_DIRECTORY, for *at() calls and its fsync
  std::filesystem::path full() const { return directory / name; }
};

/// Follows `target`'s symlinks (a dangling link resolves to its pointee, which is then
/// created) and opens the real directory. Throws FileWriteError naming `target` on failure
/// (missing directory, symlink loop, permission).
ResolvedTarget resolve_target(const std::filesystem::path& target);

/// The same resolution without opening anything: the path commits to `target` would replace.
/// Used for lock identity and sidecar placement. Does not throw for a missing directory; it
/// then falls back to the lexically normal absolute path.
std::filesystem::path resolved_path(const std::filesystem::path& target);

}  // namespace atomicio::detail
