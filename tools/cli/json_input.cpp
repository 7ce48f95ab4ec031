// nlohmann's parse errors read "[json.exception.parse_error.101] parse error at line 3, column 0:
// syntax error ..."; the tool keeps only the cause and computes the position itself from the byte
// offset, counting as format.json does, so `write` and `cat` report one mistake at one place.
#include "json_input.hpp"

#include <stdexcept>
#include <string>

namespace atomicio::cli {

namespace {

struct Position {
  std::size_t line = 1;
  std::size_t column = 1;
};

Position position_of(std::string_view text, std::size_t offset) {
  Position at;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

}  // namespace

Value parse_json_input(std::string_view text, std::string_view source) {
  try {
    return Value::parse(text);
  } catch (const Value::parse_error& error) {
    std::string cause = error.what();
    // The cause follows the first ": " (after "... parse error at line L, column C").
    if (auto colon = cause.find(": "); colon != std::string::npos) cause.erase(0, colon + 2);
    // error.byte counts from 1 and points at the last character read: the offending one.
    Position at = position_of(text, error.byte > 0 ? error.byte - 1 : 0);
    throw std::runtime_error(std::string(source) + ": invalid JSON at line " + std::to_string(at.line) + ", column " +
                             std::to_string(at.column) + ": " + cause);
  }
}

}  // namespace atomicio::cli
