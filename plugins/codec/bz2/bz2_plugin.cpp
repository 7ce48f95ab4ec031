// codec.bz2: bzip2 files (.bz2) through libbzip2, linked privately into this plugin. This file
// only binds the two directions (bz2_decoder.cpp, bz2_encoder.cpp) to the SDK's codec interface.
#include "bz2_codec.hpp"
#include "codec_limits.hpp"

#include <atomicio/sdk/codec_plugin.hpp>

namespace {

class Bz2Codec final : public atomicio::sdk::CodecPlugin {
 public:
  std::unique_ptr<atomicio::sdk::CodecStream> open_decoder() override { return atomicio::bz2::make_decoder(); }

  std::unique_ptr<atomicio::sdk::CodecStream> open_encoder(int level) override {
    using namespace atomicio::bz2;
    return make_encoder(atomicio::codec::checked_level("bzip2", level, kMinLevel, kMaxLevel, kDefaultLevel));
  }
};

}  // namespace

ATOMICIO_CODEC_PLUGIN(Bz2Codec)
