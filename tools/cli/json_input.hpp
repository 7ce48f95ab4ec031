// JSON given on the command line or stdin, parsed into an atomicio::Value (key order kept), with
// errors that name where the text came from and the line and column of the mistake.
#pragma once

#include <atomicio/value.hpp>

#include <string_view>

namespace atomicio::cli {

/// Parses `text` as one JSON document. `source` names it in errors ("stdin", "the JSON
/// argument"). Throws std::runtime_error: "<source>: invalid JSON at line L, column C: <cause>",
/// or "<source>: JSON nested deeper than N levels ..." past ATOMICIO_MAX_NESTING_DEPTH.
Value parse_json_input(std::string_view text, std::string_view source);

}  // namespace atomicio::cli
