// format.lines: a `.lines` file is an array of strings, one element per line. This is the SDK's
// worked example of an out-of-tree format plugin: it includes only <atomicio/sdk/...> headers,
// throws the SDK's exceptions for bad input or values, and leaves the C boundary, the exception
// firewall and the manifest to the SDK and atomicio_add_plugin().
#include <atomicio/sdk/format_plugin.hpp>

#include <string>
#include <string_view>

namespace {

using atomicio::sdk::Input;
using atomicio::sdk::Output;
using atomicio::sdk::UnsupportedValue;
using atomicio::sdk::ValueBuilder;
using atomicio::sdk::ValueType;
using atomicio::sdk::ValueView;

const char* type_name(ValueType type) {
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

class LinesFormat final : public atomicio::sdk::FormatPlugin {
 public:
  // "a\nb\n", "a\nb" and "a\r\nb\r\n" all read as ["a", "b"]; an empty file is []. Every
  // sequence of bytes is a valid .lines file, so this parser never throws ParseError.
  void parse(Input& input, ValueBuilder& out) override {
    std::string_view text = input.contents();
    out.begin_array();
    while (!text.empty()) {
      std::size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      out.string(line);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    out.end_array();
  }

  // Checks every element before writing anything, so a bad value produces a clear message
  // instead of a half-written temporary file (which the host would discard anyway).
  void dump(const ValueView& value, Output& out) override {
    if (!value.is_array())
      throw UnsupportedValue(std::string("a .lines file holds an array of strings, not ") +
                             type_name(value.type()));
    for (std::size_t i = 0; i < value.size(); ++i) {
      ValueView element = value.at(i);
      if (!element.is_string())
        throw UnsupportedValue("element " + std::to_string(i) + " is " + type_name(element.type()) +
                               ", but a .lines file holds only strings");
      // A '\r' would be lost on reading (it is taken for part of a CRLF line end), so it is
      // refused like '\n' rather than silently changing the value on a round trip.
      if (element.as_string().find_first_of("\r\n") != std::string_view::npos)
        throw UnsupportedValue("element " + std::to_string(i) +
                               " contains a line break, which a .lines file cannot hold");
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      out.write(value.at(i).as_string());
      out.put('\n');
    }
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(LinesFormat)
