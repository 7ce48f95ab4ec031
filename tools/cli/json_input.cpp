// nlohmann's parse errors read "[json.exception.parse_error.101] parse error at line 3, column 0:
// syntax error ..."; the tool keeps only the cause and computes the position itself from the byte
// offset with the SDK's text_position(), as format.json does, so `write` and `cat` report one
// mistake at one place.
#include "json_input.hpp"

#include <atomicio/sdk/limits.h>
#include <atomicio/sdk/text_position.hpp>

#include <stdexcept>
#include <string>

namespace atomicio::cli {

Value parse_json_input(std::string_view text, std::string_view source) {
  // Refused while parsing, which nlohmann does without recursing: no format could write a
  // deeper value, and the commands that merge or print one would recurse once per level.
  const Value::parser_callback_t limit_depth = [source](int depth, Value::parse_event_t event, Value&) {
    const bool opens = event == Value::parse_event_t::object_start || event == Value::parse_event_t::array_start;
    if (opens && static_cast<std::size_t>(depth) >= ATOMICIO_MAX_NESTING_DEPTH)
      throw std::runtime_error(std::string(source) + ": JSON nested deeper than " +
                               std::to_string(ATOMICIO_MAX_NESTING_DEPTH) +
                               " levels of objects and arrays, the most atomicio reads and writes");
    return true;
  };
  try {
    return Value::parse(text, limit_depth);
  } catch (const Value::parse_error& error) {
    std::string cause = error.what();
    // The cause follows the first ": " (after "... parse error at line L, column C").
    if (auto colon = cause.find(": "); colon != std::string::npos) cause.erase(0, colon + 2);
    // error.byte counts from 1 and points at the last character read: the offending one.
    const sdk::TextPosition at = sdk::text_position(text, error.byte > 0 ? error.byte - 1 : 0);
    throw std::runtime_error(std::string(source) + ": invalid JSON at line " + std::to_string(at.line) + ", column " +
                             std::to_string(at.column) + ": " + cause);
  }
}

}  // namespace atomicio::cli
