// Decoding .xz with liblzma's stream decoder, one stream at a time. LZMA_CONCATENATED is not
// used: with it liblzma reports garbage after the last stream as corrupt data, without saying
// where the streams ended. The shared ConcatenatedDecoder handles concatenation and stream
// padding itself, so trailing data is named as such, with its offset.
#include "concatenated_decoder.hpp"
#include "xz_codec.hpp"

#include <lzma.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

namespace atomicio::xz {

namespace {

constexpr std::uint64_t kMemoryLimit = std::uint64_t{512} << 20;

class StreamEngine {
 public:
  static constexpr std::string_view kFormat = "xz";
  static constexpr std::string_view kUnit = "stream";
  static constexpr std::size_t kMagicSize = 6;
  static constexpr bool kZeroPadding = true;
  static bool magic_byte_ok(std::size_t index, unsigned char byte) {
    constexpr unsigned char kMagic[kMagicSize] = {0xFD, '7', 'z', 'X', 'Z', 0x00};
    return byte == kMagic[index];
  }

  StreamEngine() = default;
  StreamEngine(const StreamEngine&) = delete;
  StreamEngine& operator=(const StreamEngine&) = delete;
  ~StreamEngine() { lzma_end(&lzma_); }

  void start() {
    // A memory limit, unlike xz(1)'s default: a stream's header chooses the dictionary size (up
    // to 1.5 GiB by the format), so a few hostile bytes could otherwise make us allocate that
    // much. 512 MiB is eight times what the largest preset (xz -9, 64 MiB) needs. Unknown check
    // types are decoded without checking, as xz(1) does with a warning. Re-initialising reuses
    // the previous stream's memory.
    const lzma_ret status = lzma_stream_decoder(&lzma_, kMemoryLimit, 0);
    if (status == LZMA_MEM_ERROR) throw std::bad_alloc();
    if (status != LZMA_OK) throw std::runtime_error("liblzma: lzma_stream_decoder failed: " + std::string(message(status)));
  }

  codec::EngineResult run(std::span<const unsigned char> in, std::span<unsigned char> out) {
    lzma_.next_in = in.data();
    lzma_.avail_in = in.size();
    lzma_.next_out = out.data();
    lzma_.avail_out = out.size();
    const lzma_ret status = lzma_code(&lzma_, LZMA_RUN);
    codec::EngineResult result{in.size() - lzma_.avail_in, out.size() - lzma_.avail_out};
    switch (status) {
      case LZMA_OK:
      case LZMA_BUF_ERROR:  // no progress was possible: the decoder needs more input
        break;
      case LZMA_STREAM_END:
        result.stream_end = true;
        break;
      case LZMA_FORMAT_ERROR:
      case LZMA_OPTIONS_ERROR:
      case LZMA_DATA_ERROR:
      case LZMA_MEMLIMIT_ERROR:
        result.error = message(status);
        break;
      case LZMA_MEM_ERROR:
        throw std::bad_alloc();
      default:
        throw std::logic_error("liblzma: lzma_code failed: " + std::string(message(status)));
    }
    return result;
  }

 private:
  // liblzma has no strerror; these are xz(1)'s wordings.
  static const char* message(lzma_ret status) {
    switch (status) {
      case LZMA_FORMAT_ERROR: return "file format not recognized";
      case LZMA_OPTIONS_ERROR: return "unsupported options (perhaps written by a newer xz)";
      case LZMA_DATA_ERROR: return "compressed data is corrupt";
      case LZMA_MEMLIMIT_ERROR: return "the stream needs more than 512 MiB of memory to decode (atomicio's limit)";
      case LZMA_MEM_ERROR: return "cannot allocate memory";
      case LZMA_PROG_ERROR: return "internal error (bug)";
      default: return "unexpected liblzma status";
    }
  }

  lzma_stream lzma_{};  // all zero is LZMA_STREAM_INIT
};

}  // namespace

std::unique_ptr<sdk::CodecStream> make_decoder() {
  return std::make_unique<codec::ConcatenatedDecoder<StreamEngine>>();
}

}  // namespace atomicio::xz
