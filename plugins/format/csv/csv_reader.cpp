// The generic CSV reader: an RFC 4180 state machine over the whole input, one record at a time,
// reporting each record as an object keyed by the header row.
//
// Why hand-written rather than fast-cpp-csv-parser (libfccp), the project's CSV dependency:
// fccp's CSVReader<N> needs the column count N at compile time, while a document read through
// this plugin can have any header; and fccp splits the input into lines before it looks at
// quotes, so a quoted field spanning lines (legal in RFC 4180 and written by Python's csv module
// for any value with a newline) fails there. fccp serves the typed fast path for known, fixed
// columns instead (fixed_columns.hpp). Positions are tracked here because a ragged row must be
// reported at the physical line where its record starts, which may lie after multi-line fields.
#include "csv_codec.hpp"

#include <atomicio/sdk/errors.hpp>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace atomicio::csv {
namespace {

using sdk::ParseError;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class RecordScanner {
 public:
  RecordScanner(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
    if (text_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = line_start_ = kUtf8Bom.size();
  }

  /// The next non-empty record's fields into `fields`; false at the end of the input.
  bool next(std::vector<std::string>& fields) {
    // Empty lines carry no record (Python's DictReader skips them too); without this a trailing
    // blank line would be reported as a ragged row.
    while (pos_ < text_.size() && is_line_break(text_[pos_])) consume_line_break();
    if (pos_ >= text_.size()) return false;
    record_line_ = line_;
    record_offset_ = pos_;
    fields.clear();
    fields.emplace_back();
    while (true) {
      if (at_end_of_record()) {
        if (pos_ < text_.size()) consume_line_break();
        return true;
      }
      if (text_[pos_] == '"') {
        quoted_field(fields.back());
      } else {
        unquoted_field(fields.back());
      }
      if (pos_ < text_.size() && text_[pos_] == delimiter_) {
        ++pos_;
        fields.emplace_back();
      }
    }
  }

  std::int64_t record_line() const { return record_line_; }
  std::int64_t record_offset() const { return static_cast<std::int64_t>(record_offset_); }

 private:
  static bool is_line_break(char c) { return c == '\n' || c == '\r'; }
  bool at_end_of_record() const { return pos_ >= text_.size() || is_line_break(text_[pos_]); }
  std::int64_t column() const { return static_cast<std::int64_t>(pos_ - line_start_) + 1; }

  // A line break is LF, CRLF or a lone CR (old Mac files; Python's reader accepts it too).
  void consume_line_break() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  // A quote inside an unquoted field is kept literally (e.g. 5'10"), as Python and most readers
  // do: RFC 4180 forbids it, but rejecting it would only make hand-written files fail.
  void unquoted_field(std::string& field) {
    const char stops[] = {delimiter_, '\r', '\n'};
    std::size_t end = text_.find_first_of(std::string_view(stops, sizeof stops), pos_);
    if (end == std::string_view::npos) end = text_.size();
    field.append(text_.substr(pos_, end - pos_));
    pos_ = end;
  }

  void quoted_field(std::string& field) {
    const std::int64_t open_line = line_;
    const std::int64_t open_column = column();
    const std::size_t open_offset = pos_;
    ++pos_;
    while (true) {
      std::size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) {
        throw ParseError("unterminated quoted field", open_line, open_column,
                         static_cast<std::int64_t>(open_offset));
      }
      count_lines_in(quote);
      field.append(text_.substr(pos_, quote - pos_));
      pos_ = quote + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        field += '"';
        ++pos_;
        continue;
      }
      break;
    }
    // Python's non-strict reader would glue `"ab"cd` into `abcd`; that is almost always a
    // broken file, so say so instead of guessing.
    if (!at_end_of_record() && text_[pos_] != delimiter_) {
      throw ParseError("unexpected character after a closing quote", line_, column(),
                       static_cast<std::int64_t>(pos_));
    }
  }

  // Keeps line_ right across line breaks inside a quoted field, up to (not including) `end`.
  void count_lines_in(std::size_t end) {
    for (std::size_t i = pos_; i < end; ++i) {
      const char c = text_[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))) {
        ++line_;
        line_start_ = i + 1;
      }
    }
  }

  std::string_view text_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 1;
  std::size_t record_offset_ = 0;
};

void check_unique(const std::vector<std::string>& header, const RecordScanner& scanner) {
  std::unordered_set<std::string_view> seen;
  for (const std::string& name : header) {
    if (!seen.insert(name).second) {
      throw ParseError("duplicate column name \"" + name + "\" in the header row", scanner.record_line(),
                       -1, scanner.record_offset());
    }
  }
}

}  // namespace

void read_records(std::string_view text, char delimiter, sdk::ValueBuilder& out) {
  RecordScanner scanner(text, delimiter);
  std::vector<std::string> header;
  out.begin_array();
  if (scanner.next(header)) {
    check_unique(header, scanner);
    std::vector<std::string> fields;
    while (scanner.next(fields)) {
      if (fields.size() != header.size()) {
        throw ParseError("the record has " + std::to_string(fields.size()) + " field" +
                             (fields.size() == 1 ? "" : "s") + " but the header has " +
                             std::to_string(header.size()),
                         scanner.record_line(), 1, scanner.record_offset());
      }
      out.begin_object();
      for (std::size_t i = 0; i < header.size(); ++i) {
        out.key(header[i]);
        out.string(fields[i]);
      }
      out.end_object();
    }
  }
  out.end_array();
}

}  // namespace atomicio::csv
