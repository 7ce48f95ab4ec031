// Encoding .xz with liblzma's easy encoder: one stream in the .xz container with an LZMA2
// filter and a CRC64 check, as xz(1) writes by default, so every xz reader accepts it.
#include "xz_codec.hpp"

#include <lzma.h>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

namespace atomicio::xz {

namespace {

class EasyEncoderStream final : public sdk::CodecStream {
 public:
  explicit EasyEncoderStream(int level) {
    const lzma_ret status = lzma_easy_encoder(&lzma_, static_cast<std::uint32_t>(level), LZMA_CHECK_CRC64);
    if (status == LZMA_MEM_ERROR) throw std::bad_alloc();
    if (status != LZMA_OK)
      throw std::runtime_error("liblzma: lzma_easy_encoder failed (" + std::to_string(static_cast<int>(status)) + ")");
  }
  EasyEncoderStream(const EasyEncoderStream&) = delete;
  EasyEncoderStream& operator=(const EasyEncoderStream&) = delete;
  ~EasyEncoderStream() override { lzma_end(&lzma_); }

  Progress step(std::span<const unsigned char> in, std::span<unsigned char> out, bool finish) override {
    Progress progress;
    while (!finished_ && progress.produced < out.size()) {
      std::span<const unsigned char> rest = in.subspan(progress.consumed);
      lzma_.next_in = rest.data();
      lzma_.avail_in = rest.size();
      lzma_.next_out = out.data() + progress.produced;
      lzma_.avail_out = out.size() - progress.produced;
      // Once LZMA_FINISH is given, liblzma requires it on every later call, with exactly the
      // input it has not consumed yet (LZMA_PROG_ERROR otherwise).
      const lzma_ret status = lzma_code(&lzma_, finish ? LZMA_FINISH : LZMA_RUN);
      const std::size_t used_in = rest.size() - lzma_.avail_in;
      const std::size_t used_out = out.size() - progress.produced - lzma_.avail_out;
      progress.consumed += used_in;
      progress.produced += used_out;
      if (status == LZMA_STREAM_END) {
        finished_ = true;
      } else if (status == LZMA_MEM_ERROR) {
        throw std::bad_alloc();
      } else if (status != LZMA_OK && status != LZMA_BUF_ERROR) {
        throw std::logic_error("liblzma: lzma_code failed (" + std::to_string(static_cast<int>(status)) +
                               "); was the input changed after the last piece?");
      } else if (used_in == 0 && used_out == 0) {
        break;  // the encoder needs more input (LZMA_BUF_ERROR: nothing to do)
      }
    }
    progress.done = finished_;
    return progress;
  }

 private:
  lzma_stream lzma_{};  // all zero is LZMA_STREAM_INIT
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<sdk::CodecStream> make_encoder(int level) { return std::make_unique<EasyEncoderStream>(level); }

}  // namespace atomicio::xz
