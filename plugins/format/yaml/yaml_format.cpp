// format.yaml: YAML 1.2 through yaml-cpp, linked privately into this plugin. The work is split
// by direction (yaml_reader.cpp, yaml_writer.cpp) around the core-schema scalar rules
// (yaml_scalars.cpp); this file only binds them to the SDK's format interface.
#include "yaml_codec.hpp"

#include <atomicio/sdk/format_plugin.hpp>

namespace {

class YamlFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, atomicio::sdk::ValueBuilder& out) override {
    atomicio::yaml::read_document(input, out);
  }

  void dump(const atomicio::sdk::ValueView& value, atomicio::sdk::Output& out) override {
    atomicio::yaml::write_document(value, out);
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(YamlFormat)
