// Private to format.xml: the pieces the plugin's source files share. The reader turns a pugixml
// document into the host's value, the writer does the reverse, and xml_text.cpp holds the
// character-level rules both need (UTF-8, XML's Char and Name productions, scalar spelling).
// README.md in this folder is the user-facing description of the mapping.
//
// Thread-safety: every function here is reentrant; all state lives in its arguments.
#pragma once

#include <atomicio/sdk/io.hpp>
#include <atomicio/sdk/limits.h>
#include <atomicio/sdk/value_builder.hpp>
#include <atomicio/sdk/value_view.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace atomicio::xml {

/// The object key holding an element's attributes, and the one holding its text when the
/// element also has attributes or children. Neither is a valid XML name, so they can never
/// collide with a child element.
inline constexpr std::string_view kAttributesKey = "@attributes";
inline constexpr std::string_view kTextKey = "#text";

/// Deepest element nesting the writer accepts: the SDK's one nesting limit, which the host's
/// builder applies to reading (each element with children is an object one level down).
inline constexpr std::size_t kMaxDepth = ATOMICIO_MAX_NESTING_DEPTH;

/// Parses `text` (the whole file) and reports its value to `out`. A blank file reads as null.
/// Throws sdk::ParseError (with position where known) for malformed XML, invalid UTF-8, a
/// DOCTYPE that declares entities, text or a second element outside the root, or a duplicate
/// attribute; lets sdk::HostFailure from `out` propagate.
void read_document(std::string_view text, sdk::ValueBuilder& out);

/// Writes `value` as an indented XML document with a UTF-8 declaration. Throws
/// sdk::UnsupportedValue naming the offending key when the value has no XML form; lets
/// sdk::HostFailure from `out` propagate.
void write_document(const sdk::ValueView& value, sdk::Output& out);

/// Offset of the first byte of `text` that is not well-formed UTF-8, or npos when all are.
std::size_t first_invalid_utf8(std::string_view text);

/// Names the place of a value in an error message ("the text of <port>"). Called only when
/// there is an error, so that the writer builds no message for the values that are fine.
using Describe = std::function<std::string()>;

/// Throws sdk::UnsupportedValue unless `text` is UTF-8 made only of characters XML 1.0 allows
/// in content (which excludes NUL and most control characters). `what` names the place for the
/// message.
void require_xml_chars(std::string_view text, const Describe& what);

/// Whether `name` matches XML 1.0's Name production (5th edition), i.e. can be an element or
/// attribute name.
bool is_xml_name(std::string_view name);

/// The text a scalar is written as: strings as they are, integers in decimal, floating point
/// in the shortest form that reads back to the same double (NaN, INF, -INF as in XML Schema),
/// booleans as true/false, null as "". Throws sdk::UnsupportedValue for arrays and objects,
/// naming `what`.
std::string scalar_text(const sdk::ValueView& value, const Describe& what);

}  // namespace atomicio::xml
