// format.text: a .txt file's value is its whole content as one string, byte for byte.
#include <atomicio/sdk/format_plugin.hpp>

namespace {

const char* type_name(atomicio::sdk::ValueType type) {
  using atomicio::sdk::ValueType;
  switch (type) {
    case ValueType::null: return "null";
    case ValueType::boolean: return "a boolean";
    case ValueType::integer:
    case ValueType::unsigned_integer:
    case ValueType::floating: return "a number";
    case ValueType::string: return "a string";
    case ValueType::array: return "an array";
    case ValueType::object: return "an object";
  }
  return "an unknown value";
}

class TextFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, atomicio::sdk::ValueBuilder& out) override { out.string(input.contents()); }

  void dump(const atomicio::sdk::ValueView& value, atomicio::sdk::Output& out) override {
    if (!value.is_string())
      throw atomicio::sdk::UnsupportedValue(std::string("a text file holds a string, not ") + type_name(value.type()));
    out.write(value.as_string());
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(TextFormat)
