// yaml-cpp called directly: YAML::Load into its node graph, YAML::Emitter to write. The walk
// into a Value resolves plain scalars the obvious way (true/false, null/~, an integer or a
// double when std::from_chars takes the whole text, else a string); quoted scalars stay
// strings. It does not check for duplicate keys, alias bombs or YAML 1.1 look-alikes, which the
// plugin does.
#include "direct_format.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <istream>
#include <streambuf>

namespace atomicio::bench {
namespace {

// YAML::Load(std::string) copies the text into an istringstream; read the caller's bytes in
// place instead, as the plugin does.
class ViewStreambuf : public std::streambuf {
 public:
  explicit ViewStreambuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // the get area is only ever read
    setg(begin, begin, begin + text.size());
  }
};

YAML::Node load(std::string_view text) {
  ViewStreambuf buffer(text);
  std::istream in(&buffer);
  return YAML::Load(in);
}

Value plain_scalar(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "null" || text == "~") return nullptr;
  const char* end = text.data() + text.size();
  std::int64_t integer = 0;
  if (auto parsed = std::from_chars(text.data(), end, integer); parsed.ec == std::errc() && parsed.ptr == end)
    return integer;
  double number = 0;
  if (auto parsed = std::from_chars(text.data(), end, number); parsed.ec == std::errc() && parsed.ptr == end)
    return number;
  return text;
}

Value to_value(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Value object = Value::object();
      for (const auto& member : node) object[member.first.Scalar()] = to_value(member.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      Value array = Value::array();
      for (const auto& element : node) array.push_back(to_value(element));
      return array;
    }
    case YAML::NodeType::Scalar: return node.Tag() == "?" ? plain_scalar(node.Scalar()) : Value(node.Scalar());
    default: return nullptr;
  }
}

YAML::Node to_node(const Value& value) {
  switch (value.type()) {
    case Value::value_t::object: {
      YAML::Node map(YAML::NodeType::Map);
      for (const auto& [key, member] : value.items()) map[key] = to_node(member);
      return map;
    }
    case Value::value_t::array: {
      YAML::Node sequence(YAML::NodeType::Sequence);
      for (const Value& element : value) sequence.push_back(to_node(element));
      return sequence;
    }
    case Value::value_t::boolean: return YAML::Node(value.get<bool>());
    case Value::value_t::number_integer: return YAML::Node(value.get<std::int64_t>());
    case Value::value_t::number_unsigned: return YAML::Node(value.get<std::uint64_t>());
    case Value::value_t::number_float: return YAML::Node(value.get<double>());
    case Value::value_t::string: return YAML::Node(value.get_ref<const std::string&>());
    default: return YAML::Node(YAML::NodeType::Null);
  }
}

void emit(const Value& value, YAML::Emitter& out) {
  switch (value.type()) {
    case Value::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, member] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(member, out);
      }
      out << YAML::EndMap;
      return;
    case Value::value_t::array:
      out << YAML::BeginSeq;
      for (const Value& element : value) emit(element, out);
      out << YAML::EndSeq;
      return;
    case Value::value_t::boolean: out << value.get<bool>(); return;
    case Value::value_t::number_integer: out << value.get<std::int64_t>(); return;
    case Value::value_t::number_unsigned: out << value.get<std::uint64_t>(); return;
    case Value::value_t::number_float: out << value.get<double>(); return;
    case Value::value_t::string: out << value.get_ref<const std::string&>(); return;
    default: out << YAML::Null; return;
  }
}

std::string emitted(YAML::Emitter& out) { return std::string(out.c_str(), out.size()) + "\n"; }

void configure(YAML::Emitter& out) {
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  out.SetBoolFormat(YAML::TrueFalseBool);
}

class YamlDirect final : public DirectFormat {
 public:
  void parse_native(std::string_view text) override { load(text); }
  Value parse_to_value(std::string_view text) override { return to_value(load(text)); }
  void prepare_native(const Value& value) override { prepared_ = to_node(value); }
  std::string emit_native() override {
    YAML::Emitter out;
    configure(out);
    out << prepared_;
    return emitted(out);
  }
  std::string emit_from_value(const Value& value) override {
    YAML::Emitter out;
    configure(out);
    emit(value, out);
    return emitted(out);
  }

 private:
  YAML::Node prepared_;
};

}  // namespace

std::unique_ptr<DirectFormat> make_yaml_direct() { return std::make_unique<YamlDirect>(); }

}  // namespace atomicio::bench
