// Line and column of a byte offset in a text: for parsers whose library reports only an offset,
// so their ParseErrors can still say where, as users read positions in an editor.
#pragma once

#include <atomicio/sdk/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace atomicio::sdk {
inline namespace abi_v1 {

struct TextPosition {
  std::int64_t line = 1;    ///< from 1
  std::int64_t column = 1;  ///< from 1, in bytes
};

/// Where byte `offset` of `text` is; offsets past the end count to the end.
constexpr TextPosition text_position(std::string_view text, std::size_t offset) noexcept {
  TextPosition at;
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

/// A ParseError for byte `offset` of `text`, with line, column and offset filled in.
inline ParseError parse_error_at(std::string_view text, std::size_t offset, const std::string& message) {
  const TextPosition at = text_position(text, offset);
  return ParseError(message, at.line, at.column, static_cast<std::int64_t>(offset));
}

}  // namespace abi_v1
}  // namespace atomicio::sdk
