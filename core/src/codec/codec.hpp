// A compression codec from a plugin, and one running stream of it. The host owns every buffer:
// a stream is driven step by step (see atomicio_codec_step in the SDK's abi.h).
#pragma once

#include <atomicio/sdk/abi.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace atomicio::detail {

class Codec {
 public:
  Codec(const atomicio_codec_v1& table, std::string plugin_id, std::string extension)
      : table_(table), plugin_id_(std::move(plugin_id)), extension_(std::move(extension)) {}
  const atomicio_codec_v1& table() const noexcept { return table_; }
  const std::string& plugin_id() const noexcept { return plugin_id_; }
  /// The suffix this codec was chosen for (".gz").
  const std::string& extension() const noexcept { return extension_; }

 private:
  const atomicio_codec_v1& table_;
  std::string plugin_id_;
  std::string extension_;
};

enum class CodecDirection { decode = ATOMICIO_CODEC_DECODE, encode = ATOMICIO_CODEC_ENCODE };

/// One stream of a codec for `file`. Failures are typed by direction: decoding throws
/// FileReadError ("decompress", with the compressed byte offset when the codec knows it),
/// encoding throws FileWriteError ("compress").
class CodecStream {
 public:
  struct Progress {
    std::size_t consumed = 0;
    std::size_t produced = 0;
    bool done = false;
  };

  CodecStream(const Codec& codec, CodecDirection direction, int level, const std::filesystem::path& file);
  ~CodecStream();
  CodecStream(const CodecStream&) = delete;
  CodecStream& operator=(const CodecStream&) = delete;

  Progress step(std::span<const unsigned char> in, std::span<unsigned char> out, bool finish);

  /// Throws the direction's error for a stream that cannot go on ("... is truncated").
  [[noreturn]] void fail(const std::string& detail, long long byte_offset = -1) const;

 private:
  const Codec& codec_;
  CodecDirection direction_;
  const std::filesystem::path& file_;
  void* stream_ = nullptr;
};

}  // namespace atomicio::detail
