// Character-level rules of format.xml: decoding UTF-8, XML 1.0's Char and Name productions and
// the spelling of scalars as text. pugixml checks none of this when writing (it would emit a
// NUL-truncated string, a name like "1st" or "&#01;" for U+0001, all of which other XML parsers
// reject), so the writer asks here first.
#include "xml_mapping.hpp"

#include <atomicio/sdk/errors.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace atomicio::xml {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point at text[i] and advances i past it; kInvalid (i unchanged) for an
// ill-formed sequence: overlong forms, surrogates and values past U+10FFFF included.
char32_t next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, minimum = 0x10000;
  } else {
    return kInvalid;
  }
  if (text.size() - i < length) return kInvalid;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return kInvalid;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
  i += length;
  return cp;
}

bool is_xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

bool is_name_start_char(char32_t c) {
  return c == ':' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0xD6) ||
         (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) || (c >= 0x2070 && c <= 0x218F) ||
         (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

bool is_name_char(char32_t c) {
  return is_name_start_char(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

template <class Number>
std::string decimal(Number value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (next_code_point(text, i) == kInvalid) return i;
  }
  return std::string_view::npos;
}

void require_xml_chars(std::string_view text, const Describe& what) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    const char32_t c = next_code_point(text, i);
    if (c == kInvalid)
      throw sdk::UnsupportedValue(what() + " is not valid UTF-8 (at byte " + std::to_string(at) + ")");
    if (!is_xml_char(c)) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      throw sdk::UnsupportedValue(what() + " contains " + code + ", which XML 1.0 cannot represent");
    }
  }
}

bool is_xml_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size();) {
    const bool first = i == 0;
    const char32_t c = next_code_point(name, i);
    if (c == kInvalid || !(first ? is_name_start_char(c) : is_name_char(c))) return false;
  }
  return true;
}

std::string scalar_text(const sdk::ValueView& value, const Describe& what) {
  switch (value.type()) {
    case sdk::ValueType::null: return {};
    case sdk::ValueType::boolean: return value.as_bool() ? "true" : "false";
    case sdk::ValueType::integer: return decimal(value.as_int());
    case sdk::ValueType::unsigned_integer: return decimal(value.as_uint());
    case sdk::ValueType::floating: {
      const double number = value.as_double();
      // XML Schema's lexical forms for the values to_chars would spell "nan" and "inf".
      if (std::isnan(number)) return "NaN";
      if (std::isinf(number)) return number > 0 ? "INF" : "-INF";
      return decimal(number);
    }
    case sdk::ValueType::string: return std::string(value.as_string());
    case sdk::ValueType::array:
    case sdk::ValueType::object: break;
  }
  throw sdk::UnsupportedValue(what() + " must be a string, number, boolean or null, not an " +
                              (value.is_array() ? "array" : "object"));
}

}  // namespace atomicio::xml
