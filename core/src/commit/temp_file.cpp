// Temp file creation and the sweep of temps left by dead writers.
//
// O_TMPFILE gives an inode with no name, so a writer killed before commit leaves nothing at
// all; it gets a name only just before the rename. Where the filesystem lacks O_TMPFILE (older
// kernels, some FUSE and network filesystems) we fall back to a named temp. Either way a named
// temp may be left behind by a writer killed before its rename, and the sweep removes it at the
// next commit into the directory, but only when two things prove it is a dead writer's temp:
//
// - Bound to its inode. The name is `.<target>.atomicio-<R>-<C>.tmp`, R 96 random bits in hex
//   and C a 64-bit FNV-1a check of R, the inode number and the birth time (statx; zero where
//   the filesystem has none). A user's file that merely has such a name, even copied from a
//   real temp or restored from a backup, is another inode and fails the check.
// - Unlocked. The writer takes flock(LOCK_EX) on its temp before the temp has a name and keeps
//   it until the name is gone (renamed over the target or unlinked), so a temp whose lock the
//   sweep can take belongs to a writer that no longer holds it: dead. flock belongs to the open
//   file description, so this works between threads of one process and across pid namespaces;
//   nothing is guessed from pids or ages.
//
// A named temp that could not be locked is never bound (it keeps the `.<target>.atomicio-<R>.tmp`
// form, which the sweep does not touch): better debris than deleting a live writer's file.
#include "commit/temp_file.hpp"

#include "path/name_hash.hpp"
#include "posix/file_system.hpp"

#include "atomicio_config.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <utility>

namespace atomicio::detail {

namespace {

constexpr std::string_view kTempMarker = ".atomicio-";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr std::size_t kRandomHexDigits = 24;
constexpr std::size_t kCheckHexDigits = 16;
constexpr std::size_t kMaxTargetPartOfName = 180;  // keeps temp names under NAME_MAX (255)
// FUSE and SMB filesystems may keep flock local to one machine, so a writer on another
// machine would look dead: we do not sweep there.
constexpr long kFuseMagic = 0x65735546;
constexpr long kSmbMagic = 0x517B;
constexpr long kSmb2Magic = static_cast<long>(0xFE534D42);
constexpr long kCifsMagic = static_cast<long>(0xFF534D42);
// One sweep reads at most kSweepEntryLimit entries and opens at most kSweepOpenLimit of them;
// where it stopped, this process's next sweep of that directory goes on (see ARCHITECTURE).
constexpr int kSweepEntryLimit = 4096;
constexpr int kSweepOpenLimit = 64;
constexpr std::size_t kMaxSweepCursors = 256;

// Where this process's last bounded sweep of a directory (device, inode) stopped.
// Thread-safety: guarded by `mutex`.
struct SweepCursors {
  std::mutex mutex;
  std::map<std::pair<dev_t, ino_t>, long> positions;
};

SweepCursors& sweep_cursors() {
  static SweepCursors cursors;
  return cursors;
}

std::string hex(const unsigned char* bytes, std::size_t count) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0xF];
  }
  return text;
}

std::string random_hex() {
  unsigned char raw[kRandomHexDigits / 2] = {};
  std::size_t filled = 0;
  while (filled < sizeof raw) {
    ssize_t n = ::getrandom(raw + filled, sizeof raw - filled, 0);
    if (n > 0) filled += static_cast<std::size_t>(n);
    else if (errno != EINTR) break;  // Practically impossible; the O_EXCL retry covers clashes.
  }
  return hex(raw, sizeof raw);
}

// The name's check value: FNV-1a over R, the inode number and the birth time, each integer as
// little-endian bytes. Part of the on-disk format: other versions sweep what this one leaves.
std::string check_value(std::string_view random, const struct statx& info) {
  const bool has_birth = (info.stx_mask & STATX_BTIME) != 0;
  return NameHash()
      .add(random)
      .add_little_endian(info.stx_ino, 8)
      .add_little_endian(has_birth ? static_cast<std::uint64_t>(info.stx_btime.tv_sec) : 0, 8)
      .add_little_endian(has_birth ? info.stx_btime.tv_nsec : 0, 4)
      .hex();
}

