// AtomicWriter: the commit engine. Write a file in pieces, then commit() it; until then the
// target is untouched, and a writer destroyed without commit (or failing anywhere) leaves the
// target exactly as it was and no temporary file behind. Everything in atomicio that writes
// goes through it.
//
// The commit recipe (Linux): an unnamed O_TMPFILE in the target's real directory (or, where
// the filesystem lacks it, an unpredictable name opened O_EXCL|O_NOFOLLOW), full writes, link
// under a temporary name, the target's owner, ACLs and extended attributes and then its
// permission bits copied (after the last write, which would clear set-id bits), fsync, rename
// over the target, fsync of the directory. A symlinked target stays a symlink; its pointee is
// replaced. Hard links to the old file keep the old content. A writer killed before its rename
// may leave a named temp; the next commit into the directory removes it. See
// docs/ARCHITECTURE.md for why each step is there.
//
// Thread-safety: one writer belongs to one thread at a time. Two writers on one target do not
// corrupt it (each commit is atomic) but the last commit wins; hold a FileLock for
// read-modify-write.
#pragma once

#include <atomicio/export.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

namespace atomicio {

/// What a commit guarantees once commit() returns.
enum class Durability {
  /// fsync the file and its directory: the new content survives power loss. The default.
  full,
  /// Skip fsync: still atomic against process crashes (readers see old or new, never torn), but
  /// after a power loss or OS crash the file may hold the old content, or be empty, or hold
  /// part of the new content: nothing is flushed before the rename, so the rename may reach the
  /// disk before the data. For scratch data.
  process_crash_only,
};

/// How the new content starts out.
enum class WriteMode {
  /// Empty: the new content replaces the old.
  replace,
  /// A copy of the existing content (reflink or copy_file_range where available); writes go
  /// after it. The result is still all-or-nothing.
  append,
};

struct CommitOptions {
  Durability durability = Durability::full;
  WriteMode mode = WriteMode::replace;
};

namespace detail {
struct CommitState;
struct ResolvedTarget;
}

class ATOMICIO_EXPORT AtomicWriter {
 public:
  /// Prepares a commit to `target`: resolves it as open(2) would (a symlink the kernel would not
  /// follow for this process, under fs.protected_symlinks, is refused), opens the temporary file
  /// in the real target's directory and, in append mode, copies the existing content. Throws
  /// FileWriteError (with the OS error) if any of that fails, or if the target exists and is not
  /// a regular file (a directory, FIFO, socket or device is never replaced); nothing is left
  /// behind.
  explicit AtomicWriter(std::filesystem::path target, CommitOptions options = {});
  /// Internal: commits to a target the caller already resolved (and locked), so the lock and
  /// the commit cannot land on two different files.
  AtomicWriter(std::filesystem::path target, detail::ResolvedTarget&& resolved, CommitOptions options);
  AtomicWriter(AtomicWriter&&) noexcept;
  AtomicWriter& operator=(AtomicWriter&&) noexcept;
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;
  /// Rolls back unless committed. Never throws.
  ~AtomicWriter();

  /// Appends bytes to the pending content (buffered). Throws FileWriteError (e.g. ENOSPC), after
  /// which the writer is rolled back and further calls throw.
  void write(std::string_view bytes);
  void write(const void* data, std::size_t size) {
    write(std::string_view(static_cast<const char*>(data), size));
  }

  /// Publishes the content atomically. Blocks on fsync under Durability::full; when it returns,
  /// the new content is durable. Throws FileWriteError; the target is then unchanged.
  void commit();

  /// Drops the pending content now instead of at destruction. Idempotent; never throws.
  void abort() noexcept;

  /// The path as given.
  const std::filesystem::path& target() const noexcept;
  /// The file that commit() replaces: `target` with symlinks resolved.
  const std::filesystem::path& resolved_target() const noexcept;
  /// Bytes of content so far, including copied content in append mode.
  std::uint64_t size() const noexcept;
  bool committed() const noexcept;

 private:
  std::unique_ptr<detail::CommitState> state_;
};

}  // namespace atomicio
