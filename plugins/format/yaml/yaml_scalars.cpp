// The scalar rules format.yaml reads and writes by: YAML 1.2 core-schema resolution of plain
// scalars, float text that round-trips exactly, and the test for strings that must be quoted so
// they read back as strings. yaml-cpp leaves all three to its user (it hands over scalars as
// text and would emit the string "true" plain), so they live here, in one place, so that the
// reader and the writer cannot disagree.
#include "yaml_codec.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace atomicio::yaml {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

template <class Predicate>
bool all_of(std::string_view text, Predicate predicate) {
  for (char c : text)
    if (!predicate(c)) return false;
  return true;
}

template <std::size_t N>
bool one_of(std::string_view text, const std::array<std::string_view, N>& words) {
  for (std::string_view word : words)
    if (text == word) return true;
  return false;
}

Scalar make_unsigned(std::uint64_t value) {
  Scalar s;
  if (value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    s.kind = ScalarKind::integer;
    s.integer = static_cast<std::int64_t>(value);
  } else {
    s.kind = ScalarKind::unsigned_integer;
    s.unsigned_integer = value;
  }
  return s;
}

// `digits` is non-empty and all valid in `base`, so the only failure left is overflow.
Scalar parse_magnitude(std::string_view digits, int base) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (error != std::errc() || end != digits.data() + digits.size()) return Scalar{ScalarKind::too_large};
  return make_unsigned(value);
}

Scalar parse_decimal(std::string_view text) {
  if (text.front() != '-') return parse_magnitude(text.front() == '+' ? text.substr(1) : text, 10);
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return Scalar{ScalarKind::too_large};
  Scalar s{ScalarKind::integer};
  s.integer = value;
  return s;
}

// True when `text` matches the core schema's float pattern
// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_float_syntax(std::string_view text) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t whole = digits();
  std::size_t fraction = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

// from_chars reports out_of_range without a value; decide between overflow and underflow from
// the decimal exponent of the first significant digit. Only ever called on valid float syntax.
double out_of_range_value(std::string_view text) {
  bool negative = text.front() == '-';
  long magnitude = 0;
  bool seen_significant = false, after_point = false;
  std::size_t i = (text.front() == '+' || negative) ? 1 : 0;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      after_point = true;
    } else if (!seen_significant && text[i] == '0') {
      if (after_point) --magnitude;
    } else if (!seen_significant) {
      seen_significant = true;
      if (!after_point) ++magnitude;
    } else if (!after_point) {
      ++magnitude;
    }
  }
  long exponent = 0;
  if (i < text.size()) {
    std::string_view digits = text.substr(i + 1);
    bool exponent_negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    for (char c : digits) exponent = exponent > 100000 ? exponent : exponent * 10 + (c - '0');
    if (exponent_negative) exponent = -exponent;
  }
  double result = magnitude + exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -result : result;
}

Scalar parse_float(std::string_view text) {
  Scalar s{ScalarKind::floating};
  // from_chars takes no leading '+'.
  std::string_view number = text.front() == '+' ? text.substr(1) : text;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), s.floating);
  if (error == std::errc::result_out_of_range) s.floating = out_of_range_value(text);
  else if (error != std::errc() || end != number.data() + number.size()) return Scalar{};
  return s;
}

}  // namespace

Scalar resolve_plain(std::string_view text) {
  static constexpr std::array<std::string_view, 5> kNull{"", "~", "null", "Null", "NULL"};
  static constexpr std::array<std::string_view, 3> kTrue{"true", "True", "TRUE"};
  static constexpr std::array<std::string_view, 3> kFalse{"false", "False", "FALSE"};
  static constexpr std::array<std::string_view, 3> kInf{".inf", ".Inf", ".INF"};
  static constexpr std::array<std::string_view, 3> kNan{".nan", ".NaN", ".NAN"};

  if (one_of(text, kNull)) return Scalar{ScalarKind::null};
  if (one_of(text, kTrue) || one_of(text, kFalse)) {
    Scalar s{ScalarKind::boolean};
    s.boolean = one_of(text, kTrue);
    return s;
  }
  if (text.size() > 2 && text[0] == '0' && text[1] == 'o' && all_of(text.substr(2), is_octal))
    return parse_magnitude(text.substr(2), 8);
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x' && all_of(text.substr(2), is_hex))
    return parse_magnitude(text.substr(2), 16);
  std::string_view unsigned_part = text;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) unsigned_part.remove_prefix(1);
  if (!unsigned_part.empty() && all_of(unsigned_part, is_digit)) return parse_decimal(text);
  if (one_of(unsigned_part, kInf)) {
    Scalar s{ScalarKind::floating};
    s.floating = text.front() == '-' ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity();
    return s;
  }
  if (one_of(text, kNan)) {
    Scalar s{ScalarKind::floating};
    s.floating = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  if (is_float_syntax(text)) return parse_float(text);
  return Scalar{};
}

std::string format_float(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value < 0 ? "-.inf" : ".inf";
  char buffer[64];
  // 64 bytes always hold a shortest double, so to_chars cannot fail here.
  std::string text(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
  // YAML 1.1 (PyYAML) floats need a '.', and "1" would read back as an integer anyway.
  if (text.find('.') == std::string::npos) {
    std::size_t exponent = text.find('e');
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

bool needs_quotes(std::string_view text) {
  // Words YAML 1.1 reads as booleans, merge keys (<<) and PyYAML's "value" tag (=).
  static constexpr std::array<std::string_view, 19> kYaml11Words{
      "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
      "on", "On", "ON", "off", "Off", "OFF", "<<", "=", "~"};
  if (resolve_plain(text).kind != ScalarKind::string) return true;
  if (one_of(text, kYaml11Words)) return true;
  // CR is a line break to YAML, but yaml-cpp's emitter only treats LF as one and writes "a\r"
  // plain, which reads back as "a" (found by fuzz/yaml).
  if (text.find('\r') != std::string_view::npos) return true;
  // "--- x" or "... x" at the start of a line is a document marker, which yaml-cpp does not
  // check for: a top-level scalar or key would lose it on reading (found by fuzz/yaml).
  if (text.starts_with("---") || text.starts_with("...")) return true;
  // YAML 1.1 numbers (0b101, 1_000, 0777, sexagesimal 1:30, 1.) and timestamps
  // (2001-12-14 21:59:43.10 -5): quoting a few harmless look-alikes too ("-v", "1.2.3") is
  // cheaper than reproducing 1.1's grammar.
  if (text.size() >= 5 && all_of(text.substr(0, 4), is_digit) && text[4] == '-') return true;
  auto number_char = [](char c) {
    return is_hex(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
           c == ':' || c == '+' || c == '-';
  };
  return (is_digit(text.front()) || text.front() == '+' || text.front() == '-' || text.front() == '.') &&
         all_of(text, number_char);
}

}  // namespace atomicio::yaml
