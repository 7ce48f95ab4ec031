// The shared machinery of SafeFile and ThreadedSafeFile: the file's lock entry (resolved once,
// on first use), raw reads, format lookup and commits.
#pragma once

#include "codec/encoding.hpp"
#include "format/format.hpp"
#include "lock/lock_table.hpp"

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

  /// Takes the file's lock within the file's timeout.
  FileLock lock(LockMode mode) const;
  /// The shared lock for a read, or nullopt when the sidecar cannot be created because the
  /// directory is missing or read-only to us. The read then goes on without the inter-process
  /// lock: one read is still consistent, since commits are atomic renames; it just does not
  /// wait for another process's multi-step transaction.
  std::optional<FileLock> lock_for_reading() const;
  /// The codecs this file's name asks for (none under Compression::none). Throws
  /// UnsupportedFormatError, PluginLoadError.
  Encoding encoding() const;
  /// The format for this file's name without its codec suffixes. Throws
  /// UnsupportedFormatError, PluginLoadError.
  std::shared_ptr<const Format> format(const Encoding& encoding) const;

  /// The stored bytes, or nullopt when the file does not exist. Throws FileReadError.
  std::optional<std::string> read_stored_unlocked() const;
  /// The content decoded (at most max_decoded_size bytes), or nullopt when the file does not
  /// exist. Throws FileReadError.
  std::optional<std::string> read_content_unlocked(const Encoding& encoding) const;
  /// Streams the decoded content to `consumer`; false when the file does not exist.
  bool stream_content_unlocked(const Encoding& encoding,
                               const std::function<void(std::string_view)>& consumer) const;
  /// Parses existing content; nullopt when the file does not exist.
  std::optional<Value> read_value_unlocked(const Encoding& encoding, const Format& format) const;

  /// One commit of content that `produce` writes as plaintext, encoded per `encoding`. Throws
  /// FileWriteError (and what `produce` throws); the target is then unchanged.
  void commit_unlocked(const Encoding& encoding, WriteMode mode,
                       const std::function<void(ByteSink&)>& produce) const;
  /// Serializes and commits `value`.
  void commit_value_unlocked(const Encoding& encoding, const Format& format, const Value& value) const;

  const FileOptions& options() const noexcept { return options_; }

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
