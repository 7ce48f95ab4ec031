// format.json: JSON through nlohmann_json, linked privately into this plugin. Parsing streams
// SAX events straight into the host's builder (no intermediate tree); dumping walks the host's
// document and pretty-prints it with 2-space indent, using nlohmann's serializer for each scalar
// so string escaping, UTF-8 validation and number formatting are the library's, not ours.
#include <atomicio/sdk/format_plugin.hpp>
#include <atomicio/sdk/limits.h>
#include <atomicio/sdk/text_position.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace {

using atomicio::sdk::ValueBuilder;
using atomicio::sdk::ValueType;
using atomicio::sdk::ValueView;

// nlohmann's SAX interface, forwarding to the host. Errors are thrown, not returned, so the
// position and message survive.
class Forwarder {
 public:
  Forwarder(ValueBuilder& out, std::string_view text) : out_(out), text_(text) {}

  bool null() { return out_.null_value(), true; }
  bool boolean(bool value) { return out_.boolean(value), true; }
  bool number_integer(std::int64_t value) { return out_.integer(value), true; }
  bool number_unsigned(std::uint64_t value) { return out_.unsigned_integer(value), true; }
  bool number_float(double value, const std::string&) { return out_.floating(value), true; }
  bool string(std::string& value) { return out_.string(value), true; }
  bool binary(nlohmann::json::binary_t&) { throw atomicio::sdk::ParseError("binary values are not JSON"); }
  bool start_object(std::size_t) { return out_.begin_object(), true; }
  bool key(std::string& name) { return out_.key(name), true; }
  bool end_object() { return out_.end_object(), true; }
  bool start_array(std::size_t) { return out_.begin_array(), true; }
  bool end_array() { return out_.end_array(), true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& error) {
    // nlohmann's text starts "[json.exception.parse_error.101] parse error at line L, column C: ";
    // keep only the cause, since the position travels separately.
    std::string message = error.what();
    if (auto cause = message.find(": "); cause != std::string::npos) message.erase(0, cause + 2);
    std::size_t offset = position > 0 ? position - 1 : 0;
    throw atomicio::sdk::parse_error_at(text_, offset, "invalid JSON: " + message);
  }

 private:
  ValueBuilder& out_;
  std::string_view text_;
};

class PrettyPrinter {
 public:
  explicit PrettyPrinter(atomicio::sdk::Output& out) : out_(out), serializer_(nlohmann::detail::output_adapter<char>(buffer_), ' ') {}

  void document(const ValueView& root) {
    value(root, 0, 1);
    buffer_ += '\n';
    flush();
  }

 private:
  // The printer recurses once per level; the host never passes a value deeper than the limit,
  // and this check keeps it so for any other host.
  void value(const ValueView& node, unsigned indent, std::size_t depth) {
    if ((node.is_object() || node.is_array()) && depth > ATOMICIO_MAX_NESTING_DEPTH)
      throw atomicio::sdk::UnsupportedValue("objects and arrays nest deeper than " +
                                            std::to_string(ATOMICIO_MAX_NESTING_DEPTH) + " levels");
    switch (node.type()) {
      case ValueType::object: return object(node, indent, depth);
      case ValueType::array: return array(node, indent, depth);
      case ValueType::null: buffer_ += "null"; break;
      case ValueType::boolean: buffer_ += node.as_bool() ? "true" : "false"; break;
      case ValueType::integer: scalar(nlohmann::json(node.as_int())); break;
      case ValueType::unsigned_integer: scalar(nlohmann::json(node.as_uint())); break;
      case ValueType::floating: scalar(nlohmann::json(node.as_double())); break;
      case ValueType::string: string(node.as_string()); break;
    }
    if (buffer_.size() > 64 * 1024) flush();
  }
  void object(const ValueView& node, unsigned indent, std::size_t depth) {
    const std::size_t size = node.size();
    if (size == 0) {
      buffer_ += "{}";
      return;
    }
    buffer_ += "{\n";
    for (std::size_t i = 0; i < size; ++i) {
      buffer_.append(indent + 2, ' ');
      string(node.key_at(i));
      buffer_ += ": ";
      value(node.value_at(i), indent + 2, depth + 1);
      buffer_ += i + 1 < size ? ",\n" : "\n";
    }
    buffer_.append(indent, ' ');
    buffer_ += '}';
  }
  void array(const ValueView& node, unsigned indent, std::size_t depth) {
    const std::size_t size = node.size();
    if (size == 0) {
      buffer_ += "[]";
      return;
    }
    buffer_ += "[\n";
    for (std::size_t i = 0; i < size; ++i) {
      buffer_.append(indent + 2, ' ');
      value(node.at(i), indent + 2, depth + 1);
      buffer_ += i + 1 < size ? ",\n" : "\n";
    }
    buffer_.append(indent, ' ');
    buffer_ += ']';
  }
  // Strings and keys go through one reused json string, so that each costs a copy into its
  // buffer rather than a new json value and string allocation.
  void string(std::string_view text) {
    text_.get_ref<std::string&>().assign(text);
    scalar(text_);
  }
  void scalar(const nlohmann::json& value) {
    try {
      serializer_.dump(value, false, false, 0);
    } catch (const nlohmann::json::type_error& error) {  // invalid UTF-8 in a string
      throw atomicio::sdk::UnsupportedValue(std::string("JSON requires UTF-8 text: ") + error.what());
    }
  }
  void flush() {
    out_.write(buffer_);
    buffer_.clear();
  }

  atomicio::sdk::Output& out_;
  std::string buffer_;
  nlohmann::json text_ = "";
  nlohmann::detail::serializer<nlohmann::json> serializer_;
};

class JsonFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, ValueBuilder& out) override {
    std::string_view text = input.contents();
    // An empty (or all-blank) file reads as null: a file created by `touch` is not an error.
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      out.null_value();
      return;
    }
    Forwarder forwarder(out, text);
    nlohmann::json::sax_parse(text.begin(), text.end(), &forwarder, nlohmann::json::input_format_t::json, true);
  }

  void dump(const ValueView& value, atomicio::sdk::Output& out) override { PrettyPrinter(out).document(value); }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(JsonFormat)
