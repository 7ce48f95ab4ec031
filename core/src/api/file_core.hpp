// The shared machinery of SafeFile and ThreadedSafeFile: target resolution, locks, raw reads,
// format lookup and commits. Each operation resolves its target once (resolve_for_*) and hands
// the result to every step, so the lock it takes, the file it reads and the file it commits are
// one file even if a symlink on the way is retargeted meanwhile.
#pragma once

#include "codec/encoding.hpp"
#include "format/format.hpp"
#include "lock/lock_table.hpp"
#include "path/resolved_target.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/safe_file.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace atomicio::detail {

class FileCore {
 public:
  FileCore(std::filesystem::path path, Timeout timeout, FileOptions options);

  /// The target of a write. Throws FileWriteError (missing directory, a symlink the kernel
  /// would not follow, a target that is not a regular file).
  ResolvedTarget resolve_for_writing() const;
  /// The target of a read, or nullopt when a directory on the way is missing (so is the file).
  /// Throws FileReadError.
  std::optional<ResolvedTarget> resolve_for_reading() const;
  /// The target of an explicit lock. Throws LockFailedError.
  ResolvedTarget resolve_for_locking(LockMode mode) const;

  /// Takes `target`'s lock within the file's timeout.
  FileLock lock(const ResolvedTarget& target, LockMode mode) const;
  /// The shared lock for a read, or nullopt when the read goes on without one. A read never
  /// creates a sidecar: where none exists (and this process holds no lock on the file) no
  /// process holds the file's lock, and the read needs none, since every commit is an atomic
  /// rename and the read sees one whole version either way. The same holds where the sidecar
  /// cannot be opened (read-only to us, its directory missing). A lock merely orders this read
  /// against another process's multi-step transaction; it adds nothing to one read's integrity.
  std::optional<FileLock> lock_for_reading(const ResolvedTarget& target) const;
  /// The codecs this file's name asks for (none under Compression::none). Throws
  /// UnsupportedFormatError, PluginLoadError.
  Encoding encoding() const;
  /// The format for this file's name without its codec suffixes. Throws
  /// UnsupportedFormatError, PluginLoadError.
  std::shared_ptr<const Format> format(const Encoding& encoding) const;

  /// The stored bytes, or nullopt when the file does not exist. Throws FileReadError.
  std::optional<std::string> read_stored_unlocked(const ResolvedTarget& target) const;
  /// The content decoded (at most max_decoded_size bytes), or nullopt when the file does not
  /// exist. Throws FileReadError.
  std::optional<std::string> read_content_unlocked(const ResolvedTarget& target, const Encoding& encoding) const;
  /// Streams the decoded content to `consumer`; false when the file does not exist.
  bool stream_content_unlocked(const ResolvedTarget& target, const Encoding& encoding,
                               const std::function<void(std::string_view)>& consumer) const;
  /// Parses existing content; nullopt when the file does not exist.
  std::optional<Value> read_value_unlocked(const ResolvedTarget& target, const Encoding& encoding,
                                           const Format& format) const;

  /// One commit to `target` of content that `produce` writes as plaintext, encoded per
  /// `encoding`. Throws FileWriteError (and what `produce` throws); the target is then unchanged.
  void commit_unlocked(ResolvedTarget&& target, const Encoding& encoding, WriteMode mode,
                       const std::function<void(ByteSink&)>& produce) const;
  /// Serializes and commits `value`.
  void commit_value_unlocked(ResolvedTarget&& target, const Encoding& encoding, const Format& format,
                             const Value& value) const;

  const FileOptions& options() const noexcept { return options_; }

  const std::filesystem::path& path() const noexcept { return path_; }
  Durability durability() const noexcept { return options_.durability; }

 private:
  PluginHost& plugins() const;

  std::filesystem::path path_;
  Timeout timeout_;
  FileOptions options_;
  mutable std::once_flag backend_once_;
  mutable LockBackendRef backend_;
  mutable std::mutex last_entry_mutex_;
  mutable std::shared_ptr<LockEntry> last_entry_;  ///< the entry of the file last locked; guarded by last_entry_mutex_
};

/// update()'s merge: objects key by key (recursively), arrays appended, anything else replaced.
void merge_into(Value& target, const Value& update);

}  // namespace atomicio::detail
