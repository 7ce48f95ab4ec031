// format.toml: TOML 1.0 through toml++ (Debian's shared libtomlplusplus), linked privately into
// this plugin. This file only binds the plugin entry points; the reader, the writer and the
// scalar rules they share live in their own files (see README.md for the mapping).
#include <atomicio/sdk/format_plugin.hpp>

#include "toml_format_internal.hpp"

namespace {

class TomlFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, atomicio::sdk::ValueBuilder& out) override {
    atomicio::toml_format::read_document(input.contents(), out);
  }

  void dump(const atomicio::sdk::ValueView& value, atomicio::sdk::Output& out) override {
    atomicio::toml_format::write_document(value, out);
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(TomlFormat)
