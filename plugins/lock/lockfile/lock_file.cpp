// The lock file protocol: exclusive creation, staleness, race-free breaking, owned release.
#include "lock_file.hpp"

#include <atomicio/sdk/errors.hpp>
#include <atomicio/sdk/sidecar_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace atomicio::lockfile {

namespace {

using sdk::OsError;
using Clock = std::chrono::system_clock;

// A `.break` guard is held for a few system calls; one older than this was left by a breaker
// that died (on another host, where its death cannot be checked) or has stalled badly.
constexpr std::chrono::seconds kGuardStaleAfter{10};
// An empty file is no record of ours: its creator died between creating and writing it, or it
// is the empty sidecar an advisory backend (ofd, flock, fcntl) left behind. Writing a record
// takes microseconds; the grace only keeps us off a creator that is between the two calls.
constexpr std::chrono::seconds kEmptyGrace{10};
// Records are a few hundred bytes; more is not ours (and is not read).
constexpr std::size_t kMaxRecord = 4096;

struct Observation {
  dev_t device = 0;
  ino_t inode = 0;
  bool readable = true;
  std::string content;
  Clock::time_point modified;
  std::optional<OwnerRecord> owner;

  bool same_file_as(const Observation& other) const {
    return device == other.device && inode == other.inode && readable == other.readable && content == other.content;
  }
};

void fill_metadata(Observation& seen, const struct stat& info) {
  seen.device = info.st_dev;
  seen.inode = info.st_ino;
  seen.modified = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(info.st_mtim.tv_sec) + std::chrono::nanoseconds(info.st_mtim.tv_nsec)));
}

// Creates `path` exclusively holding `record`. False when something already exists there.
bool create_exclusive(const std::string& path, const OwnerRecord& record) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw OsError("cannot create lock file " + path, errno);
  }
  const std::string text = record.serialize();
  std::size_t written = 0;
  int error = 0;
  while (written < text.size() && error == 0) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n > 0) written += static_cast<std::size_t>(n);
    else if (n == 0) error = ENOSPC;
    else if (errno != EINTR) error = errno;
  }
  // close() reports delayed write errors on NFS; a record that may not have arrived is no lock.
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());  // ours: O_EXCL created it, and nobody breaks a lock this young
    throw OsError("cannot write lock file " + path, error);
  }
  return true;
}

// What is at `path` now; nullopt when nothing is.
std::optional<Observation> observe(const std::string& path) {
  Observation seen;
  // O_NONBLOCK: a FIFO planted at the path must not hang us; it is refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) throw OsError("lock file " + path + " is a symbolic link; refusing to use it", ELOOP);
    if (errno != EACCES) throw OsError("cannot read lock file " + path, errno);
    // Someone else's unreadable file: its identity and age still count.
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) return std::nullopt;
      throw OsError("cannot stat lock file " + path, errno);
    }
    fill_metadata(seen, info);
    seen.readable = false;
    return seen;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    throw OsError("cannot stat lock file " + path, error);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw OsError("lock file " + path + " is " + sdk::describe_file_type(info.st_mode) +
                      ", not a regular file; refusing to use it",
                  EINVAL);
  }
  fill_metadata(seen, info);
  char buffer[kMaxRecord];
  std::size_t filled = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer + filled, sizeof buffer - filled);
    if (n > 0 && (filled += static_cast<std::size_t>(n)) < sizeof buffer) continue;
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fd);
  seen.content.assign(buffer, filled);
  seen.owner = OwnerRecord::parse(seen.content);
  return seen;
}

bool is_stale(const Observation& seen, std::chrono::seconds stale_after) {
  auto age = Clock::now() - seen.modified;
  if (age < Clock::duration::zero()) age = Clock::duration::zero();  // clock skew (NFS server ahead)
  if (seen.owner) {
    switch (liveness_of(*seen.owner)) {
      case Liveness::dead:
        return true;
      case Liveness::alive:
        return false;  // a live owner keeps its lock however long it holds it
      case Liveness::unknown:
        break;
    }
  } else if (seen.readable && seen.content.empty()) {
    return age > kEmptyGrace;
  }
  return stale_after.count() > 0 && age > stale_after;
}

std::string unique_suffix() {
  thread_local std::mt19937_64 random(std::random_device{}());
  return std::to_string(::getpid()) + "." + std::to_string(random());
}

