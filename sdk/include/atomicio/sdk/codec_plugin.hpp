// What a compression codec author implements: a stream that turns input bytes into output
// bytes a piece at a time, for decoding and for encoding. Derive from CodecPlugin, return
// CodecStream objects from open_decoder()/open_encoder(), and end one source file with
// ATOMICIO_CODEC_PLUGIN(YourClass).
//
// The host owns all buffers and drives the stream, so memory stays bounded by the buffers
// whatever the size of the data, and a decompression bomb is stopped by the host's size limit.
//
// Thread-safety: open_decoder()/open_encoder() may run on several threads at once; one stream is
// used by one thread at a time.
#pragma once

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/entry_guard.hpp>
#include <atomicio/sdk/errors.hpp>
#include <atomicio/sdk/export.hpp>

#include <cstddef>
#include <memory>
#include <span>

namespace atomicio::sdk {
inline namespace abi_v1 {

class CodecStream {
 public:
  struct Progress {
    std::size_t consumed = 0;  ///< bytes of `in` used
    std::size_t produced = 0;  ///< bytes written to the front of `out`
    bool done = false;         ///< with `finish`: everything has been produced
  };

  virtual ~CodecStream() = default;

  /// Consumes what it can of `in` and produces what fits into `out` (never empty). `finish`
  /// says `in` holds the last of the input: an encoder then writes its trailer, and a decoder
  /// whose input ends inside a stream throws ParseError("... truncated ...", -1, -1, offset).
  /// Invalid data is a ParseError with the compressed byte offset. A decoder reads
  /// concatenated streams as one.
  virtual Progress step(std::span<const unsigned char> in, std::span<unsigned char> out,
                        bool finish) = 0;
};

class CodecPlugin {
 public:
  virtual ~CodecPlugin() = default;
  virtual std::unique_ptr<CodecStream> open_decoder() = 0;
  /// `level`: the codec's own scale (e.g. 1-9), or -1 for its default.
  virtual std::unique_ptr<CodecStream> open_encoder(int level) = 0;
};

namespace detail {

template <class Plugin>
const atomicio_plugin_v1* codec_entry(const atomicio_host_v1* host, const char* id,
                                      const char* version) noexcept {
  // Codecs need the host to know atomicio_codec_v1: minor 1 or later.
  if (host == nullptr || host->abi_major != ATOMICIO_ABI_MAJOR || host->abi_minor < 1) return nullptr;
  Plugin* instance = plugin_instance<Plugin>();
  if (instance == nullptr) return nullptr;
  static const atomicio_codec_v1 table{
      sizeof(atomicio_codec_v1), instance,
      [](void* self, std::int32_t direction, std::int32_t level, void** stream,
         atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic, [&] {
          auto* plugin = static_cast<Plugin*>(self);
          *stream = (direction == ATOMICIO_CODEC_ENCODE ? plugin->open_encoder(level)
                                                        : plugin->open_decoder())
                        .release();
        });
      },
      [](void*, void* stream, atomicio_codec_step* io, atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic, [&] {
          CodecStream::Progress progress = static_cast<CodecStream*>(stream)->step(
              std::span<const unsigned char>(io->in, io->in_size),
              std::span<unsigned char>(io->out, io->out_size), io->finish != 0);
          io->in_used = progress.consumed;
          io->out_used = progress.produced;
          io->done = progress.done ? 1 : 0;
        });
      },
      [](void*, void* stream) noexcept { delete static_cast<CodecStream*>(stream); }};
  static const atomicio_plugin_v1 descriptor{sizeof(atomicio_plugin_v1), ATOMICIO_ABI_MAJOR,
                                             declared_abi_minor<1>(),     ATOMICIO_KIND_CODEC,
                                             id,                          version,
                                             &table};
  return &descriptor;
}

}  // namespace detail
}  // namespace abi_v1
}  // namespace atomicio::sdk

/// Emits the plugin's entry point for codec class `PluginClass` (default-constructible).
#define ATOMICIO_CODEC_PLUGIN(PluginClass)                                                  \
  extern "C" ATOMICIO_PLUGIN_EXPORT const atomicio_plugin_v1* atomicio_plugin_entry_v1(     \
      const atomicio_host_v1* host) {                                                       \
    return ::atomicio::sdk::detail::codec_entry<PluginClass>(host, ATOMICIO_PLUGIN_ID,      \
                                                             ATOMICIO_PLUGIN_VERSION);      \
  }
