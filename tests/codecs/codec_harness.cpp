// The codec harness: loading through the PluginHost, then the step loop a host runs.
//
// PluginHost::preload() loads the plugin and checks its handshake against the manifest. The
// registry that holds the resulting descriptor is internal to libatomicio and not exported from
// the shared library, so the harness then asks the dynamic loader for the library the host
// already mapped (RTLD_NOLOAD: never a second copy) and calls its entry point, which returns
// the same static descriptor the host got.
#include "codecs/codec_harness.hpp"

#include <atomicio/plugin_host.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <map>
#include <vector>

namespace atomicio::test {

namespace {

// Output beyond this means a runaway codec, not a test input.
constexpr std::size_t kMaxOutput = std::size_t{256} << 20;

struct Diagnostic {
  std::string message;
  atomicio_diagnostic raw{sizeof(atomicio_diagnostic), 0, -1, -1, -1, this,
                          [](void* context, const char* data, std::size_t size) noexcept {
                            static_cast<Diagnostic*>(context)->message.assign(data, size);
                          }};
};

PluginHost& test_host() {
  static PluginHost host(PluginHostOptions{{ATOMICIO_TEST_PLUGIN_DIR}, false, false});
  return host;
}

const atomicio_codec_v1* load_codec(const std::string& id) {
  static std::map<std::string, const atomicio_codec_v1*> loaded;
  if (auto found = loaded.find(id); found != loaded.end()) return found->second;
  PluginHost& host = test_host();
  host.preload(id);
  const auto plugins = host.plugins();
  auto info = std::find_if(plugins.begin(), plugins.end(), [&](const PluginInfo& p) {
    return p.id == id && p.state == PluginInfo::State::loaded;
  });
  if (info == plugins.end()) throw std::runtime_error(id + " is not listed as loaded after preload");
  if (info->kind != PluginKind::codec) throw std::runtime_error(id + " is not a codec plugin");
  // Never closed: plugins stay loaded until exit, as in the host.
  void* library = ::dlopen(info->library.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  if (library == nullptr) throw std::runtime_error(id + ": the host's library is not mapped: " + ::dlerror());
  auto entry = reinterpret_cast<atomicio_plugin_entry_fn>(::dlsym(library, ATOMICIO_PLUGIN_ENTRY_NAME));
  if (entry == nullptr) throw std::runtime_error(id + ": no entry point");
  const atomicio_host_v1 abi{sizeof(atomicio_host_v1), ATOMICIO_ABI_MAJOR, ATOMICIO_ABI_MINOR};
  const atomicio_plugin_v1* descriptor = entry(&abi);
  if (descriptor == nullptr || descriptor->kind != ATOMICIO_KIND_CODEC || descriptor->interface == nullptr)
    throw std::runtime_error(id + ": the entry point did not return a codec");
  const auto* codec = static_cast<const atomicio_codec_v1*>(descriptor->interface);
  if (codec->struct_size < sizeof(atomicio_codec_v1)) throw std::runtime_error(id + ": codec table too small");
  loaded.emplace(id, codec);
  return codec;
}

void contract(bool holds, const std::string& what) {
  if (!holds) throw std::logic_error("codec broke the step contract: " + what);
}

}  // namespace

CodecHarness::CodecHarness(const std::string& id) : codec_(load_codec(id)) {}

std::string CodecHarness::encode(std::string_view data, int level, Feeding feeding) const {
  return run(ATOMICIO_CODEC_ENCODE, level, data, feeding);
}

std::string CodecHarness::decode(std::string_view data, Feeding feeding, int level) const {
  return run(ATOMICIO_CODEC_DECODE, level, data, feeding);
}

std::string CodecHarness::run(std::int32_t direction, int level, std::string_view input, Feeding feeding) const {
  contract(feeding.in_piece > 0 && feeding.out_buffer > 0, "the test asked for empty buffers");
  void* stream = nullptr;
  {
    Diagnostic diagnostic;
    const std::int32_t status = codec_->open(codec_->self, direction, level, &stream, &diagnostic.raw);
    if (status != ATOMICIO_OK) throw CodecFailure(status, diagnostic.message, diagnostic.raw.byte_offset);
    contract(stream != nullptr, "open returned OK without a stream");
  }
  struct Closer {
    const atomicio_codec_v1* codec;
    void* stream;
    ~Closer() { codec->close(codec->self, stream); }
  } closer{codec_, stream};

  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  std::vector<unsigned char> buffer(feeding.out_buffer);
  std::string output;
  std::size_t position = 0;
  for (;;) {
    const std::size_t piece = std::min(feeding.in_piece, input.size() - position);
    const bool finish = position + piece == input.size();
    atomicio_codec_step io{sizeof(atomicio_codec_step), bytes + position, piece, 0, buffer.data(), buffer.size(), 0,
                           finish ? 1 : 0, 0};
    Diagnostic diagnostic;
    const std::int32_t status = codec_->step(codec_->self, stream, &io, &diagnostic.raw);
    if (status != ATOMICIO_OK) throw CodecFailure(status, diagnostic.message, diagnostic.raw.byte_offset);
    contract(io.in_used <= piece && io.out_used <= buffer.size(), "it reported using more bytes than it was given");
    output.append(reinterpret_cast<const char*>(buffer.data()), io.out_used);
    position += io.in_used;
    if (io.done != 0) {
      contract(finish, "it reported done before the host set finish");
      contract(position == input.size(), "it reported done with input left");
      return output;
    }
    // Every call carries input or finish, so a step that neither consumed nor produced (nor
    // finished) would stall the host for good.
    contract(io.in_used > 0 || io.out_used > 0, "a step made no progress and did not finish");
    contract(output.size() <= kMaxOutput, "runaway output");
  }
}

}  // namespace atomicio::test
