// The shared machinery of SafeFile and ThreadedSafeFile: the file's lock entry (resolved once,
// on first use), raw reads, format lookup and commits.
#pragma once

#include "format/format.hpp"
#include "lock/lock_table.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/safe_file.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace atomicio::detail {

class FileCore {
 public:
  FileCore(std::filesystem::path path, Timeout timeout, FileOptions options);

  /// Takes the file's lock within the file's timeout.
  FileLock lock(LockMode mode) const;
  /// The shared lock for a read, or nullopt when the sidecar cannot be created because the
  /// directory is missing or read-only to us. The read then goes on without the inter-process
  /// lock: one read is still consistent, since commits are atomic renames; it just does not
  /// wait for another process's multi-step transaction.
  std::optional<FileLock> lock_for_reading() const;
  /// The whole content, or nullopt when the file does not exist. Throws FileReadError.
  std::optional<std::string> read_bytes_unlocked() const;
  /// The format for this file's name. Throws UnsupportedFormatError, PluginLoadError.
  std::shared_ptr<const Format> format() const;
  /// Parses existing content; nullopt when the file does not exist.
  std::optional<Value> read_value_unlocked(const Format& format) const;
  /// Serializes and commits `value`. Throws FileWriteError; the target is then unchanged.
  void commit_value_unlocked(const Format& format, const Value& value) const;

  const std::filesystem::path& path() const noexcept { return path_; }
  Durability durability() const noexcept { return options_.durability; }

 private:
  PluginHost& plugins() const;

  std::filesystem::path path_;
  Timeout timeout_;
  FileOptions options_;
  mutable std::once_flag entry_once_;
  mutable std::shared_ptr<LockEntry> entry_;
};

/// update()'s merge: objects key by key (recursively), arrays appended, anything else replaced.
void merge_into(Value& target, const Value& update);

}  // namespace atomicio::detail
