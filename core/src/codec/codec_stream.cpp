// StreamDecoder / StreamEncoder: the codec chain driven by pushes instead of pulls. Each stage
// owns one fixed buffer; what a stage produces is pushed through the next stage before the
// stage goes on, so memory stays bounded whatever the piece sizes.
#include <atomicio/codec_stream.hpp>

#include "codec/codec.hpp"
#include "codec/encoding.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>

#include <vector>

namespace atomicio::detail {

struct StreamCodecChain {
  struct Stage {
    std::unique_ptr<CodecStream> stream;
    std::vector<unsigned char> buffer;
    bool done = false;
  };

  // Heap-held, so the path CodecStream refers to never moves.
  std::filesystem::path file;
  Encoding encoding;
  CodecDirection direction = CodecDirection::decode;
  std::vector<Stage> stages;  // in the order the data goes through them
  bool finished = false;

  void push(std::size_t index, std::span<const unsigned char> in, bool finish, std::string& out);
};

namespace {

constexpr std::size_t kStageBuffer = 64 * 1024;

std::unique_ptr<StreamCodecChain> make_chain(const std::filesystem::path& file, const CodecSelection& selection,
                                             CodecDirection direction, int level, PluginHost* plugins) {
  auto chain = std::make_unique<StreamCodecChain>();
  chain->file = file;
  chain->direction = direction;
  PluginHost& host = plugins != nullptr ? *plugins : PluginHost::global();
  if (!selection.none) {
    if (selection.suffix.empty()) {
      chain->encoding = find_encoding(file, host);
    } else {
      std::string suffix = selection.suffix.starts_with('.') ? selection.suffix : "." + selection.suffix;
      chain->encoding = find_encoding_of_name("stream" + suffix, file, host);
      if (chain->encoding.codecs.empty())
        throw UnsupportedFormatError("choose codec for", file,
                                     "no installed codec plugin handles '" + suffix + "' compression");
    }
  }
  const auto& codecs = chain->encoding.codecs;
  // Plaintext meets codecs.front() first when encoding; the file's bytes meet codecs.back() first.
  for (std::size_t i = 0; i < codecs.size(); ++i) {
    const Codec& codec = direction == CodecDirection::encode ? *codecs[i] : *codecs[codecs.size() - 1 - i];
    chain->stages.push_back({std::make_unique<CodecStream>(codec, direction, level, chain->file),
                             std::vector<unsigned char>(kStageBuffer), false});
  }
  return chain;
}

std::string describe_chain(const StreamCodecChain* chain) {
  std::string text;
  if (chain == nullptr) return text;
  for (auto codec = chain->encoding.codecs.rbegin(); codec != chain->encoding.codecs.rend(); ++codec)
    text += (*codec)->extension();
  return text;
}

std::span<const unsigned char> bytes_of(std::string_view text) {
  return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

}  // namespace

void StreamCodecChain::push(std::size_t index, std::span<const unsigned char> in, bool finish, std::string& out) {
  if (index == stages.size()) {
    out.append(reinterpret_cast<const char*>(in.data()), in.size());
    return;
  }
  Stage& stage = stages[index];
  const bool decoding = direction == CodecDirection::decode;
  while (!stage.done) {
    CodecStream::Progress progress = stage.stream->step(in, stage.buffer, finish);
    in = in.subspan(progress.consumed);
    if (progress.produced > 0) push(index + 1, {stage.buffer.data(), progress.produced}, false, out);
    stage.done = progress.done;
    if (stage.done) break;
    if (progress.consumed == 0 && progress.produced == 0) {
      if (!finish && in.empty()) break;  // wants more input
      if (finish && decoding) stage.stream->fail("the compressed data ends early (the file is truncated)");
      stage.stream->fail("the codec made no progress");
    }
    if (!finish && in.empty() && progress.produced < stage.buffer.size()) break;
  }
  if (stage.done && !in.empty() && decoding) stage.stream->fail("data follows the end of the compressed stream");
  if (finish) push(index + 1, {}, true, out);
}

}  // namespace atomicio::detail

namespace atomicio {

StreamDecoder::StreamDecoder(const std::filesystem::path& file, CodecSelection selection, PluginHost* plugins)
    : chain_(detail::make_chain(file, selection, detail::CodecDirection::decode, -1, plugins)) {}
StreamDecoder::StreamDecoder(StreamDecoder&&) noexcept = default;
StreamDecoder& StreamDecoder::operator=(StreamDecoder&&) noexcept = default;
StreamDecoder::~StreamDecoder() = default;

bool StreamDecoder::passthrough() const noexcept { return chain_ == nullptr || chain_->stages.empty(); }
std::string StreamDecoder::describe() const { return detail::describe_chain(chain_.get()); }

void StreamDecoder::decode(std::string_view compressed, std::string& plaintext) {
  if (chain_->finished) throw FileReadError("decompress", chain_->file, "input passed after finish()");
  if (!compressed.empty()) chain_->push(0, detail::bytes_of(compressed), false, plaintext);
}

void StreamDecoder::finish(std::string& plaintext) {
  if (chain_->finished) return;
  chain_->finished = true;
  chain_->push(0, {}, true, plaintext);
}

StreamEncoder::StreamEncoder(const std::filesystem::path& file, CodecSelection selection, int level,
                             PluginHost* plugins)
    : chain_(detail::make_chain(file, selection, detail::CodecDirection::encode, level, plugins)) {}
StreamEncoder::StreamEncoder(StreamEncoder&&) noexcept = default;
StreamEncoder& StreamEncoder::operator=(StreamEncoder&&) noexcept = default;
StreamEncoder::~StreamEncoder() = default;

bool StreamEncoder::passthrough() const noexcept { return chain_ == nullptr || chain_->stages.empty(); }
std::string StreamEncoder::describe() const { return detail::describe_chain(chain_.get()); }

void StreamEncoder::encode(std::string_view plaintext, std::string& compressed) {
  if (chain_->finished) throw FileWriteError("compress", chain_->file, "the stream was already finished");
  if (!plaintext.empty()) chain_->push(0, detail::bytes_of(plaintext), false, compressed);
}

void StreamEncoder::finish(std::string& compressed) {
  if (chain_->finished) return;
  chain_->finished = true;
  chain_->push(0, {}, true, compressed);
}

}  // namespace atomicio
