// A lock whose existence is the lock: the file is created with O_CREAT|O_EXCL holding an
// OwnerRecord, and removed on release. For filesystems without working advisory locks.
//
// Acquiring: create the file exclusively. If it exists, read it; if it is stale (its owner is
// provably dead on this host, or, when that cannot be checked, it is older than the stale
// time), break it and try again. Breaking is serialised between processes by a second,
// short-lived lock file `<path>.break` created the same way: only its holder may remove the
// stale lock, and only after re-reading it and finding the very file it judged stale (same
// inode, same bytes). The removal itself renames the file aside to a unique name and checks
// the renamed file once more, putting it back if it is not the stale one; that last check
// only matters if a `.break` file was itself wrongly broken (its holder stalled for longer
// than 10 s). See README.md for the full argument.
//
// Releasing: remove the file only if it still carries this lock's nonce, and only from the
// process that took it (a forked child's copy of a held lock is inert).
//
// Thread-safety: one LockFile per thread at a time; different LockFiles may be used from
// different threads, also on the same path (they then exclude each other like processes do).
#pragma once

#include "owner_record.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace atomicio::lockfile {

class LockFile {
 public:
  /// `stale_after` zero: a lock is never stale by age (only by a provably dead owner).
  LockFile(std::string path, std::chrono::seconds stale_after);
  /// Releases the lock if this process holds it. Never throws.
  ~LockFile();
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

  /// One attempt, without waiting: true when this object now holds the lock, false when a
  /// live (or not provably dead, and not yet stale) owner holds it, or another process is busy
  /// breaking it. Throws sdk::OsError when the file cannot be created or read, or when
  /// something other than a regular file (a symlink, a directory) sits at the path.
  bool try_acquire();

  /// Removes the lock file if it is still this lock's. Throws sdk::OsError when it cannot be
  /// removed, or when it no longer is ours (it was broken as stale and perhaps re-taken).
  /// A no-op when not held, or when called in a process other than the one that took it.
  void release();

  bool held() const noexcept { return mine_.has_value(); }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  std::chrono::seconds stale_after_;
  std::optional<OwnerRecord> mine_;
};

}  // namespace atomicio::lockfile
