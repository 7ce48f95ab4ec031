// format.throwing (test only): a `.boom` format whose parse and dump throw what the content
// names ("runtime_error", "int" or "bad_alloc"), to show that the SDK's exception firewall turns
// each into an error the core reports. The content "ok" parses and dumps normally.
#include <atomicio/sdk/format_plugin.hpp>

#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

void throw_what_is_named(std::string_view name) {
  if (name == "int") throw 42;
  if (name == "bad_alloc") throw std::bad_alloc();
  if (name != "ok") throw std::runtime_error("the plugin blew up on '" + std::string(name) + "'");
}

class ThrowingFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, atomicio::sdk::ValueBuilder& out) override {
    std::string_view content = input.contents();
    throw_what_is_named(content);
    out.string(content);
  }
  void dump(const atomicio::sdk::ValueView& value, atomicio::sdk::Output& out) override {
    std::string_view name = value.is_string() ? value.as_string() : std::string_view("not a string");
    throw_what_is_named(name);
    out.write(name);
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(ThrowingFormat)
