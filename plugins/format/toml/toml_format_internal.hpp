// Private to the format.toml plugin: the reader, the writer and the scalar rules they share
// (how TOML dates and times become strings and back, how floats, strings and keys are spelled).
// Thread-safety: every function here is reentrant; state lives on the caller's stack.
#pragma once

#include <atomicio/sdk/io.hpp>
#include <atomicio/sdk/limits.h>
#include <atomicio/sdk/value_builder.hpp>
#include <atomicio/sdk/value_view.hpp>

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>

namespace atomicio::toml_format {

/// Parses `text` as a TOML 1.0 document and reports it to `out` as one object whose members
/// come in the order their keys first appear in the text. Throws sdk::ParseError with toml++'s
/// description and the line and column it points at.
void read_document(std::string_view text, sdk::ValueBuilder& out);

/// Throws sdk::ParseError (with the position) when `text` certainly nests tables, arrays and
/// inline tables deeper than ATOMICIO_MAX_NESTING_DEPTH, counting header and dotted-key parts
/// and brackets without recursing, so that toml++ never sees such a document (toml_depth.cpp).
void check_depth(std::string_view text);

/// Writes `root` as a TOML document, keeping the key order of every object. Throws
/// sdk::UnsupportedValue, naming the key path, when `root` is not an object or when anything in
/// it has no TOML form (null, an unsigned integer above INT64_MAX, text that is not UTF-8).
void write_document(const sdk::ValueView& root, sdk::Output& out);

/// The string form of a TOML date or time node (RFC 3339, see README.md), or nullopt when
/// `node` is not a date, time or date-time.
std::optional<std::string> date_time_text(const toml::node& node);

/// True when `text` is exactly what date_time_text() produces for some TOML date or time, so
/// writing it unquoted reads back as the same string.
bool is_date_time_text(std::string_view text);

/// The shortest TOML float literal that reads back as `value`: inf, -inf and nan for the
/// non-finite values, and always with a '.' or an exponent so it never reads as an integer.
std::string float_text(double value);

/// True when `text` is well-formed UTF-8 (TOML documents must be).
bool is_utf8(std::string_view text);

/// `text` as a single-line TOML string literal (escaped by toml++). Multi-line forms are never
/// used because parsers trim a leading newline and may normalise line endings inside them.
/// `text` must be UTF-8; toml++ would otherwise escape stray bytes as code points.
std::string string_text(std::string_view text);

/// `key` bare when it only holds A-Z a-z 0-9 _ -, otherwise quoted as string_text() does.
std::string key_text(std::string_view key);

}  // namespace atomicio::toml_format
