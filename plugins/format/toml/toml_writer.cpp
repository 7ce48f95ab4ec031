// Writing TOML. We lay the document out ourselves, in the host document's key order, instead of
// building a toml::table for toml::toml_formatter: toml++ tables are std::maps, so its formatter
// would write every table's keys alphabetically and a rewrite would reorder the user's config.
// The layout follows toml_formatter's rules (plain values first, then [tables] and
// [[arrays.of.tables]], no header for a table that only holds tables), and toml++ spells
// strings and dates (see toml_scalars.cpp), so the text looks as toml++ would write it.
#include "toml_format_internal.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace atomicio::toml_format {
namespace {

using sdk::UnsupportedValue;
using sdk::ValueType;
using sdk::ValueView;

// A key = [array] line longer than this is written one element per line, and a key = { table }
// line as dotted keys.
constexpr std::size_t kWrapColumns = 100;
constexpr std::size_t kFlushBytes = 64 * 1024;

// How a member of a table can be written. Tables and arrays of tables become sections of their
// own unless key order forces them inline (see Writer::body).
enum class Shape { value, table, table_array };

Shape shape_of(const ValueView& value) {
  if (value.is_object()) return Shape::table;
  if (!value.is_array() || value.size() == 0) return Shape::value;
  for (std::size_t i = 0, size = value.size(); i < size; ++i)
    if (!value.at(i).is_object()) return Shape::value;  // a mixed array is an inline array
  return Shape::table_array;
}

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::null: return "null";
    case ValueType::boolean: return "a boolean";
    case ValueType::integer:
    case ValueType::unsigned_integer: return "an integer";
    case ValueType::floating: return "a float";
    case ValueType::string: return "a string";
    case ValueType::array: return "an array";
    case ValueType::object: return "an object";
  }
  return "an unknown value";
}

enum class Header { none, table, array_element };

class Writer {
 public:
  explicit Writer(sdk::Output& out) : out_(out) {}

  void document(const ValueView& root) {
    if (!root.is_object())
      throw UnsupportedValue(std::string("a TOML document is a table, so the top level must be an object, not ") +
                             type_name(root.type()));
    body(root, std::string(), Header::none);
    out_.write(buffer_);
  }

 private:
  struct Step {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };

  // One table: its header, its key = value lines, then its sub-tables and arrays of tables as
  // sections. TOML reads every key = value line after a header as part of that header's table,
  // so a table that comes before a plain value in key order cannot be a section; it is written
  // as an inline table or dotted keys instead, which keeps the order exact.
  void body(const ValueView& table, const std::string& path, Header header) {
    const std::size_t size = table.size();
    std::vector<Shape> shapes(size);
    std::size_t values_end = 0;  // one past the last plain value
    for (std::size_t i = 0; i < size; ++i) {
      shapes[i] = shape_of(table.value_at(i));
      if (shapes[i] == Shape::value) values_end = i + 1;
    }
    // Like toml_formatter, skip [a] when a only holds tables: [a.b] defines a anyway.
    if (header == Header::array_element) header_line("[[" + path + "]]");
    if (header == Header::table && (size == 0 || values_end > 0)) header_line("[" + path + "]");

    for (std::size_t i = 0; i < values_end; ++i) {
      path_.push_back({table.key_at(i), 0, false});
      key_value_line(checked_key(table.key_at(i)), table.value_at(i));
      path_.pop_back();
      if (buffer_.size() > kFlushBytes) flush();
    }
    for (std::size_t i = values_end; i < size; ++i) {
      const std::string child = path.empty() ? checked_key(table.key_at(i)) : path + '.' + checked_key(table.key_at(i));
      const ValueView member = table.value_at(i);
      path_.push_back({table.key_at(i), 0, false});
      if (shapes[i] == Shape::table) {
        body(member, child, Header::table);
      } else {
        for (std::size_t j = 0, count = member.size(); j < count; ++j) {
          path_.push_back({{}, j, true});
          body(member.at(j), child, Header::array_element);
          path_.pop_back();
        }
      }
      path_.pop_back();
    }
  }

  // `key = node`. A table too long for one line (inline tables cannot span lines) becomes
  // dotted keys instead, `key.member = ...`, which keep the order just as well.
  void key_value_line(const std::string& key, const ValueView& node) {
    line_start_ = buffer_.size();
    buffer_ += key;
    buffer_ += " = ";
    value(node, true);
    if (!node.is_object() || node.size() == 0 || buffer_.size() - line_start_ <= kWrapColumns) {
      buffer_ += '\n';
      return;
    }
    buffer_.resize(line_start_);
    for (std::size_t i = 0, size = node.size(); i < size; ++i) {
      path_.push_back({node.key_at(i), 0, false});
      key_value_line(key + '.' + checked_key(node.key_at(i)), node.value_at(i));
      path_.pop_back();
    }
  }

