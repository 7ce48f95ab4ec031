// Reading TOML: toml++ parses the whole document into its tree, then we walk the tree and
// report it to the host's builder. toml++ keeps a table's members in a std::map, sorted by key,
// so the walk puts them back in document order by where each key first appears in the text.
#include "toml_format_internal.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace atomicio::toml_format {
namespace {

using sdk::ValueBuilder;

void emit(const toml::node& node, ValueBuilder& out);

void emit_table(const toml::table& table, ValueBuilder& out) {
  std::vector<std::pair<const toml::key*, const toml::node*>> members;
  members.reserve(table.size());
  for (auto&& [key, value] : table) members.emplace_back(&key, &value);
  // A key's position is its first appearance: for `[a.b]` before `[a]` that is the `a` in
  // `[a.b]`, which is where a reader of the file first meets the table too. The sort is stable
  // so a key without a position (never the case for parsed input) keeps its map order.
  std::stable_sort(members.begin(), members.end(), [](const auto& left, const auto& right) {
    return left.first->source().begin < right.first->source().begin;
  });
  out.begin_object();
  for (const auto& [key, value] : members) {
    out.key(key->str());
    emit(*value, out);
  }
  out.end_object();
}

void emit(const toml::node& node, ValueBuilder& out) {
  switch (node.type()) {
    case toml::node_type::table: return emit_table(*node.as_table(), out);
    case toml::node_type::array:
      out.begin_array();
      for (const toml::node& element : *node.as_array()) emit(element, out);
      out.end_array();
      return;
    case toml::node_type::string: return out.string(node.as_string()->get());
    case toml::node_type::integer: return out.integer(node.as_integer()->get());
    case toml::node_type::floating_point: return out.floating(node.as_floating_point()->get());
    case toml::node_type::boolean: return out.boolean(node.as_boolean()->get());
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return out.string(date_time_text(node).value_or(std::string()));
    case toml::node_type::none: break;
  }
  throw sdk::ParseError("toml++ produced a node of unknown type");
}

}  // namespace

void read_document(std::string_view text, ValueBuilder& out) {
  check_depth(text);
  toml::table document;
  try {
    document = toml::parse(text);
  } catch (const toml::parse_error& error) {
    const toml::source_position at = error.source().begin;
    throw sdk::ParseError("invalid TOML: " + std::string(error.description()),
                          at ? static_cast<std::int64_t>(at.line) : -1,
                          at ? static_cast<std::int64_t>(at.column) : -1);
  }
  emit_table(document, out);
}

}  // namespace atomicio::toml_format
