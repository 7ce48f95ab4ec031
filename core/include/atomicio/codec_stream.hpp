// StreamDecoder / StreamEncoder: the codec plugins driven by a caller that does its own I/O.
//
// SafeFile pulls a file's bytes through its codecs itself. Code that reads and writes on its own
// schedule (the async layer, a network protocol) pushes pieces instead: compressed bytes in,
// plaintext out, or the other way round, in pieces of any size, with memory bounded by the
// pieces. The codecs are the same plugins SafeFile uses, chosen the same way (the name's codec
// suffixes, `dump.json.gz.xz` stacked) or named explicitly whatever the file is called, and their
// failures are the same typed errors: FileReadError("decompress", path, ..., byte offset) while
// decoding, FileWriteError("compress", ...) while encoding.
//
// Thread-safety: one object is used by one thread at a time; distinct objects are independent.
#pragma once

#include <atomicio/export.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace atomicio {

class PluginHost;

/// Which codecs a stream applies.
struct CodecSelection {
  /// A codec suffix (".gz", ".bz2", ".xz", or any a codec plugin claims) applied whatever the
  /// file is called; empty means "by the name's suffixes".
  std::string suffix;
  /// No codec at all, whatever the name (the bytes pass through unchanged).
  bool none = false;

  static CodecSelection by_name() { return {}; }
  static CodecSelection uncompressed() { return {{}, true}; }
  static CodecSelection codec(std::string suffix) { return {std::move(suffix), false}; }
};

namespace detail {
struct StreamCodecChain;
}

/// Compressed bytes in, plaintext out.
class ATOMICIO_EXPORT StreamDecoder {
 public:
  /// Loads the codecs `selection` names for `file` (whose name is also what errors report).
  /// Throws UnsupportedFormatError when a codec suffix has no installed plugin (naming it),
  /// PluginLoadError when the plugin fails to load.
  StreamDecoder(const std::filesystem::path& file, CodecSelection selection = {}, PluginHost* plugins = nullptr);
  StreamDecoder(StreamDecoder&&) noexcept;
  StreamDecoder& operator=(StreamDecoder&&) noexcept;
  ~StreamDecoder();

  /// True when no codec applies: decode() copies its input.
  bool passthrough() const noexcept;
  /// The codec suffixes applied, outermost (last in the name) first: ".xz.gz" style, or "".
  std::string describe() const;

  /// Decodes the next piece of compressed input, appending the plaintext it yields to
  /// `plaintext`. Throws FileReadError on corrupt data, with the compressed byte offset when
  /// the codec knows it.
  void decode(std::string_view compressed, std::string& plaintext);
  /// The compressed input has ended: appends what is left and throws FileReadError when the
  /// data stops mid-stream (a truncated file).
  void finish(std::string& plaintext);

 private:
  std::unique_ptr<detail::StreamCodecChain> chain_;
};

/// Plaintext in, compressed bytes out.
class ATOMICIO_EXPORT StreamEncoder {
 public:
  /// `level` is the codec's own scale (gzip and bzip2 1-9, xz 0-9), -1 for its default. Throws
  /// what StreamDecoder's constructor throws, and FileWriteError for a level out of range.
  StreamEncoder(const std::filesystem::path& file, CodecSelection selection = {}, int level = -1,
                PluginHost* plugins = nullptr);
  StreamEncoder(StreamEncoder&&) noexcept;
  StreamEncoder& operator=(StreamEncoder&&) noexcept;
  ~StreamEncoder();

  bool passthrough() const noexcept;
  std::string describe() const;

  /// Encodes the next piece of plaintext, appending the compressed bytes ready so far to
  /// `compressed` (codecs buffer internally, so often none). Throws FileWriteError.
  void encode(std::string_view plaintext, std::string& compressed);
  /// Ends every stream (writes the trailers) and appends the rest. Call once, after the last
  /// encode(); the output is a complete file only after it. Throws FileWriteError.
  void finish(std::string& compressed);

 private:
  std::unique_ptr<detail::StreamCodecChain> chain_;
};

}  // namespace atomicio
