// Codec streams chained between a file and its plaintext, with bounded buffers: memory use does
// not grow with the size of the data.
#pragma once

#include "codec/encoding.hpp"
#include "stream/byte_sink.hpp"
#include "stream/byte_source.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace atomicio::detail {

/// The plaintext of `upstream` (compressed bytes) decoded by one codec.
class DecoderSource final : public ByteSource {
 public:
  DecoderSource(const Codec& codec, ByteSource& upstream, const std::filesystem::path& file);
  std::size_t read(char* buffer, std::size_t capacity) override;

 private:
  bool refill();

  CodecStream stream_;
  ByteSource& upstream_;
  std::vector<unsigned char> input_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool upstream_ended_ = false;
  bool done_ = false;
};

/// Stops with FileReadError once more than `limit` bytes come through: the guard against
/// decompression bombs.
class LimitedSource final : public ByteSource {
 public:
  LimitedSource(ByteSource& upstream, std::uint64_t limit, const std::filesystem::path& file) noexcept
      : upstream_(upstream), limit_(limit), file_(file) {}
  std::size_t read(char* buffer, std::size_t capacity) override;

 private:
  ByteSource& upstream_;
  std::uint64_t limit_;
  std::uint64_t total_ = 0;
  const std::filesystem::path& file_;
};

/// Plaintext written to it leaves encoded into `downstream`. finish() writes the trailer; an
/// encoder destroyed unfinished has produced an incomplete stream (its commit must not happen).
class EncoderSink final : public ByteSink {
 public:
  EncoderSink(const Codec& codec, int level, ByteSink& downstream, const std::filesystem::path& file);
  void write(std::string_view bytes) override;
  void finish();

 private:
  void run(std::span<const unsigned char> in, bool finish);

  CodecStream stream_;
  ByteSink& downstream_;
  std::vector<unsigned char> output_;
};

/// All of an Encoding's decoders over `file_bytes`, ending in the size limit.
class DecodingPipeline {
 public:
  DecodingPipeline(const Encoding& encoding, ByteSource& file_bytes, std::uint64_t limit,
                   const std::filesystem::path& file);
  ByteSource& plaintext() noexcept { return *limited_; }

 private:
  std::vector<std::unique_ptr<DecoderSource>> decoders_;
  std::unique_ptr<LimitedSource> limited_;
};

/// All of an Encoding's encoders in front of `file_bytes`. Without codecs, plaintext() is
/// `file_bytes` itself.
class EncodingPipeline {
 public:
  EncodingPipeline(const Encoding& encoding, int level, ByteSink& file_bytes, const std::filesystem::path& file);
  ByteSink& plaintext() noexcept { return *input_; }
  /// Ends every stream, innermost first. Call once, after the last write.
  void finish();

 private:
  std::vector<std::unique_ptr<EncoderSink>> encoders_;  // outermost first
  ByteSink* input_;
};

}  // namespace atomicio::detail
