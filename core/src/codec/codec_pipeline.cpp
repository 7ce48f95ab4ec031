// Driving codec streams: the host's half of the step protocol in the SDK's abi.h.
#include "codec/codec_pipeline.hpp"

#include <atomicio/errors.hpp>

namespace atomicio::detail {

namespace {

// Large enough that per-step overhead vanishes, small enough to stay in cache.
constexpr std::size_t kBufferSize = 64 * 1024;

}  // namespace

DecoderSource::DecoderSource(const Codec& codec, ByteSource& upstream, const std::filesystem::path& file)
    : stream_(codec, CodecDirection::decode, -1, file), upstream_(upstream), input_(kBufferSize) {}

// Moves unread input to the front and reads more after it; false when nothing more came.
bool DecoderSource::refill() {
  if (upstream_ended_) return false;
  if (begin_ > 0) {
    std::copy(input_.begin() + static_cast<std::ptrdiff_t>(begin_), input_.begin() + static_cast<std::ptrdiff_t>(end_),
              input_.begin());
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == input_.size()) return false;  // full: more input would not help
  std::size_t n = upstream_.read(reinterpret_cast<char*>(input_.data() + end_), input_.size() - end_);
  if (n == 0) upstream_ended_ = true;
  end_ += n;
  return n > 0;
}

std::size_t DecoderSource::read(char* buffer, std::size_t capacity) {
  if (capacity == 0) return 0;
  while (!done_) {
    if (begin_ == end_ && !upstream_ended_) refill();
    CodecStream::Progress progress = stream_.step(
        std::span<const unsigned char>(input_.data() + begin_, end_ - begin_),
        std::span<unsigned char>(reinterpret_cast<unsigned char*>(buffer), capacity), upstream_ended_);
    begin_ += progress.consumed;
    done_ = progress.done;
    if (done_ && begin_ != end_) stream_.fail("data follows the end of the compressed stream");
    if (progress.produced > 0) return progress.produced;
    if (done_) break;
    if (progress.consumed == 0) {
      // It saw the end of the input and still wants more: the data stops mid-stream.
      if (upstream_ended_) stream_.fail("the compressed data ends early (the file is truncated)");
      if (!refill() && !upstream_ended_) stream_.fail("the codec made no progress with a full input buffer");
    }
  }
  return 0;
}

std::size_t LimitedSource::read(char* buffer, std::size_t capacity) {
  std::size_t n = upstream_.read(buffer, capacity);
  total_ += n;
  if (total_ > limit_)
    throw FileReadError("decompress", file_,
                        "the decompressed content exceeds the limit of " + std::to_string(limit_) +
                            " bytes (FileOptions::max_decoded_size); the file may be a decompression bomb");
  return n;
}

EncoderSink::EncoderSink(const Codec& codec, int level, ByteSink& downstream, const std::filesystem::path& file)
    : stream_(codec, CodecDirection::encode, level, file), downstream_(downstream), output_(kBufferSize) {}

void EncoderSink::run(std::span<const unsigned char> in, bool finish) {
  for (;;) {
    CodecStream::Progress progress = stream_.step(in, output_, finish);
    in = in.subspan(progress.consumed);
    if (progress.produced > 0)
      downstream_.write(std::string_view(reinterpret_cast<const char*>(output_.data()), progress.produced));
    if (finish ? progress.done : in.empty()) return;
    if (progress.consumed == 0 && progress.produced == 0) stream_.fail("the codec made no progress");
  }
}

void EncoderSink::write(std::string_view bytes) {
  if (!bytes.empty()) run(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), false);
}

void EncoderSink::finish() { run({}, true); }

DecodingPipeline::DecodingPipeline(const Encoding& encoding, ByteSource& file_bytes, std::uint64_t limit,
                                   const std::filesystem::path& file) {
  ByteSource* source = &file_bytes;
  for (auto codec = encoding.codecs.rbegin(); codec != encoding.codecs.rend(); ++codec) {
    decoders_.push_back(std::make_unique<DecoderSource>(**codec, *source, file));
    source = decoders_.back().get();
  }
  limited_ = std::make_unique<LimitedSource>(*source, limit, file);
}

EncodingPipeline::EncodingPipeline(const Encoding& encoding, int level, ByteSink& file_bytes,
                                   const std::filesystem::path& file)
    : input_(&file_bytes) {
  for (auto codec = encoding.codecs.rbegin(); codec != encoding.codecs.rend(); ++codec) {
    encoders_.push_back(std::make_unique<EncoderSink>(**codec, level, *input_, file));
    input_ = encoders_.back().get();
  }
}

void EncodingPipeline::finish() {
  for (auto encoder = encoders_.rbegin(); encoder != encoders_.rend(); ++encoder) (*encoder)->finish();
}

}  // namespace atomicio::detail