  // `node` on the current line. Only a value directly after `key = ` may wrap over lines.
  void value(const ValueView& node, bool may_wrap) {
    switch (node.type()) {
      case ValueType::null: throw UnsupportedValue("null at " + where() + " cannot be written in TOML");
      case ValueType::boolean: buffer_ += node.as_bool() ? "true" : "false"; return;
      case ValueType::integer: buffer_ += std::to_string(node.as_int()); return;
      case ValueType::unsigned_integer: {
        const std::uint64_t number = node.as_uint();
        if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          throw UnsupportedValue("the integer " + std::to_string(number) + " at " + where() +
                                 " is above TOML's largest integer, 9223372036854775807");
        buffer_ += std::to_string(number);
        return;
      }
      case ValueType::floating: buffer_ += float_text(node.as_double()); return;
      case ValueType::string: return string(node.as_string());
      case ValueType::array: return array(node, may_wrap);
      case ValueType::object: return inline_table(node);
    }
  }

  void string(std::string_view text) {
    if (!is_utf8(text)) throw UnsupportedValue("the string at " + where() + " is not UTF-8, which TOML requires");
    // The documented price of a JSON-like model: text shaped exactly like a TOML date or time
    // is written as one, and reads back as the same text.
    if (is_date_time_text(text)) buffer_ += text;
    else buffer_ += string_text(text);
  }

  void array(const ValueView& node, bool may_wrap) {
    const std::size_t size = node.size();
    const std::size_t start = buffer_.size();
    std::vector<std::pair<std::size_t, std::size_t>> elements;  // where each one landed
    elements.reserve(may_wrap ? size : 0);
    buffer_ += '[';
    for (std::size_t i = 0; i < size; ++i) {
      if (i > 0) buffer_ += ", ";
      path_.push_back({{}, i, true});
      const std::size_t begin = buffer_.size();
      value(node.at(i), false);
      if (may_wrap) elements.emplace_back(begin, buffer_.size() - begin);
      path_.pop_back();
    }
    buffer_ += ']';
    if (!may_wrap || size < 2 || buffer_.size() - line_start_ <= kWrapColumns) return;
    std::string wrapped = "[\n";
    for (const auto& [begin, length] : elements) {
      wrapped += "  ";
      wrapped.append(buffer_, begin, length);
      wrapped += ",\n";  // TOML 1.0 allows the trailing comma, which keeps diffs to one line
    }
    wrapped += ']';
    buffer_.replace(start, std::string::npos, wrapped);
  }

  void inline_table(const ValueView& node) {
    const std::size_t size = node.size();
    if (size == 0) {
      buffer_ += "{}";
      return;
    }
    buffer_ += "{ ";
    for (std::size_t i = 0; i < size; ++i) {
      if (i > 0) buffer_ += ", ";
      buffer_ += checked_key(node.key_at(i));
      buffer_ += " = ";
      path_.push_back({node.key_at(i), 0, false});
      value(node.value_at(i), false);
      path_.pop_back();
    }
    buffer_ += " }";
  }

  void header_line(const std::string& header) {
    if (started_ || !buffer_.empty()) buffer_ += '\n';
    buffer_ += header;
    buffer_ += '\n';
  }

  std::string checked_key(std::string_view key) const {
    if (!is_utf8(key)) throw UnsupportedValue("a key in " + where() + " is not UTF-8, which TOML requires");
    return key_text(key);
  }

  // The current key path as TOML would spell it, e.g. servers.alpha.ports[1]; toml++ escapes
  // any bytes that are not UTF-8, so this is safe to call for the messages about them.
  std::string where() const {
    if (path_.empty()) return "the top level";
    std::string text;
    for (const Step& step : path_) {
      if (step.is_index) {
        text += '[' + std::to_string(step.index) + ']';
      } else {
        if (!text.empty()) text += '.';
        text += key_text(step.key);
      }
    }
    return text;
  }

  void flush() {
    out_.write(buffer_);
    buffer_.clear();
    line_start_ = 0;
    started_ = true;
  }

  sdk::Output& out_;
  std::string buffer_;
  std::size_t line_start_ = 0;
  bool started_ = false;
  std::vector<Step> path_;
};

}  // namespace

void write_document(const ValueView& root, sdk::Output& out) { Writer(out).document(root); }

}  // namespace atomicio::toml_format
