// toml++ called directly: toml::parse into its table, operator<< (toml_formatter) to write. The
// walk into a Value takes each table's members in toml++'s order (its tables are std::maps,
// sorted by key) where the plugin restores the file's order; Value equality ignores key order,
// so both read as the same document. Dates would need spelling out; the document has none.
#include "direct_format.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <sstream>

namespace atomicio::bench {
namespace {

Value to_value(const toml::node& node);

Value table_to_value(const toml::table& table) {
  Value object = Value::object();
  for (auto&& [key, member] : table) object[std::string(key.str())] = to_value(member);
  return object;
}

Value to_value(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return table_to_value(*node.as_table());
    case toml::node_type::array: {
      Value array = Value::array();
      for (const toml::node& element : *node.as_array()) array.push_back(to_value(element));
      return array;
    }
    case toml::node_type::string: return node.as_string()->get();
    case toml::node_type::integer: return node.as_integer()->get();
    case toml::node_type::floating_point: return node.as_floating_point()->get();
    case toml::node_type::boolean: return node.as_boolean()->get();
    default: return nullptr;
  }
}

void insert(toml::table& table, const std::string& key, const Value& value);

toml::array to_array(const Value& value) {
  toml::array array;
  array.reserve(value.size());
  for (const Value& element : value) {
    switch (element.type()) {
      case Value::value_t::object: {
        toml::table table;
        for (const auto& [key, member] : element.items()) insert(table, key, member);
        array.push_back(std::move(table));
        break;
      }
      case Value::value_t::array: array.push_back(to_array(element)); break;
      case Value::value_t::boolean: array.push_back(element.get<bool>()); break;
      case Value::value_t::number_integer:
      case Value::value_t::number_unsigned: array.push_back(element.get<std::int64_t>()); break;
      case Value::value_t::number_float: array.push_back(element.get<double>()); break;
      default: array.push_back(element.get<std::string>()); break;
    }
  }
  return array;
}

void insert(toml::table& table, const std::string& key, const Value& value) {
  switch (value.type()) {
    case Value::value_t::object: {
      toml::table child;
      for (const auto& [name, member] : value.items()) insert(child, name, member);
      table.insert_or_assign(key, std::move(child));
      return;
    }
    case Value::value_t::array: table.insert_or_assign(key, to_array(value)); return;
    case Value::value_t::boolean: table.insert_or_assign(key, value.get<bool>()); return;
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: table.insert_or_assign(key, value.get<std::int64_t>()); return;
    case Value::value_t::number_float: table.insert_or_assign(key, value.get<double>()); return;
    default: table.insert_or_assign(key, value.get<std::string>()); return;  // TOML has no null
  }
}

toml::table to_table(const Value& value) {
  toml::table table;
  for (const auto& [key, member] : value.items()) insert(table, key, member);
  return table;
}

std::string formatted(const toml::table& table) {
  std::ostringstream out;
  out << table << '\n';
  return std::move(out).str();
}

class TomlDirect final : public DirectFormat {
 public:
  void parse_native(std::string_view text) override { toml::table table = toml::parse(text); }
  Value parse_to_value(std::string_view text) override { return table_to_value(toml::parse(text)); }
  void prepare_native(const Value& value) override { prepared_ = to_table(value); }
  std::string emit_native() override { return formatted(prepared_); }
  std::string emit_from_value(const Value& value) override { return formatted(to_table(value)); }

 private:
  toml::table prepared_;
};

}  // namespace

std::unique_ptr<DirectFormat> make_toml_direct() { return std::make_unique<TomlDirect>(); }

}  // namespace atomicio::bench
