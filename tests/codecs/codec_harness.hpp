// Drives a codec plugin at the ABI level, as the core will: the plugin is found and loaded by a
// PluginHost over the build tree's plugin directory, and its atomicio_codec_v1 table is called
// with host-owned buffers of sizes the test chooses. Every step is checked against the
// contract in abi.h (never more bytes used than given, progress or done on every call), so a
// plugin that breaks it fails the test instead of hanging it.
#pragma once

#include <atomicio/sdk/abi.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace atomicio::test {

/// A codec call that returned a status other than ATOMICIO_OK, with the plugin's diagnostic.
class CodecFailure : public std::runtime_error {
 public:
  CodecFailure(std::int32_t status, const std::string& message, std::int64_t byte_offset)
      : std::runtime_error(message), status_(status), byte_offset_(byte_offset) {}
  std::int32_t status() const noexcept { return status_; }
  /// The compressed byte offset the plugin reported, or -1.
  std::int64_t byte_offset() const noexcept { return byte_offset_; }

 private:
  std::int32_t status_;
  std::int64_t byte_offset_;
};

/// How the host feeds a stream: input handed over in pieces of at most `in_piece` bytes (the
/// rest of the input while the codec leaves some unused), output through a buffer of
/// `out_buffer` bytes (never 0).
struct Feeding {
  std::size_t in_piece = std::numeric_limits<std::size_t>::max();
  std::size_t out_buffer = 64 * 1024;
};

/// One codec plugin, loaded once per process. Not thread-safe (tests use one thread).
class CodecHarness {
 public:
  /// Loads plugin `id` ("codec.gzip") through a PluginHost searching only ATOMICIO_TEST_PLUGIN_DIR.
  /// Throws the host's PluginNotInstalledError/PluginLoadError, or std::runtime_error when the
  /// plugin is not a codec.
  explicit CodecHarness(const std::string& id);

  /// The whole of `data` compressed at `level` (-1: the codec's default). Throws CodecFailure
  /// for a failed open or step, std::logic_error when the plugin breaks the step contract.
  std::string encode(std::string_view data, int level = -1, Feeding feeding = {}) const;
  /// The whole of `data` decompressed; throws as encode() does. `level` is passed to open,
  /// which decoders ignore.
  std::string decode(std::string_view data, Feeding feeding = {}, int level = -1) const;

 private:
  std::string run(std::int32_t direction, int level, std::string_view input, Feeding feeding) const;

  const atomicio_codec_v1* codec_ = nullptr;
};

}  // namespace atomicio::test