// Removes `path` if it still is the file `seen` describes. Renaming first and checking the
// renamed file makes the check and the removal one step as far as `path` is concerned.
bool remove_if_unchanged(const std::string& path, const Observation& seen) {
  const std::string aside = path + ".stale." + unique_suffix();
  if (::rename(path.c_str(), aside.c_str()) != 0) {
    if (errno == ENOENT) return false;
    throw OsError("cannot move stale lock file " + path + " aside", errno);
  }
  auto moved = observe(aside);
  if (moved && moved->same_file_as(seen)) {
    ::unlink(aside.c_str());
    return true;
  }
  // A newer lock took the stale one's place between our check and the rename: put it back
  // (link fails if yet another lock appeared meanwhile; nothing better is possible then).
  if (::link(aside.c_str(), path.c_str()) != 0) {
    // Deliberately ignored: see above; the displaced owner will learn at release.
  }
  ::unlink(aside.c_str());
  return false;
}

// Removes `path` if it holds the record with `nonce`. False when it does not.
bool remove_if_owned(const std::string& path, const std::string& nonce) {
  auto seen = observe(path);
  if (!seen || !seen->owner || seen->owner->nonce != nonce) return false;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw OsError("cannot remove lock file " + path, errno);
  return true;
}

enum class BreakOutcome { retry, busy };

// Removes the stale lock at `path` that was seen as `seen`, under the `.break` guard.
BreakOutcome break_stale(const std::string& path, const Observation& seen) {
  const std::string guard_path = path + ".break";
  const OwnerRecord guard = describe_this_process();
  if (!create_exclusive(guard_path, guard)) {
    // Someone else is breaking it now (we will see the outcome on the next attempt), or died
    // doing so, in which case its guard is cleared for the next attempt.
    if (auto other = observe(guard_path); other && is_stale(*other, kGuardStaleAfter))
      remove_if_unchanged(guard_path, *other);
    return BreakOutcome::busy;
  }
  struct GuardRelease {
    const std::string& path;
    const std::string& nonce;
    ~GuardRelease() {
      try {
        remove_if_owned(path, nonce);
      } catch (...) {
        // A guard we cannot remove goes stale after kGuardStaleAfter and is cleared then.
      }
    }
  } release_guard{guard_path, guard.nonce};
  // Holding the guard, no other breaker acts on `path`. Its owner is dead, so only a new
  // acquirer could change it, and acquirers only create a file where none is.
  if (auto now = observe(path); now && now->same_file_as(seen)) remove_if_unchanged(path, seen);
  return BreakOutcome::retry;
}

}  // namespace

LockFile::LockFile(std::string path, std::chrono::seconds stale_after)
    : path_(std::move(path)), stale_after_(stale_after) {}

LockFile::~LockFile() {
  try {
    release();
  } catch (...) {
    // Destructors never throw; a lock file we could not remove goes stale once we are gone.
  }
}

bool LockFile::try_acquire() {
  // A few rounds, because each break or vanished file is followed by a fresh attempt; a lock
  // that keeps changing hands this fast is simply busy.
  for (int round = 0; round < 4; ++round) {
    OwnerRecord record = describe_this_process();
    if (create_exclusive(path_, record)) {
      mine_ = std::move(record);
      return true;
    }
    auto seen = observe(path_);
    if (!seen) continue;  // released between our create and our look
    // A descriptor backend's sidecar is not a lock file: breaking it as stale would let both
    // backends in at once. Refused, naming both (an empty one, from an older atomicio, is not
    // recognisable and is treated as a lock file whose creator died before writing it).
    if (std::string refusal = sdk::sidecar_mismatch(path_, sdk::sidecar_guardian(seen->content), "lockfile");
        !refusal.empty())
      throw OsError(refusal, 0);
    if (!is_stale(*seen, stale_after_)) return false;
    if (break_stale(path_, *seen) == BreakOutcome::busy) return false;
  }
  return false;
}

void LockFile::release() {
  // After fork() the child holds a copy of this object; the lock is still the parent's.
  if (!mine_ || mine_->pid != ::getpid()) return;
  const std::string nonce = std::move(mine_->nonce);
  mine_.reset();
  if (!remove_if_owned(path_, nonce))
    throw OsError("lock file " + path_ +
                      " no longer belongs to this lock: another process broke it as stale (held longer than "
                      "the stale time while its owner could not be checked?)",
                  0);
}

}  // namespace atomicio::lockfile
