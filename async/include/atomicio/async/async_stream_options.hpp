// AsyncStreamOptions: how an AsyncStream compresses, buffers and bounds its lines, and where its
// file's operations run.
#pragma once

#include <atomicio/async/async_file.hpp>
#include <atomicio/codec_stream.hpp>

#include <cstddef>
#include <cstdint>

namespace atomicio {

class PluginHost;

struct AsyncStreamOptions {
  /// The codecs applied (aiomisc's `compression=`): by the name's suffixes (`log.txt.gz` is
  /// gzip), one named whatever the file is called (CodecSelection::codec(".gz")), or none.
  CodecSelection compression = CodecSelection::by_name();
  /// The codec's own scale (gzip and bzip2 1-9, xz 0-9), -1 for its default. Writing only.
  int compression_level = -1;
  /// The longest line async_readline returns, separator included; a longer one is a
  /// FileReadError and the cursor stays at its start.
  std::uint64_t max_line = std::uint64_t{1} << 20;
  /// How much a read asks of the file at once (compressed bytes for compressed streams), and
  /// how many compressed bytes a writing stream gathers before it writes them out.
  std::size_t chunk_size = 64 * 1024;
  /// The file's options. `file.engine` is also the pool that large codec work runs on (the
  /// shared engine when null); AsyncStream::adopt takes it for the adopted file's engine.
  AsyncFileOptions file;
  /// Where codec plugins come from; null means PluginHost::global().
  PluginHost* plugins = nullptr;
};

}  // namespace atomicio
