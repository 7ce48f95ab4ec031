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
// Compression follows the name too: codec suffixes at the end (`.gz`, `.bz2`, `.xz`, stacked as
// in `dump.json.gz.xz`) are decoded on every read and encoded on every write, so `data.yaml.gz`
// reads and writes YAML values and a bare `blob.gz` holds bytes (read_bytes() gives them
// decompressed). append() adds a new compressed stream (a gzip member, an xz or bzip2 stream)
// after the existing ones, which every decoder reads as one. FileOptions::compression = none
// turns this off and gives the stored bytes as they are.
//
// Thread-safety: all members may be called concurrently, from any number of SafeFile objects and
// processes on the same file.
#pragma once

#include <atomicio/atomic_writer.hpp>
#include <atomicio/export.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/timeout.hpp>
#include <atomicio/value.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atomicio {

class PluginHost;

/// Whether codec suffixes in the file name are applied.
enum class Compression {
  by_suffix,  ///< `.gz`, `.bz2`, `.xz` (any installed codec) are decoded and encoded. The default.
  none,       ///< bytes are stored as given, whatever the name
};

struct FileOptions {
  Durability durability = Durability::full;
  Compression compression = Compression::by_suffix;
  /// The codec's own level scale (gzip and bzip2 1-9, xz 0-9), for every codec of the name;
  /// -1 for each codec's default. An out-of-range level is a FileWriteError.
  int compression_level = -1;
  /// The largest content a whole-content read (read, read_bytes, update) holds in memory: the
  /// decompressed content, or the stored bytes of an uncompressed file. A larger one is a
  /// FileReadError naming the limit and the path, raised with about this much memory in use
  /// (a regular file over the limit is refused before it is read). The guard against
  /// decompression bombs and against devices or huge files in a value's place; read_stream()
  /// and open_writer() are not bounded by it. 256 MiB by default: reading a value takes 8-16x
  /// its text's size at the peak (measured for dense small objects and arrays), so a 1 GiB text
  /// could need 16 GiB as a Value; raise it for larger values, or stream them.
  std::uint64_t max_decoded_size = std::uint64_t{256} << 20;
  /// The lock backend (see LockOptions::backend). Empty: the process default.
  std::string lock_backend;
  /// See LockOptions::stale_after.
  std::chrono::seconds lock_stale_after{-1};
  /// Where format and lock plugins come from; null means PluginHost::global().
  PluginHost* plugins = nullptr;
};

namespace detail {
class FileCore;
struct ContentWriterState;
}  // namespace detail

/// New content for a SafeFile, written in pieces: encoded on the fly by the file's codecs into a
/// commit's temporary file, so memory stays bounded by the buffers. Holds the file's exclusive
/// lock from SafeFile::open_writer() until commit(), abort(), a failure or destruction; until
/// commit() the file is untouched, and a writer destroyed uncommitted rolls back.
class ATOMICIO_EXPORT ContentWriter {
 public:
  ContentWriter(ContentWriter&&) noexcept;
  ContentWriter& operator=(ContentWriter&&) noexcept;
  ~ContentWriter();

  /// Throws FileWriteError (disk full, codec failure); the writer is then rolled back.
  void write(std::string_view bytes);
  /// Ends the codec streams and publishes atomically. Throws FileWriteError; the file is then
  /// unchanged.
  void commit();
  /// Drops everything written. Idempotent; never throws.
  void abort() noexcept;
  /// Bytes passed to write() so far (before compression; copied content not counted).
  std::uint64_t bytes_written() const noexcept;

 private:
  friend class SafeFile;
  explicit ContentWriter(std::unique_ptr<detail::ContentWriterState> state) noexcept;
  std::unique_ptr<detail::ContentWriterState> state_;
};

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

  /// The content as bytes (decompressed when the name has codec suffixes), or nullopt when the
  /// file does not exist. Throws FileReadError, LockError.
  std::optional<std::string> read_bytes() const;

  /// Replaces the content with `bytes` (compressed when the name has codec suffixes). Throws
  /// FileWriteError, LockError.
  void write_bytes(std::string_view bytes);

  /// Streams the content (decompressed as read_bytes() would) to `consumer` in pieces of at
  /// most 64 KiB, under the shared lock, with memory bounded by the buffers; max_decoded_size
  /// does not apply. Returns false when the file does not exist. Throws FileReadError (the
  /// pieces already delivered are then incomplete), LockError, and what `consumer` throws.
  bool read_stream(const std::function<void(std::string_view piece)>& consumer) const;

  /// A streaming writer of new content (WriteMode::append starts from the existing content,
  /// adding a new compressed stream to a compressed file). Takes the exclusive lock now. Throws
  /// FileWriteError, LockError.
  ContentWriter open_writer(WriteMode mode = WriteMode::replace);

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
