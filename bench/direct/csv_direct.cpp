// CSV without the plugin. Reading: fast-cpp-csv-parser's io::CSVReader, which needs the columns
// at compile time (here the 13 of the benchmark's flattened records), reading from memory with
// the policies of the plugin folder's fixed_columns.hpp. Writing: a std::string built by hand
// with the plugin's quoting rule (quote a field holding a comma, a quote, CR or LF; double the
// quotes) and CRLF line ends. Unlike the plugin, neither side handles an arbitrary header, a
// quoted line break or ragged rows.
#include "direct_format.hpp"

// fccp's error classes copy the file name with strncpy; GCC flags it at -O3 where it inlines
// them into this file, so the system-header exemption does not apply. Not our code to change.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include "fixed_columns.hpp"
#include "sample_document.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace atomicio::bench {
namespace {

constexpr std::size_t kColumns = 13;
const std::array<std::string, kColumns> kNames{"id",           "uuid",        "name",   "email", "active",
                                               "score",        "balance",     "note",   "tags",  "address.street",
                                               "address.city", "address.zip", "history"};

using Row = std::array<std::string, kColumns>;
using Reader = io::CSVReader<static_cast<unsigned>(kColumns), io::trim_chars<>, io::double_quote_escape<',', '"'>,
                             io::throw_on_overflow, atomicio::csv::SkipEmptyLines>;

// Calls `row_read(row)` for every record of `text`.
template <class RowRead, std::size_t... I>
void read_rows(std::string_view text, RowRead&& row_read, std::index_sequence<I...>) {
  Reader reader("data.csv", text.data(), text.data() + text.size());
  reader.read_header(io::ignore_no_column, kNames[I]...);
  Row row;
  while (reader.read_row(row[I]...)) row_read(row);
}

template <class RowRead>
void read_rows(std::string_view text, RowRead&& row_read) {
  read_rows(text, row_read, std::make_index_sequence<kColumns>{});
}

void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <class Fields>
void append_row(std::string& out, const Fields& fields) {
  bool first = true;
  for (const auto& field : fields) {
    if (!first) out += ',';
    first = false;
    append_field(out, field);
  }
  out += "\r\n";
}

class CsvDirect final : public DirectFormat {
 public:
  void parse_native(std::string_view text) override {
    std::vector<Row> rows;
    read_rows(text, [&](const Row& row) { rows.push_back(row); });
  }

  Value parse_to_value(std::string_view text) override {
    Value records = Value::array();
    read_rows(text, [&](Row& row) {
      Value record = Value::object();
      for (std::size_t i = 0; i < kColumns; ++i) record[kNames[i]] = std::move(row[i]);
      records.push_back(std::move(record));
    });
    return records;
  }

  void prepare_native(const Value& value) override {
    prepared_.clear();
    for (const Value& record : value) {
      Row row;
      for (std::size_t i = 0; i < kColumns; ++i) row[i] = scalar_text(record.at(kNames[i]));
      prepared_.push_back(std::move(row));
    }
  }

  std::string emit_native() override {
    std::string out;
    append_row(out, kNames);
    for (const Row& row : prepared_) append_row(out, row);
    return out;
  }

  // The header is the first record's keys; every record is taken to have them all.
  std::string emit_from_value(const Value& value) override {
    std::string out;
    if (value.empty()) return out;
    std::vector<std::string> header;
    for (const auto& [key, field] : value.front().items()) header.push_back(key);
    append_row(out, header);
    std::vector<std::string> fields(header.size());
    for (const Value& record : value) {
      for (std::size_t i = 0; i < header.size(); ++i) fields[i] = scalar_text(record.at(header[i]));
      append_row(out, fields);
    }
    return out;
  }

 private:
  std::vector<Row> prepared_;
};

}  // namespace

std::unique_ptr<DirectFormat> make_csv_direct() { return std::make_unique<CsvDirect>(); }

}  // namespace atomicio::bench
