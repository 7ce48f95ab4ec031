// What a ContentWriter holds: the file's exclusive lock, the commit and the encoders in front of
// it. Heap-allocated once, so the sinks may point at each other.
#pragma once

#include "api/file_core.hpp"
#include "codec/codec_pipeline.hpp"

#include <atomicio/atomic_writer.hpp>
#include <atomicio/file_lock.hpp>

namespace atomicio::detail {

struct ContentWriterState {
  ContentWriterState(FileLock held, Encoding used, const FileCore& core, WriteMode mode, ResolvedTarget&& target)
      : lock(std::move(held)),
        encoding(std::move(used)),
        writer(core.path(), std::move(target), CommitOptions{core.durability(), mode}),
        file_bytes(writer),
        pipeline(encoding, core.options().compression_level, file_bytes, core.path()) {}

  FileLock lock;
  Encoding encoding;
  AtomicWriter writer;
  WriterSink file_bytes;
  EncodingPipeline pipeline;
  std::uint64_t plaintext_bytes = 0;
  bool failed = false;
};

}  // namespace atomicio::detail
