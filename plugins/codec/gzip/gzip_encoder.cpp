// Encoding gzip with zlib's deflate, writing a real gzip header and trailer (windowBits 15 + 16)
// so gzip(1) and every gzip reader accept the output. zlib writes MTIME 0 and no file name,
// so equal input and level give byte-identical output.
#include "codec_limits.hpp"
#include "gzip_codec.hpp"

#include <zlib.h>

#include <new>
#include <stdexcept>
#include <string>

namespace atomicio::gzip {

namespace {

class DeflateStream final : public sdk::CodecStream {
 public:
  explicit DeflateStream(int level) {
    const int status = deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (status == Z_MEM_ERROR) throw std::bad_alloc();
    if (status != Z_OK)
      throw std::runtime_error(std::string("zlib: deflateInit2 failed: ") + (z_.msg ? z_.msg : zError(status)));
  }
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;
  ~DeflateStream() override { deflateEnd(&z_); }

  Progress step(std::span<const unsigned char> in, std::span<unsigned char> out, bool finish) override {
    Progress progress;
    while (!finished_ && progress.produced < out.size()) {
      std::span<const unsigned char> rest = in.subspan(progress.consumed);
      z_.next_in = const_cast<Bytef*>(rest.data());  // deflate never writes through next_in
      z_.avail_in = codec::uint_chunk(rest.size());
      z_.next_out = out.data() + progress.produced;
      z_.avail_out = codec::uint_chunk(out.size() - progress.produced);
      const unsigned int in_given = z_.avail_in;
      const unsigned int out_given = z_.avail_out;
      // Z_FINISH only once this call holds the last of the input; zlib then expects it on every
      // later call until Z_STREAM_END, with the same remaining input.
      const bool last = finish && in_given == rest.size();
      const int status = deflate(&z_, last ? Z_FINISH : Z_NO_FLUSH);
      const std::size_t used_in = in_given - z_.avail_in;
      const std::size_t used_out = out_given - z_.avail_out;
      progress.consumed += used_in;
      progress.produced += used_out;
      if (status == Z_STREAM_END) {
        finished_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        throw std::logic_error(std::string("zlib: deflate failed: ") + (z_.msg ? z_.msg : zError(status)));
      } else if (used_in == 0 && used_out == 0) {
        break;  // deflate needs more input (or Z_BUF_ERROR: nothing to do)
      }
    }
    progress.done = finished_;
    return progress;
  }

 private:
  z_stream z_{};
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<sdk::CodecStream> make_encoder(int level) { return std::make_unique<DeflateStream>(level); }

}  // namespace atomicio::gzip
