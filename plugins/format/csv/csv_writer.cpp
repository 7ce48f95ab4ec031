// The CSV writer: turns an array of records into a header row plus one row per record, the way
// Python's csv.DictWriter does with QUOTE_MINIMAL and its default CRLF line terminator.
//
// Everything that can make the document unrepresentable is checked before the first byte is
// written (a first pass collects the header and validates every field), so a rejected document
// produces an UnsupportedValue with no partial output, and the error names the record and
// column rather than just "not a scalar".
#include "csv_codec.hpp"

#include <atomicio/sdk/errors.hpp>

#include <charconv>
#include <string>
#include <unordered_map>
#include <vector>

namespace atomicio::csv {
namespace {

using sdk::UnsupportedValue;
using sdk::ValueType;
using sdk::ValueView;

constexpr std::size_t kFlushBytes = 64 * 1024;

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

template <class Number>
void append_number(std::string& text, Number number) {
  // to_chars without a precision gives the shortest text that reads back as the same value.
  char digits[64];
  auto result = std::to_chars(digits, digits + sizeof digits, number);
  text.append(digits, result.ptr);
}

// The field's text, or false when the value is not a scalar.
bool scalar_text(const ValueView& value, std::string& text) {
  text.clear();
  switch (value.type()) {
    case ValueType::null: return true;
    case ValueType::boolean: text = value.as_bool() ? "true" : "false"; return true;
    case ValueType::integer: append_number(text, value.as_int()); return true;
    case ValueType::unsigned_integer: append_number(text, value.as_uint()); return true;
    case ValueType::floating: append_number(text, value.as_double()); return true;
    case ValueType::string: text = value.as_string(); return true;
    case ValueType::array:
    case ValueType::object: return false;
  }
  return false;
}

// The header is the union of all records' keys in first-seen order, as a list and an index.
struct Header {
  std::vector<std::string_view> names;
  std::unordered_map<std::string_view, std::size_t> column_of;
};

Header collect_header(const ValueView& document) {
  if (!document.is_array()) {
    throw UnsupportedValue(std::string("CSV holds an array of records (objects), not ") +
                           type_name(document.type()));
  }
  Header header;
  const std::size_t count = document.size();
  for (std::size_t i = 0; i < count; ++i) {
    const ValueView record = document.at(i);
    if (!record.is_object()) {
      throw UnsupportedValue("record " + std::to_string(i) + " is " + type_name(record.type()) +
                             ", but CSV records are objects");
    }
    for (std::size_t m = 0, size = record.size(); m < size; ++m) {
      const std::string_view key = record.key_at(m);
      const ValueType type = record.value_at(m).type();
      if (type == ValueType::object || type == ValueType::array) {
        throw UnsupportedValue("record " + std::to_string(i) + ", column \"" + std::string(key) +
                               "\" holds " + type_name(type) + "; CSV fields hold only scalars");
      }
      // Records usually share one key order, so most keys sit at their own column already and
      // need no hashing.
      if (m < header.names.size() && header.names[m] == key) continue;
      if (header.column_of.emplace(key, header.names.size()).second) header.names.push_back(key);
    }
  }
  if (count > 0 && header.names.empty()) {
    throw UnsupportedValue("no record has a key, and CSV needs at least one column to hold a record");
  }
  return header;
}

class RowWriter {
 public:
  RowWriter(char delimiter, sdk::Output& out) : delimiter_(delimiter), out_(out) {}

  template <class Field>
  void row(const std::vector<Field>& fields) {
    // A lone empty field would make an empty line, which readers skip: quote it, as Python does.
    if (fields.size() == 1 && std::string_view(fields[0]).empty()) {
      buffer_ += "\"\"";
    } else {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) buffer_ += delimiter_;
        field(fields[i], i == 0 && !started_);
      }
    }
    buffer_ += "\r\n";
    started_ = true;
    if (buffer_.size() >= kFlushBytes) flush();
  }

  void flush() {
    out_.write(buffer_);
    buffer_.clear();
  }

 private:
  void field(std::string_view text, bool at_file_start) {
    const char specials[] = {delimiter_, '"', '\r', '\n'};
    // A field that starts the file with a BOM would lose it on reading (the reader skips a
    // leading BOM), so it is quoted to keep the bytes.
    const bool has_special = text.find_first_of(std::string_view(specials, sizeof specials)) != text.npos;
    const bool needs_quotes = has_special || (at_file_start && text.substr(0, 3) == "\xEF\xBB\xBF");
    if (!needs_quotes) {
      buffer_ += text;
      return;
    }
    buffer_ += '"';
    for (char c : text) {
      if (c == '"') buffer_ += '"';
      buffer_ += c;
    }
    buffer_ += '"';
  }

  char delimiter_;
  sdk::Output& out_;
  std::string buffer_;
  bool started_ = false;
};

}  // namespace

void write_records(const sdk::ValueView& document, char delimiter, sdk::Output& out) {
  const Header header = collect_header(document);
  if (header.names.empty()) return;  // an empty array: an empty file, which reads back as []
  RowWriter writer(delimiter, out);
  writer.row(header.names);
  std::vector<std::string> fields(header.names.size());
  for (std::size_t i = 0; i < document.size(); ++i) {
    const ValueView record = document.at(i);
    for (std::string& field : fields) field.clear();
    for (std::size_t m = 0, size = record.size(); m < size; ++m) {
      const std::string_view key = record.key_at(m);
      const std::size_t column =
          m < header.names.size() && header.names[m] == key ? m : header.column_of.at(key);
      scalar_text(record.value_at(m), fields[column]);
    }
    writer.row(fields);
  }
  writer.flush();
}

}  // namespace atomicio::csv
