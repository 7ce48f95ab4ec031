// CodecStream: one plugin stream, with the plugin's failures turned into typed errors.
#include "codec/codec.hpp"

#include "plugin/diagnostic.hpp"

#include <atomicio/errors.hpp>

namespace atomicio::detail {

namespace {

std::error_code os_code(std::int32_t status, const Diagnostic& diagnostic) {
  if (status == ATOMICIO_ERR_OS && diagnostic.raw.os_errno != 0) return {diagnostic.raw.os_errno, std::generic_category()};
  return {};
}

}  // namespace

CodecStream::CodecStream(const Codec& codec, CodecDirection direction, int level, const std::filesystem::path& file)
    : codec_(codec), direction_(direction), file_(file) {
  Diagnostic diagnostic;
  std::int32_t status = codec.table().open(codec.table().self, static_cast<std::int32_t>(direction), level,
                                           &stream_, &diagnostic.raw);
  if (status != ATOMICIO_OK || stream_ == nullptr) {
    std::string detail = codec.plugin_id() + " could not start " +
                         (direction == CodecDirection::encode ? "compressing" : "decompressing") + ": " +
                         (diagnostic.message.empty() ? "no stream" : diagnostic.message);
    if (direction == CodecDirection::encode) throw FileWriteError("compress", file, detail, os_code(status, diagnostic));
    throw FileReadError("decompress", file, detail, os_code(status, diagnostic));
  }
}

CodecStream::~CodecStream() {
  if (stream_ != nullptr) codec_.table().close(codec_.table().self, stream_);
}

CodecStream::Progress CodecStream::step(std::span<const unsigned char> in, std::span<unsigned char> out, bool finish) {
  atomicio_codec_step io{sizeof(atomicio_codec_step), in.data(), in.size(), 0, out.data(), out.size(), 0,
                         finish ? 1 : 0, 0};
  Diagnostic diagnostic;
  std::int32_t status = codec_.table().step(codec_.table().self, stream_, &io, &diagnostic.raw);
  if (status != ATOMICIO_OK) {
    std::string message = diagnostic.message.empty() ? "failed" : diagnostic.message;
    if (direction_ == CodecDirection::encode)
      throw FileWriteError("compress", file_, codec_.plugin_id() + ": " + message, os_code(status, diagnostic));
    // Codec messages already say where ("at byte N"); the offset is also kept as a field.
    throw FileReadError("decompress", file_, codec_.plugin_id() + ": " + message,
                        os_code(status, diagnostic), -1, -1, diagnostic.raw.byte_offset);
  }
  // A codec reporting more than it was given would make the host read or write out of bounds.
  if (io.in_used > in.size() || io.out_used > out.size())
    fail("the codec reported using more bytes than it was given");
  return {io.in_used, io.out_used, io.done != 0};
}

void CodecStream::fail(const std::string& detail, long long byte_offset) const {
  if (direction_ == CodecDirection::encode) throw FileWriteError("compress", file_, codec_.plugin_id() + ": " + detail);
  throw FileReadError("decompress", file_, codec_.plugin_id() + ": " + detail, {}, -1, -1, byte_offset);
}

}  // namespace atomicio::detail
