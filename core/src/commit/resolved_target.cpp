// Symlink resolution for commits. We follow the chain on the final component ourselves, rather
// than realpath() the whole target, because the target may not exist yet and because a
// dangling symlink must lead to its pointee (rename over the link would replace the link).
#include "commit/resolved_target.hpp"

#include "posix/file_system.hpp"
#include "posix/os_error.hpp"

#include <atomicio/errors.hpp>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

namespace atomicio::detail {

namespace {

constexpr int kMaxSymlinkHops = 40;  // Linux's own limit (path_resolution(7)).

// Returns the final path after following symlinks of the last component, or sets `error`.
std::filesystem::path follow_final_symlinks(const std::filesystem::path& target, int& error) {
  std::filesystem::path current = std::filesystem::absolute(target).lexically_normal();
  for (int hops = 0; hops <= kMaxSymlinkHops; ++hops) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    std::string link(static_cast<std::size_t>(info.st_size > 0 ? info.st_size : PATH_MAX), '\0');
    ssize_t length = ::readlink(current.c_str(), link.data(), link.size());
    if (length < 0) {
      error = errno;
      return current;
    }
    link.resize(static_cast<std::size_t>(length));
    std::filesystem::path next(link);
    current = (next.is_absolute() ? next : current.parent_path() / next).lexically_normal();
  }
  error = ELOOP;
  return current;
}

std::filesystem::path real_directory(const std::filesystem::path& directory, int& error) {
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(directory.c_str(), nullptr),
                                                   &std::free);
  if (!real) {
    error = errno;
    return {};
  }
  return real.get();
}

}  // namespace

ResolvedTarget resolve_target(const std::filesystem::path& target) {
  if (target.empty() || !target.has_filename())
    throw FileWriteError("write", target, "the path does not name a file");
  int error = 0;
  std::filesystem::path final_path = follow_final_symlinks(target, error);
  if (error != 0) throw FileWriteError("resolve symlinks of", target, "", os_error(error));
  std::filesystem::path directory = real_directory(final_path.parent_path(), error);
  if (error != 0)
    throw FileWriteError("open directory of", target, final_path.parent_path().string(),
                         os_error(error));
  ResolvedTarget resolved{directory, final_path.filename().string(), UniqueFd()};
  resolved.directory_fd.reset(file_system().open_at(
      AT_FDCWD, directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
  if (!resolved.directory_fd.valid())
    throw FileWriteError("open directory", directory, "", os_error());
  return resolved;
}

std::filesystem::path resolved_path(const std::filesystem::path& target) {
  int error = 0;
  std::filesystem::path final_path = follow_final_symlinks(target, error);
  std::filesystem::path directory = real_directory(final_path.parent_path(), error);
  if (error != 0) return final_path;
  return directory / final_path.filename();
}

}  // namespace atomicio::detail
