// Temp file creation and the sweep of temps left by dead writers.
//
// O_TMPFILE gives an inode with no name, so a writer killed before commit leaves nothing at
// all. Where the filesystem lacks it (older kernels, some FUSE and network filesystems) we fall
// back to a named temp whose name embeds our pid and 96 random bits: unpredictable, so nobody
// can plant a symlink or file under it in advance (and O_EXCL|O_NOFOLLOW would refuse one), and
// attributable, so the sweep can tell whose it is.
#include "commit/temp_file.hpp"

#include "posix/file_system.hpp"

#include "atomicio_config.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <set>
#include <string_view>

namespace atomicio::detail {

namespace {

constexpr std::string_view kTempMarker = ".atomicio-";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr std::size_t kMaxTargetPartOfName = 180;  // keeps temp names under NAME_MAX (255)
constexpr std::time_t kSweepGraceSeconds = 60;

std::string random_hex(std::size_t bytes) {
  unsigned char raw[16] = {};
  std::size_t filled = 0;
  while (filled < bytes) {
    ssize_t n = ::getrandom(raw + filled, bytes - filled, 0);
    if (n > 0) filled += static_cast<std::size_t>(n);
    else if (errno != EINTR) break;  // Practically impossible; the O_EXCL retry covers clashes.
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < bytes; ++i) {
    text += kDigits[raw[i] >> 4];
    text += kDigits[raw[i] & 0xF];
  }
  return text;
}

bool is_dead_writers_temp(std::string_view name) {
  std::size_t marker = name.rfind(kTempMarker);
  if (name.empty() || name.front() != '.' || marker == std::string_view::npos ||
      name.size() < kTempSuffix.size() || name.substr(name.size() - kTempSuffix.size()) != kTempSuffix)
    return false;
  std::string_view rest = name.substr(marker + kTempMarker.size());
  pid_t pid = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
  if (error != std::errc() || end == rest.data() || *end != '-' || pid <= 0) return false;
  return ::kill(pid, 0) == -1 && errno == ESRCH;
}

}  // namespace

std::string temp_file_name(const std::string& target_name) {
  std::string_view base(target_name);
  if (base.size() > kMaxTargetPartOfName) base = base.substr(0, kMaxTargetPartOfName);
  // Appended piece by piece: GCC 12 misreports "literal" + std::string&& as overlapping (PR 105651).
  std::string name = ".";
  name.append(base).append(kTempMarker).append(std::to_string(::getpid())).append("-");
  name.append(random_hex(12)).append(kTempSuffix);
  return name;
}

TempFile create_temp_file(int dir_fd, const std::string& target_name) {
  FileSystem& fs = file_system();
  TempFile temp;
#if ATOMICIO_HAVE_O_TMPFILE
  temp.fd.reset(fs.open_at(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
  if (temp.fd.valid()) return temp;
  // EISDIR: a kernel without O_TMPFILE sees only its O_DIRECTORY bit. EOPNOTSUPP: the
  // filesystem has no tmpfile support. Anything else is a real error (EACCES, ENOSPC, EROFS).
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return temp;
#endif
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = temp_file_name(target_name);
    temp.fd.reset(fs.open_at(dir_fd, name.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
    if (temp.fd.valid()) {
      temp.name = std::move(name);
      return temp;
    }
    if (errno != EEXIST) return temp;
  }
  errno = EEXIST;
  return temp;
}

void sweep_stale_temp_files(int dir_fd, const std::string& directory_path) {
  static std::mutex mutex;
  static std::set<std::string> swept;
  {
    std::lock_guard lock(mutex);
    if (!swept.insert(directory_path).second) return;
  }
  int listing_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing_fd < 0) return;  // Best effort: a sweep that cannot run costs only disk space.
  DIR* listing = ::fdopendir(listing_fd);
  if (listing == nullptr) {
    ::close(listing_fd);
    return;
  }
  const std::time_t now = std::time(nullptr);
  while (const dirent* entry = ::readdir(listing)) {
    if (!is_dead_writers_temp(entry->d_name)) continue;
    struct stat info {};
    // The grace period protects a writer in another pid namespace whose pid means nothing here.
    if (::fstatat(dir_fd, entry->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(info.st_mode) &&
        now - info.st_mtime > kSweepGraceSeconds)
      ::unlinkat(dir_fd, entry->d_name, 0);
  }
  ::closedir(listing);
}

}  // namespace atomicio::detail
