// The scalar rules of format.toml, shared by reader and writer so the two cannot drift apart:
// the one string form of each TOML date/time kind (toml++'s own printing, RFC 3339), the test
// that tells such a string back from ordinary text, and how floats, strings and keys are spelled.
#include "toml_format_internal.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <sstream>
#include <system_error>

namespace atomicio::toml_format {
namespace {

// Reads the fixed-width fields of RFC 3339 text. Every field must have exactly its width in
// ASCII digits, so "7:32:00" or "1979-5-27" never count as dates.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return at_ == text_.size(); }
  bool peek(char c) const { return at_ < text_.size() && text_[at_] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++at_;
    return true;
  }
  bool number(std::size_t width, unsigned max, unsigned& out) {
    if (text_.size() - at_ < width) return false;
    unsigned value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text_[at_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > max) return false;
    at_ += width;
    out = value;
    return true;
  }
  // 1 to 9 digits of a second's fraction, as nanoseconds; more would be truncated by toml++ and
  // so could not read back as the same text.
  bool fraction(std::uint32_t& nanoseconds) {
    std::size_t digits = 0;
    std::uint32_t value = 0;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      if (++digits > 9) return false;
      value = value * 10 + static_cast<std::uint32_t>(text_[at_++] - '0');
    }
    if (digits == 0) return false;
    for (; digits < 9; ++digits) value *= 10;
    nanoseconds = value;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

unsigned days_in_month(unsigned year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::optional<toml::date> scan_date(Scanner& in) {
  unsigned year = 0, month = 0, day = 0;
  if (!in.number(4, 9999, year) || !in.take('-') || !in.number(2, 12, month) || month == 0 ||
      !in.take('-') || !in.number(2, 31, day) || day == 0 || day > days_in_month(year, month))
    return std::nullopt;
  return toml::date(year, month, day);
}

std::optional<toml::time> scan_time(Scanner& in) {
  unsigned hour = 0, minute = 0, second = 0;
  std::uint32_t nanoseconds = 0;
  // Seconds stop at 59 as in toml++'s parser (and Python's datetime): no leap seconds.
  if (!in.number(2, 23, hour) || !in.take(':') || !in.number(2, 59, minute) || !in.take(':') ||
      !in.number(2, 59, second))
    return std::nullopt;
  if (in.take('.') && !in.fraction(nanoseconds)) return std::nullopt;
  return toml::time(hour, minute, second, nanoseconds);
}

std::optional<toml::time_offset> scan_offset(Scanner& in) {
  if (in.take('Z')) return toml::time_offset{};
  const bool negative = in.peek('-');
  if (!in.take('+') && !in.take('-')) return std::nullopt;
  unsigned hours = 0, minutes = 0;
  if (!in.number(2, 23, hours) || !in.take(':') || !in.number(2, 59, minutes)) return std::nullopt;
  const int sign = negative ? -1 : 1;
  return toml::time_offset(sign * static_cast<int>(hours), sign * static_cast<int>(minutes));
}

// The parsed value printed by toml++, or "" when `text` has none of the four shapes.
std::string reprint(std::string_view text) {
  Scanner in(text);
  std::ostringstream out;
  if (text.size() > 2 && text[2] == ':') {
    auto time = scan_time(in);
    if (!time || !in.done()) return {};
    out << *time;
    return std::move(out).str();
  }
  auto date = scan_date(in);
  if (!date) return {};
  if (in.done()) {
    out << *date;
    return std::move(out).str();
  }
  auto time = in.take('T') ? scan_time(in) : std::nullopt;
  if (!time) return {};
  toml::date_time stamp(*date, *time);
  if (!in.done()) {
    auto offset = scan_offset(in);
    if (!offset || !in.done()) return {};
    stamp.offset = *offset;
  }
  out << stamp;
  return std::move(out).str();
}

}  // namespace

std::optional<std::string> date_time_text(const toml::node& node) {
  std::ostringstream out;
  if (auto* date = node.as_date()) out << date->get();
  else if (auto* time = node.as_time()) out << time->get();
  else if (auto* stamp = node.as_date_time()) out << stamp->get();
  else return std::nullopt;
  return std::move(out).str();
}

bool is_date_time_text(std::string_view text) {
  // Cheap rejection first: every string value of the document passes through here.
  if (text.size() < 8 || text[0] < '0' || text[0] > '9') return false;
  // Only the exact text the reader would produce counts, so "07:32:00.500" or "+00:00" stay
  // strings (their date would read back as "07:32:00.5" or "Z"): every string round-trips.
  return reprint(text) == text;
}

std::string float_text(double value) {
  if (value != value) return "nan";
  if (value == std::numeric_limits<double>::infinity()) return "inf";
  if (value == -std::numeric_limits<double>::infinity()) return "-inf";
  // std::to_chars gives the shortest text that reads back as the same double; toml++'s own
  // printer uses 17 significant digits on GCC, turning 0.1 into 0.10000000000000001.
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, error == std::errc{} ? end : buffer);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";  // 3 would read as integer
  return text;
}

bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      length = 1;
      code = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code = lead & 0x07u;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::string string_text(std::string_view text) {
  // No multi-line strings: a parser trims a newline right after the opening quotes, and a
  // multi-line literal string cannot hold "'''". Single-line literal ('...') is kept because
  // it is the readable choice for Windows paths and regexes, except for text with a newline:
  // toml++ 3.3 would put that newline raw into a '...' string when multi-line output is off.
  static constexpr auto kBasic = toml::format_flags::allow_unicode_strings;
  static constexpr auto kLiteral = kBasic | toml::format_flags::allow_literal_strings;
  const toml::value<std::string> node{std::string(text)};
  std::ostringstream out;
  out << toml::toml_formatter(node, text.find('\n') == std::string_view::npos ? kLiteral : kBasic);
  return std::move(out).str();
}

std::string key_text(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key)
    bare = bare && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  return bare ? std::string(key) : string_text(key);
}

}  // namespace atomicio::toml_format
