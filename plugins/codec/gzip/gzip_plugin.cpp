// codec.gzip: gzip files (.gz) through zlib, linked privately into this plugin. This file only
// binds the two directions (gzip_decoder.cpp, gzip_encoder.cpp) to the SDK's codec interface.
#include "codec_limits.hpp"
#include "gzip_codec.hpp"

#include <atomicio/sdk/codec_plugin.hpp>

namespace {

class GzipCodec final : public atomicio::sdk::CodecPlugin {
 public:
  std::unique_ptr<atomicio::sdk::CodecStream> open_decoder() override { return atomicio::gzip::make_decoder(); }

  std::unique_ptr<atomicio::sdk::CodecStream> open_encoder(int level) override {
    using namespace atomicio::gzip;
    return make_encoder(atomicio::codec::checked_level("gzip", level, kMinLevel, kMaxLevel, kDefaultLevel));
  }
};

}  // namespace

ATOMICIO_CODEC_PLUGIN(GzipCodec)
