// SafeFile: a file whose every operation is an atomic commit under the file's lock.
//
// read() takes the shared lock (or, where the `<path>.lock` sidecar cannot be created because the
// directory is read-only or missing, reads without the inter-process lock: a single read is
// consistent anyway, since commits are atomic renames); write(), update(), write_bytes() and
// append() take the
// exclusive lock and publish through AtomicWriter, so readers never see a torn file, no update
// is lost between threads or processes, and a failure leaves the old content in place. The
// format (JSON, text, or any plugin or registered format) follows the file's extension; bytes are
// always available through read_bytes()/write_bytes().
//
// Thread-safety: all members may be called concurrently, from any number of SafeFile objects and
// processes on the same file.
#pragma once

#include <atomicio/atomic_writer.hpp>
#include <atomicio/export.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/timeout.hpp>
#include <atomicio/value.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atomicio {

class PluginHost;

struct FileOptions {
  Durability durability = Durability::full;
  /// The lock backend (see LockOptions::backend). Empty: the process default.
  std::string lock_backend;
  /// Where format and lock plugins come from; null means PluginHost::global().
  PluginHost* plugins = nullptr;
};

namespace detail {
class FileCore;
}

class ATOMICIO_EXPORT SafeFile {
 public:
  /// Binds to `path` (which need not exist). `timeout` bounds every lock wait of every
  /// operation. Nothing is opened or locked until the first operation.
  explicit SafeFile(std::filesystem::path path, Timeout timeout = Timeout::infinite(),
                    FileOptions options = {});
  SafeFile(SafeFile&&) noexcept;
  SafeFile& operator=(SafeFile&&) noexcept;
  ~SafeFile();

  /// The parsed document, or nullopt when the file does not exist (an existing empty JSON file
  /// reads as null, an empty text file as ""). Throws FileReadError (unreadable, or invalid with
  /// line and column), UnsupportedFormatError, PluginError, LockError.
  std::optional<Value> read() const;

  /// Replaces the content with `value` in the file's format. Throws FileWriteError (e.g. the
  /// value does not fit the format, disk full), UnsupportedFormatError, PluginError, LockError.
  void write(const Value& value);

  /// Read-modify-write under one exclusive lock: objects are merged key by key (recursively),
  /// arrays are appended to, anything else is replaced; a missing file starts from `value`.
  /// Throws what read() and write() throw.
  void update(const Value& value);

  /// The raw content, or nullopt when the file does not exist. Throws FileReadError, LockError.
  std::optional<std::string> read_bytes() const;

  /// Replaces the content with `bytes` as they are. Throws FileWriteError, LockError.
  void write_bytes(std::string_view bytes);

  /// Adds `text` at the end (creating the file if needed), as one atomic commit of old content
  /// plus `text`. Throws FileAppendError, LockError.
  void append(std::string_view text);

  const std::filesystem::path& path() const noexcept;

 protected:
  detail::FileCore& core() const noexcept { return *core_; }

 private:
  std::unique_ptr<detail::FileCore> core_;
};

}  // namespace atomicio