int stat_identity(int fd, struct statx& info) {
  return file_system().stat_x(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_BTIME, &info);
}

std::string unbound_name(const std::string& target_name, std::string_view random) {
  std::string_view base(target_name);
  if (base.size() > kMaxTargetPartOfName) base = base.substr(0, kMaxTargetPartOfName);
  // Appended piece by piece: GCC 12 misreports "literal" + std::string&& as overlapping (PR 105651).
  std::string name = ".";
  name.append(base).append(kTempMarker).append(random);
  return name;
}

// The bound name for the locked temp `fd`, or the unbound form where the inode cannot be read.
std::string temp_name_for(int fd, const std::string& target_name) {
  const std::string random = random_hex();
  std::string name = unbound_name(target_name, random);
  struct statx info {};
  if (stat_identity(fd, info) == 0 && (info.stx_mask & STATX_INO) != 0)
    name.append("-").append(check_value(random, info));
  return name.append(kTempSuffix);
}

bool take_writer_lock(int fd) { return file_system().lock_file(fd, LOCK_EX | LOCK_NB) == 0; }

// Splits `.<target>.atomicio-<R>-<C>.tmp` into R and C; false for any other name.
bool parse_bound_name(std::string_view name, std::string_view& random, std::string_view& check) {
  if (name.size() < 1 + kTempMarker.size() + kRandomHexDigits + 1 + kCheckHexDigits + kTempSuffix.size() ||
      name.front() != '.' || name.substr(name.size() - kTempSuffix.size()) != kTempSuffix)
    return false;
  std::string_view rest = name.substr(0, name.size() - kTempSuffix.size());
  check = rest.substr(rest.size() - kCheckHexDigits);
  rest.remove_suffix(kCheckHexDigits + 1);
  if (name[rest.size()] != '-') return false;
  random = rest.substr(rest.size() - kRandomHexDigits);
  rest.remove_suffix(kRandomHexDigits);
  if (rest.size() < kTempMarker.size() || rest.substr(rest.size() - kTempMarker.size()) != kTempMarker)
    return false;
  auto is_hex = [](std::string_view text) {
    return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  };
  return is_hex(random) && is_hex(check);
}

void remove_if_dead_writers_temp(int dir_fd, std::string_view name, std::string_view random,
                                 std::string_view check) {
  FileSystem& fs = file_system();
  const std::string path(name);
  // O_NONBLOCK: whatever is there now is opened without waiting (a FIFO swapped in after
  // readdir); the type check below then rejects it.
  UniqueFd fd(fs.open_at(dir_fd, path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0));
  if (!fd.valid()) return;  // Gone, or not ours to read: either way not provably dead.
  struct statx info {};
  if (stat_identity(fd.get(), info) != 0 || (info.stx_mask & STATX_INO) == 0 || !S_ISREG(info.stx_mode) ||
      check_value(random, info) != check)
    return;
  // Fails while the writer lives (it holds LOCK_EX until its name is gone).
  if (!take_writer_lock(fd.get())) return;
  // The name still names this inode: only a rename over a bound temp name could change that, and
  // its random part makes the name one writer's alone.
  fs.unlink_at(dir_fd, path.c_str(), 0);  // Best effort: a failure leaves only disk debris.
}

}  // namespace

