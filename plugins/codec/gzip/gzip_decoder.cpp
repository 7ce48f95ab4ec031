// Decoding gzip with zlib's inflate in gzip-only mode (windowBits 15 + 16), one member at a
// time; the shared ConcatenatedDecoder strings members together and frames the errors.
#include "codec_limits.hpp"
#include "concatenated_decoder.hpp"
#include "gzip_codec.hpp"

#include <zlib.h>

#include <new>
#include <stdexcept>
#include <string>

namespace atomicio::gzip {

namespace {

class InflateEngine {
 public:
  static constexpr std::string_view kFormat = "gzip";
  static constexpr std::string_view kUnit = "member";
  static constexpr std::size_t kMagicSize = 2;
  static constexpr bool kZeroPadding = false;
  static bool magic_byte_ok(std::size_t index, unsigned char byte) {
    return byte == (index == 0 ? 0x1f : 0x8b);
  }

  InflateEngine() = default;
  // zlib's state points back at the z_stream, so the engine must stay where it was built.
  InflateEngine(const InflateEngine&) = delete;
  InflateEngine& operator=(const InflateEngine&) = delete;
  ~InflateEngine() {
    if (initialized_) inflateEnd(&z_);
  }

  void start() {
    if (initialized_) {
      if (inflateReset(&z_) != Z_OK) throw std::logic_error("zlib: inflateReset failed");
      return;
    }
    const int status = inflateInit2(&z_, 15 + 16);
    if (status == Z_MEM_ERROR) throw std::bad_alloc();
    if (status != Z_OK) throw std::runtime_error(std::string("zlib: inflateInit2 failed: ") + message(status));
    initialized_ = true;
  }

  codec::EngineResult run(std::span<const unsigned char> in, std::span<unsigned char> out) {
    // zlib's next_in is not const unless ZLIB_CONST is defined; inflate never writes through it.
    z_.next_in = const_cast<Bytef*>(in.data());
    z_.avail_in = codec::uint_chunk(in.size());
    z_.next_out = out.data();
    z_.avail_out = codec::uint_chunk(out.size());
    const unsigned int in_given = z_.avail_in;
    const unsigned int out_given = z_.avail_out;
    const int status = inflate(&z_, Z_NO_FLUSH);
    codec::EngineResult result{in_given - z_.avail_in, out_given - z_.avail_out};
    switch (status) {
      case Z_OK:
      case Z_BUF_ERROR:  // no progress was possible: inflate needs more input
        break;
      case Z_STREAM_END:
        result.stream_end = true;
        break;
      case Z_DATA_ERROR:
        result.error = message(status);
        break;
      case Z_NEED_DICT:  // cannot happen in gzip mode; refuse rather than stall
        result.error = "the stream asks for a preset dictionary";
        break;
      case Z_MEM_ERROR:
        throw std::bad_alloc();
      default:
        throw std::logic_error(std::string("zlib: inflate failed: ") + message(status));
    }
    return result;
  }

 private:
  const char* message(int status) const { return z_.msg != nullptr ? z_.msg : zError(status); }

  z_stream z_{};
  bool initialized_ = false;
};

}  // namespace

std::unique_ptr<sdk::CodecStream> make_decoder() {
  return std::make_unique<codec::ConcatenatedDecoder<InflateEngine>>();
}

}  // namespace atomicio::gzip
