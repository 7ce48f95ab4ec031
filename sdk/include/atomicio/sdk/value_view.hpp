// Read-only C++ access to a host-owned document, for serializers.
// Thread-safety: valid only during the dump call it was passed to; do not keep it.
#pragma once

#include <atomicio/sdk/abi.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace atomicio::sdk {
inline namespace abi_v1 {

enum class ValueType {
  null = ATOMICIO_VALUE_NULL,
  boolean = ATOMICIO_VALUE_BOOLEAN,
  integer = ATOMICIO_VALUE_INTEGER,
  unsigned_integer = ATOMICIO_VALUE_UNSIGNED,
  floating = ATOMICIO_VALUE_FLOATING,
  string = ATOMICIO_VALUE_STRING,
  array = ATOMICIO_VALUE_ARRAY,
  object = ATOMICIO_VALUE_OBJECT,
};

/// One node of the document. Cheap to copy. Accessors for the wrong type return zero values;
/// check type() first. Object members come in the document's key order.
class ValueView {
 public:
  ValueView(const atomicio_value_view& api, atomicio_node node) noexcept : api_(&api), node_(node) {}
  explicit ValueView(const atomicio_value_view& api) noexcept : ValueView(api, api.root) {}

  ValueType type() const { return static_cast<ValueType>(api_->type(api_->context, node_)); }
  bool is_object() const { return type() == ValueType::object; }
  bool is_array() const { return type() == ValueType::array; }
  bool is_string() const { return type() == ValueType::string; }

  bool as_bool() const { return api_->get_boolean(api_->context, node_) != 0; }
  std::int64_t as_int() const { return api_->get_integer(api_->context, node_); }
  std::uint64_t as_uint() const { return api_->get_unsigned(api_->context, node_); }
  double as_double() const { return api_->get_floating(api_->context, node_); }
  std::string_view as_string() const {
    atomicio_string s = api_->get_string(api_->context, node_);
    return {s.data, s.size};
  }

  /// Number of elements of an array or members of an object; 0 for scalars.
  std::size_t size() const { return api_->size(api_->context, node_); }
  /// Element `index` of an array (index < size()).
  ValueView at(std::size_t index) const { return {*api_, api_->array_at(api_->context, node_, index)}; }
  /// Key and value of object member `index` (index < size()).
  std::string_view key_at(std::size_t index) const {
    atomicio_string s = api_->key_at(api_->context, node_, index);
    return {s.data, s.size};
  }
  ValueView value_at(std::size_t index) const {
    return {*api_, api_->value_at(api_->context, node_, index)};
  }
  /// The member named `key` of an object, if present.
  std::optional<ValueView> find(std::string_view key) const {
    atomicio_node found = api_->find(api_->context, node_, key.data(), key.size());
    if (found == nullptr) return std::nullopt;
    return ValueView(*api_, found);
  }

 private:
  const atomicio_value_view* api_;
  atomicio_node node_;
};

}  // namespace abi_v1
}  // namespace atomicio::sdk
