// Private interface between the csv/tsv plugin entry (csv_plugin.cpp) and the two halves of the
// codec: the RFC 4180 reader (csv_reader.cpp) and writer (csv_writer.cpp). The delimiter is a
// parameter rather than a constant so the same code serves format.csv (',') and format.tsv
// ('\t'); each plugin library picks its delimiter once, at compile time, in csv_plugin.cpp.
#pragma once

#include <atomicio/sdk/io.hpp>
#include <atomicio/sdk/value_builder.hpp>
#include <atomicio/sdk/value_view.hpp>

#include <string_view>

namespace atomicio::csv {

/// Reads `text` (a whole CSV file) as a header row followed by records and reports to `out`
/// one array holding an object per record, keyed by the header's names in header order, every
/// value a string. A UTF-8 BOM at the start and empty lines are skipped; LF, CRLF and a lone CR
/// end a record outside quotes. An empty file gives an empty array. Throws sdk::ParseError with
/// the 1-based line (and column where it helps) for a record whose field count differs from the
/// header's, a duplicate header name, an unterminated quoted field, or text after a closing quote.
void read_records(std::string_view text, char delimiter, sdk::ValueBuilder& out);

/// Writes `document`, an array of objects, as a header row (the union of all records' keys, in
/// first-seen order) followed by one row per record, each ended by CRLF, quoting fields that
/// contain the delimiter, a quote, CR or LF. Scalars become text (null as an empty field);
/// an empty array writes nothing. Throws sdk::UnsupportedValue, before writing anything, when
/// the document is not an array of objects, a field holds an object or array, or no record has
/// a key.
void write_records(const sdk::ValueView& document, char delimiter, sdk::Output& out);

}  // namespace atomicio::csv
