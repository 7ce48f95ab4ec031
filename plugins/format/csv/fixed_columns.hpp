// The typed fast path for CSV files whose columns are known in advance, through
// fast-cpp-csv-parser (Debian libfccp-dev). Header-only; link the CMake target
// atomicio_csv_fixed_columns (it adds Threads::Threads, which fccp's read-ahead thread needs).
//
// Why a separate helper and not the plugin's reader: fccp's CSVReader<N> fixes the column count
// at compile time and splits the input into lines before it looks at quotes, so it cannot read
// an arbitrary document or a quoted field that spans lines; the plugin's generic reader
// (csv_reader.cpp) handles both. Where both apply they agree (tests/formats/csv checks it).
//
// Thread-safety: calls are independent; each opens its own reader.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

// fccp is not warning-free under the project's warning set (-Wconversion, -Wold-style-cast, ...:
// about 170 warnings in its templates). It is normally found under /usr/include, a system
// directory, and the atomicio_csv_fixed_columns target adds its directory as SYSTEM otherwise,
// so its own code is not held to our flags; this pragma covers an include from elsewhere.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wshadow"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

namespace atomicio::csv {

/// fccp comment policy that skips only truly empty lines, the generic reader's rule (fccp's own
/// empty_line_comment also skips lines of blanks and tabs, which are records of empty fields in
/// a TSV file).
struct SkipEmptyLines {
  static bool is_comment(const char* line) { return *line == '\0'; }
};

namespace detail {

template <std::size_t N, char Delimiter, std::size_t... I>
std::vector<std::array<std::string, N>> read_fixed_columns(const std::string& path,
                                                           const std::array<std::string, N>& names,
                                                           std::index_sequence<I...>) {
  io::CSVReader<static_cast<unsigned>(N), io::trim_chars<>, io::double_quote_escape<Delimiter, '"'>,
                io::throw_on_overflow, SkipEmptyLines>
      reader(path);
  reader.read_header(io::ignore_no_column, names[I]...);
  std::vector<std::array<std::string, N>> rows;
  std::array<std::string, N> row;
  while (reader.read_row(row[I]...)) rows.push_back(row);
  return rows;
}

}  // namespace detail

/// Reads the CSV file at `path` whose header row holds exactly the columns `names` (in any
/// order) and returns its records, each with its fields in the order of `names`. `Delimiter` is
/// ',' for CSV, '\t' for TSV. Accepts what the plugin's reader accepts except: no quoted field
/// may contain a line break, lines end in LF or CRLF (not a lone CR), and lines are shorter than
/// 16 MiB. A UTF-8 BOM and empty lines are skipped, like the generic reader; fields are not
/// trimmed. Blocks on file I/O and allocates a 48 MiB buffer (fccp's read-ahead window).
/// Throws an io::error::* exception (derived from std::exception, with the file name and, for
/// row errors, the 1-based line in what()) when the file cannot be opened, a column is missing,
/// extra or duplicated, a row has too few or too many fields, or a quote is not closed.
template <std::size_t N, char Delimiter = ','>
std::vector<std::array<std::string, N>> read_fixed_columns(const std::string& path,
                                                           const std::array<std::string, N>& names) {
  static_assert(N > 0, "a CSV file has at least one column");
  return detail::read_fixed_columns<N, Delimiter>(path, names, std::make_index_sequence<N>{});
}

}  // namespace atomicio::csv
