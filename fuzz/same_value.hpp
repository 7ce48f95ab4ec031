// The equality a round trip must keep, which is stricter than Value's operator== in two ways
// and looser in one: the types must match (1 is not 1.0), object keys must come back in the same
// order (every plugin that is checked promises to keep it), floats must be bit-identical but
// any NaN equals any NaN (operator== has NaN unequal to itself, and no format keeps a NaN's
// payload), and a signed and an unsigned integer are equal when they hold the same number.
#pragma once

#include <atomicio/value.hpp>

#include <cmath>
#include <cstdint>

namespace atomicio::fuzz {

inline bool same_number(const Value& a, const Value& b) {
  if (a.is_number_float() || b.is_number_float()) {
    if (!a.is_number_float() || !b.is_number_float()) return false;
    const double x = a.get<double>();
    const double y = b.get<double>();
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
    return x == y && std::signbit(x) == std::signbit(y);
  }
  const bool a_negative = a.is_number_integer() && !a.is_number_unsigned() && a.get<std::int64_t>() < 0;
  const bool b_negative = b.is_number_integer() && !b.is_number_unsigned() && b.get<std::int64_t>() < 0;
  if (a_negative || b_negative) return a_negative && b_negative && a.get<std::int64_t>() == b.get<std::int64_t>();
  return a.get<std::uint64_t>() == b.get<std::uint64_t>();
}

inline bool same_value(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return same_number(a, b);
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_value(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y)
      if (x.key() != y.key() || !same_value(x.value(), y.value())) return false;
    return true;
  }
  return a == b;
}

}  // namespace atomicio::fuzz
