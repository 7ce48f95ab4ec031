// codec.xz: .xz files through liblzma, linked privately into this plugin. This file only binds
// the two directions (xz_decoder.cpp, xz_encoder.cpp) to the SDK's codec interface.
#include "codec_limits.hpp"
#include "xz_codec.hpp"

#include <atomicio/sdk/codec_plugin.hpp>

namespace {

class XzCodec final : public atomicio::sdk::CodecPlugin {
 public:
  std::unique_ptr<atomicio::sdk::CodecStream> open_decoder() override { return atomicio::xz::make_decoder(); }

  std::unique_ptr<atomicio::sdk::CodecStream> open_encoder(int level) override {
    using namespace atomicio::xz;
    return make_encoder(atomicio::codec::checked_level("xz", level, kMinLevel, kMaxLevel, kDefaultLevel));
  }
};

}  // namespace

ATOMICIO_CODEC_PLUGIN(XzCodec)
