// format.needs-dep (test only): a `.dep` format linked against libatomicio_test_dummy_dep,
// which is built without being shipped beside the plugin and without a RUNPATH to find it, so
// dlopen fails with the loader's "cannot open shared object file".
#include <atomicio/sdk/format_plugin.hpp>

extern "C" int atomicio_test_dummy_dep_answer();

namespace {

class NeedsDepFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input&, atomicio::sdk::ValueBuilder& out) override {
    out.integer(atomicio_test_dummy_dep_answer());
  }
  void dump(const atomicio::sdk::ValueView&, atomicio::sdk::Output& out) override { out.write("dep\n"); }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(NeedsDepFormat)
