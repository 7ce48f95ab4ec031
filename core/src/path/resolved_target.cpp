// Target resolution. Two earlier designs were wrong in ways worth remembering:
//   - Following the final symlink chain by hand and then realpath()-ing the text skipped the
//     kernel's fs.protected_symlinks check (root would write through a link another user
//     planted in /tmp) and resolved `..` textually, so `link/../f.json` with link -> real/sub
//     meant `f.json` to us but `real/f.json` to open(2).
//   - Resolving the lock's identity and the commit's directory separately let a link retargeted
//     in between send the commit to a file whose lock was not held.
// So every directory here is opened by the kernel, relative to the descriptor of the directory
// the previous link lived in, and the one descriptor that comes out is what the lock, the read
// and the commit all use.
#include "path/resolved_target.hpp"

#include "path/sidecar_name.hpp"
#include "posix/file_system.hpp"

#include <atomicio/sdk/file_type.hpp>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace atomicio::detail {

namespace {

constexpr int kMaxSymlinkHops = 40;  // Linux's own limit (path_resolution(7)).
constexpr int kDirectoryFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

Resolution failure(int error, std::string problem) {
  Resolution result;
  result.error = error;
  result.problem = std::move(problem);
  return result;
}

// `a/b/` or `a/..` name a directory, not a file that a commit could replace.
bool names_a_file(const std::filesystem::path& path) {
  const std::filesystem::path name = path.filename();
  return !name.empty() && name != "." && name != "..";
}

std::string directory_part(const std::filesystem::path& path) {
  std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// The directory's path as the kernel knows it. /proc/self/fd is the kernel's own answer and is
// taken as it is, unless it carries the " (deleted)" mark of a removed directory. Without /proc
// we take realpath() of the text we opened and accept it only if it still names that directory.
bool kernel_path_of(int directory_fd, const std::filesystem::path& opened_as, std::filesystem::path& out) {
  FileSystem& fs = file_system();
  const std::string proc = "/proc/self/fd/" + std::to_string(directory_fd);
  std::string text(PATH_MAX, '\0');
  ssize_t length = fs.read_link_at(AT_FDCWD, proc.c_str(), text.data(), text.size());
  if (length > 0 && static_cast<std::size_t>(length) < text.size() && text[0] == '/') {
    text.resize(static_cast<std::size_t>(length));
    out = text;
    if (!text.ends_with(" (deleted)")) return true;
  } else {
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(opened_as.c_str(), nullptr), &std::free);
    if (!real) return false;
    out = real.get();
  }
  struct stat opened {};
  struct stat named {};
  // A renamed or deleted directory would give a path that no longer leads to it.
  return fs.fstat(directory_fd, &opened) == 0 && fs.fstat_at(AT_FDCWD, out.c_str(), &named, 0) == 0 &&
         named.st_dev == opened.st_dev && named.st_ino == opened.st_ino;
}

}  // namespace

bool ResolvedTarget::is_regular_or_missing() const noexcept {
  return existing_type == 0 || existing_type == S_IFREG;
}

std::string ResolvedTarget::sidecar() const { return sidecar_name(name); }

FileTypeRefusal refuse_file_type(mode_t type, const char* action) {
  return {"the path names " + sdk::describe_file_type(type) + "; atomicio " + action + " only regular files",
          (type & S_IFMT) == S_IFDIR ? EISDIR : EINVAL};
}

Resolution resolve_target(const std::filesystem::path& path) {
  if (!names_a_file(path)) return failure(EISDIR, "the path does not name a file");
  FileSystem& fs = file_system();
  Resolution result;
  ResolvedTarget& target = result.target;
  // Only kernel_path_of's fallback without /proc reads this text; realpath() resolves it from
  // the working directory and left to right, so its `..` is physical too.
  std::filesystem::path opened_as = directory_part(path);
  target.directory_fd.reset(fs.open_at(AT_FDCWD, directory_part(path).c_str(), kDirectoryFlags, 0));
  if (!target.directory_fd.valid()) return failure(errno, "cannot open the directory " + directory_part(path));
  target.name = path.filename().string();

  for (int hops = 0;; ++hops) {
    struct stat info {};
    if (fs.fstat_at(target.directory_fd.get(), target.name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return failure(errno, "cannot inspect " + target.name);
      break;  // a new file
    }
    if (!S_ISLNK(info.st_mode)) {
      target.existing_type = info.st_mode & S_IFMT;
      break;
    }
    if (hops == kMaxSymlinkHops) return failure(ELOOP, "more than 40 symbolic links");
    // Let the kernel decide whether it follows this link for us. O_PATH opens nothing for I/O
    // (a FIFO or device behind the link is not touched); a protected link fails with EACCES
    // even when dangling, where an unprotected dangling link gives ENOENT.
    UniqueFd probe(fs.open_at(target.directory_fd.get(), target.name.c_str(), O_PATH | O_CLOEXEC, 0));
    if (!probe.valid() && (errno == EACCES || errno == EPERM))
      return failure(errno, "the kernel refuses to follow the symbolic link " + target.name +
                                " for this user (fs.protected_symlinks: a link in a sticky world-writable "
                                "directory owned by someone else), so atomicio does not follow it either");
    std::string body(static_cast<std::size_t>(info.st_size > 0 ? info.st_size : PATH_MAX) + 1, '\0');
    ssize_t length = fs.read_link_at(target.directory_fd.get(), target.name.c_str(), body.data(), body.size());
    if (length < 0) return failure(errno, "cannot read the symbolic link " + target.name);
    if (static_cast<std::size_t>(length) == body.size()) return failure(EAGAIN, "the symbolic link " + target.name + " changed while read");
    body.resize(static_cast<std::size_t>(length));
    const std::filesystem::path next(body);
    if (!names_a_file(next)) return failure(EISDIR, "the symbolic link " + target.name + " points at a directory (" + body + ")");
    // Relative link bodies are relative to the directory the link lives in, which is the
    // descriptor we hold, not any text we could build: that is what makes `..` physical.
    const int base = next.is_absolute() ? AT_FDCWD : target.directory_fd.get();
    UniqueFd next_directory(fs.open_at(base, directory_part(next).c_str(), kDirectoryFlags, 0));
    if (!next_directory.valid())
      return failure(errno, "cannot open the directory of the symbolic link " + target.name + " -> " + body);
    opened_as = next.is_absolute() ? std::filesystem::path(directory_part(next)) : opened_as / directory_part(next);
    target.directory_fd = std::move(next_directory);
    target.name = next.filename().string();
  }
  if (!kernel_path_of(target.directory_fd.get(), opened_as, target.directory))
    return failure(ENOENT, "the directory was renamed or removed while resolving the path");
  return result;
}

}  // namespace atomicio::detail
