// Decoding bzip2 with libbzip2's BZ2_bzDecompress, one stream at a time; the shared
// ConcatenatedDecoder strings streams together (as bzip2(1) does) and frames the errors.
#include "bz2_codec.hpp"
#include "codec_limits.hpp"
#include "concatenated_decoder.hpp"

#include <bzlib.h>

#include <new>
#include <stdexcept>
#include <string>

namespace atomicio::bz2 {

namespace {

class DecompressEngine {
 public:
  static constexpr std::string_view kFormat = "bzip2";
  static constexpr std::string_view kUnit = "stream";
  // "BZh" and the block size digit; libbzip2 would only say BZ_DATA_ERROR_MAGIC.
  static constexpr std::size_t kMagicSize = 4;
  static constexpr bool kZeroPadding = false;
  static bool magic_byte_ok(std::size_t index, unsigned char byte) {
    if (index == 3) return byte >= '1' && byte <= '9';
    return byte == "BZh"[index];
  }

  DecompressEngine() = default;
  // libbzip2 refuses a bz_stream that has moved (its state points back at it).
  DecompressEngine(const DecompressEngine&) = delete;
  DecompressEngine& operator=(const DecompressEngine&) = delete;
  ~DecompressEngine() { end(); }

  void start() {
    // libbzip2 has no reset: a finished stream is ended and a fresh one begun.
    end();
    bz_ = bz_stream{};
    const int status = BZ2_bzDecompressInit(&bz_, 0, 0);
    if (status == BZ_MEM_ERROR) throw std::bad_alloc();
    if (status != BZ_OK) throw std::runtime_error("libbzip2: BZ2_bzDecompressInit failed (" + std::to_string(status) + ")");
    initialized_ = true;
  }

  codec::EngineResult run(std::span<const unsigned char> in, std::span<unsigned char> out) {
    // libbzip2 takes char pointers and never writes through next_in.
    bz_.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    bz_.avail_in = codec::uint_chunk(in.size());
    bz_.next_out = reinterpret_cast<char*>(out.data());
    bz_.avail_out = codec::uint_chunk(out.size());
    const unsigned int in_given = bz_.avail_in;
    const unsigned int out_given = bz_.avail_out;
    const int status = BZ2_bzDecompress(&bz_);
    codec::EngineResult result{in_given - bz_.avail_in, out_given - bz_.avail_out};
    switch (status) {
      case BZ_OK:
        break;
      case BZ_STREAM_END:
        result.stream_end = true;
        break;
      case BZ_DATA_ERROR:
        result.error = "data integrity error (a CRC mismatch or a damaged block)";
        break;
      case BZ_DATA_ERROR_MAGIC:
        result.error = "bad magic number";
        break;
      case BZ_MEM_ERROR:
        throw std::bad_alloc();
      default:
        throw std::logic_error("libbzip2: BZ2_bzDecompress failed (" + std::to_string(status) + ")");
    }
    return result;
  }

 private:
  void end() noexcept {
    if (initialized_) BZ2_bzDecompressEnd(&bz_);
    initialized_ = false;
  }

  bz_stream bz_{};
  bool initialized_ = false;
};

}  // namespace

std::unique_ptr<sdk::CodecStream> make_decoder() {
  return std::make_unique<codec::ConcatenatedDecoder<DecompressEngine>>();
}

}  // namespace atomicio::bz2
