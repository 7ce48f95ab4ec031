// Encoding bzip2 with libbzip2's BZ2_bzCompress: a standard stream ("BZh" + level) that
// bzip2(1) and every bzip2 reader accept.
#include "bz2_codec.hpp"
#include "codec_limits.hpp"

#include <bzlib.h>

#include <new>
#include <stdexcept>
#include <string>

namespace atomicio::bz2 {

namespace {

class CompressStream final : public sdk::CodecStream {
 public:
  explicit CompressStream(int level) {
    const int status = BZ2_bzCompressInit(&bz_, level, 0, 0);  // work factor 0: libbzip2's default
    if (status == BZ_MEM_ERROR) throw std::bad_alloc();
    if (status != BZ_OK) throw std::runtime_error("libbzip2: BZ2_bzCompressInit failed (" + std::to_string(status) + ")");
  }
  CompressStream(const CompressStream&) = delete;
  CompressStream& operator=(const CompressStream&) = delete;
  ~CompressStream() override { BZ2_bzCompressEnd(&bz_); }

  Progress step(std::span<const unsigned char> in, std::span<unsigned char> out, bool finish) override {
    Progress progress;
    while (!finished_ && progress.produced < out.size()) {
      std::span<const unsigned char> rest = in.subspan(progress.consumed);
      const bool last = finish && rest.size() <= UINT_MAX;
      bz_.next_in = const_cast<char*>(reinterpret_cast<const char*>(rest.data()));  // never written
      bz_.avail_in = codec::uint_chunk(rest.size());
      bz_.next_out = reinterpret_cast<char*>(out.data() + progress.produced);
      bz_.avail_out = codec::uint_chunk(out.size() - progress.produced);
      const unsigned int in_given = bz_.avail_in;
      const unsigned int out_given = bz_.avail_out;
      // BZ_FINISH only once this call holds the last of the input: libbzip2 then requires it
      // on every later call, with exactly the input it has not consumed yet.
      const int status = BZ2_bzCompress(&bz_, last ? BZ_FINISH : BZ_RUN);
      const std::size_t used_in = in_given - bz_.avail_in;
      const std::size_t used_out = out_given - bz_.avail_out;
      progress.consumed += used_in;
      progress.produced += used_out;
      if (status == BZ_STREAM_END) {
        finished_ = true;
      } else if (status == BZ_PARAM_ERROR && !last && in_given == 0) {
        break;  // BZ_RUN with no input and no output pending: libbzip2's way of saying "no progress"
      } else if (status == BZ_MEM_ERROR) {
        throw std::bad_alloc();
      } else if (status != BZ_RUN_OK && status != BZ_FINISH_OK) {
        throw std::logic_error("libbzip2: BZ2_bzCompress failed (" + std::to_string(status) +
                               "); was the input changed after the last piece?");
      } else if (used_in == 0 && used_out == 0) {
        break;
      }
    }
    progress.done = finished_;
    return progress;
  }

 private:
  bz_stream bz_{};
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<sdk::CodecStream> make_encoder(int level) { return std::make_unique<CompressStream>(level); }

}  // namespace atomicio::bz2
