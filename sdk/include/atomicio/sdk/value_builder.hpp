// The C++ face of the host's document builder: a parser calls these in document order.
// Thread-safety: belongs to the one parse call it was passed to.
#pragma once

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/errors.hpp>

#include <cstdint>
#include <string_view>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// Builds the host's document from events: scalars, begin/end of objects and arrays, and a
/// key before each object member. Every call throws HostFailure if the host refuses (for
/// example a nesting limit), which the plugin lets propagate.
class ValueBuilder {
 public:
  explicit ValueBuilder(const atomicio_value_builder& raw) noexcept : raw_(raw) {}

  void null_value() { check(raw_.null_value(raw_.context)); }
  void boolean(bool value) { check(raw_.boolean(raw_.context, value ? 1 : 0)); }
  void integer(std::int64_t value) { check(raw_.integer(raw_.context, value)); }
  void unsigned_integer(std::uint64_t value) { check(raw_.unsigned_integer(raw_.context, value)); }
  void floating(double value) { check(raw_.floating(raw_.context, value)); }
  void string(std::string_view value) { check(raw_.string(raw_.context, value.data(), value.size())); }
  void begin_object() { check(raw_.begin_object(raw_.context)); }
  void key(std::string_view name) { check(raw_.key(raw_.context, name.data(), name.size())); }
  void end_object() { check(raw_.end_object(raw_.context)); }
  void begin_array() { check(raw_.begin_array(raw_.context)); }
  void end_array() { check(raw_.end_array(raw_.context)); }

 private:
  static void check(std::int32_t status) {
    if (status != 0) throw HostFailure(ATOMICIO_ERR_ABORTED);
  }
  const atomicio_value_builder& raw_;
};

}  // namespace abi_v1
}  // namespace atomicio::sdk