TempFile create_named_temp_file(int dir_fd, const std::string& target_name, mode_t mode) {
  FileSystem& fs = file_system();
  TempFile temp;
  for (int attempt = 0; attempt < 100; ++attempt) {
    // Created under the unbound form, which the sweep never touches, then locked, then renamed
    // to its bound name: the sweep can never see it bound and unlocked. Killed before the
    // rename it stays as debris, which is the price of never deleting a live writer's file.
    std::string name = unbound_name(target_name, random_hex()).append(kTempSuffix);
    temp.fd.reset(fs.open_at(dir_fd, name.c_str(),
                             O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!temp.fd.valid()) {
      if (errno != EEXIST) return temp;
      continue;
    }
    temp.name = std::move(name);
    if (!take_writer_lock(temp.fd.get())) return temp;
    std::string bound = temp_name_for(temp.fd.get(), target_name);
    // Its random part is fresh, so the rename replaces nothing in practice.
    if (bound.size() > temp.name.size() &&
        fs.rename_at(dir_fd, temp.name.c_str(), dir_fd, bound.c_str()) == 0)
      temp.name = std::move(bound);
    return temp;
  }
  errno = EEXIST;
  return temp;
}

TempFile create_temp_file(int dir_fd, const std::string& target_name, mode_t mode) {
#if ATOMICIO_HAVE_O_TMPFILE
  TempFile temp;
  // O_RDWR: the content may have to be copied into a named temp if linking fails at commit.
  temp.fd.reset(file_system().open_at(dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode));
  if (temp.fd.valid()) {
    // Taken before the inode can have a name, so no sweep sees it named and unlocked.
    // A failure leaves it unlocked; link_unnamed_temp_file then gives it an unbound name.
    take_writer_lock(temp.fd.get());
    return temp;
  }
  // EISDIR: a kernel without O_TMPFILE sees only its O_DIRECTORY bit. EOPNOTSUPP: the
  // filesystem has no tmpfile support. Anything else is a real error (EACCES, ENOSPC, EROFS).
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return temp;
#endif
  return create_named_temp_file(dir_fd, target_name, mode);
}

std::string link_unnamed_temp_file(int dir_fd, int fd, const std::string& target_name) {
  FileSystem& fs = file_system();
  const std::string proc_path = "/proc/self/fd/" + std::to_string(fd);
  // Whether we hold the lock decides whether the name may be bound. LOCK_NB on a lock we
  // already hold through this descriptor succeeds (it converts in place).
  const bool locked = take_writer_lock(fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = locked ? temp_name_for(fd, target_name)
                              : unbound_name(target_name, random_hex()).append(kTempSuffix);
    // Through /proc because linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH before Linux 6.10.
    int linked = fs.link_at(AT_FDCWD, proc_path.c_str(), dir_fd, name.c_str(), AT_SYMLINK_FOLLOW);
    if (linked != 0 && errno == ENOENT)  // /proc is not mounted: try the privileged form.
      linked = fs.link_at(fd, "", dir_fd, name.c_str(), AT_EMPTY_PATH);
    if (linked == 0) return name;
    if (errno != EEXIST) return {};
  }
  errno = EEXIST;
  return {};
}

void sweep_dead_temp_files(int dir_fd) {
  FileSystem& fs = file_system();
  struct stat directory {};
  const long type = fs.filesystem_type(dir_fd);
  if (type == kFuseMagic || type == kSmbMagic || type == kSmb2Magic || type == kCifsMagic ||
      fs.fstat(dir_fd, &directory) != 0)
    return;
  SweepCursors& cursors = sweep_cursors();
  const auto key = std::make_pair(directory.st_dev, directory.st_ino);
  long position = 0;
  {
    std::lock_guard lock(cursors.mutex);
    if (auto found = cursors.positions.find(key); found != cursors.positions.end()) position = found->second;
  }
  int seen = 0, opened = 0;
  // Best effort: a sweep that cannot list the directory costs only disk space.
  fs.read_directory(dir_fd, &position, [&](std::string_view name) {
    std::string_view random, check;
    if (name.find(kTempMarker) != std::string_view::npos && parse_bound_name(name, random, check)) {
      remove_if_dead_writers_temp(dir_fd, name, random, check);
      ++opened;
    }
    return ++seen < kSweepEntryLimit && opened < kSweepOpenLimit;
  });
  std::lock_guard lock(cursors.mutex);
  if (position == 0) {
    cursors.positions.erase(key);
  } else {
    if (cursors.positions.size() >= kMaxSweepCursors) cursors.positions.clear();
    cursors.positions[key] = position;
  }
}

}  // namespace atomicio::detail
