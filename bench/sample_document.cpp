#include "sample_document.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <utility>

namespace atomicio::bench {

Value sample_record(int i) {
  const auto n = static_cast<std::uint64_t>(i);
  Value tags = Value::array();
  for (std::uint64_t t = 0; t <= n % 4; ++t) tags.push_back("tag-" + std::to_string((n * 7 + t) % 50));
  Value history = Value::array();
  for (std::uint64_t h = 0; h < 6; ++h) history.push_back((n * 2654435761u + h * 97) % 100000);
  return Value{
      {"id", i},
      {"uuid", std::to_string(n * 11400714819323198485ull) + "-" + std::to_string(n * 2862933555777941757ull)},
      {"name", "user-" + std::to_string(i)},
      {"email", "user" + std::to_string(i) + "@example.org"},
      {"active", i % 3 == 0},
      {"score", static_cast<double>(n % 1000) * 0.37 + 0.5},
      {"balance", -static_cast<std::int64_t>((n * 13) % 100000)},
      {"note", i % 10 == 0 ? "quote \" tab \t caf\u00e9 \u2713" : "plain note"},
      {"tags", std::move(tags)},
      {"address", {{"street", std::to_string(i % 997) + " Main St"}, {"city", "Springfield"}, {"zip", i % 100000}}},
      {"history", std::move(history)},
  };
}

FileOptions without_fsync() {
  FileOptions options;
  options.durability = Durability::process_crash_only;
  return options;
}

Value sample_records(int count) {
  Value records = Value::array();
  for (int i = 0; i < count; ++i) records.push_back(sample_record(i));
  return records;
}

std::string scalar_text(const Value& scalar) {
  char digits[64];
  std::to_chars_result end{};
  switch (scalar.type()) {
    case Value::value_t::boolean: return scalar.get<bool>() ? "true" : "false";
    case Value::value_t::number_integer:
      end = std::to_chars(digits, digits + sizeof digits, scalar.get<std::int64_t>());
      break;
    case Value::value_t::number_unsigned:
      end = std::to_chars(digits, digits + sizeof digits, scalar.get<std::uint64_t>());
      break;
    case Value::value_t::number_float:
      end = std::to_chars(digits, digits + sizeof digits, scalar.get<double>());
      break;
    case Value::value_t::string: return scalar.get<std::string>();
    default: return {};
  }
  return std::string(digits, end.ptr);
}

Value flattened(const Value& record) {
  Value flat = Value::object();
  for (const auto& [key, value] : record.items()) {
    if (value.is_object()) {
      for (const auto& [child, inner] : value.items()) flat[key + "." + child] = inner;
    } else if (value.is_array()) {
      std::string joined;
      for (const Value& element : value) {
        if (!joined.empty()) joined += ' ';
        joined += scalar_text(element);
      }
      flat[key] = joined;
    } else {
      flat[key] = value;
    }
  }
  return flat;
}

Value scalars_as_text(const Value& value) {
  if (value.is_structured()) {
    Value copy = value;
    for (auto& element : copy) element = scalars_as_text(element);
    return copy;
  }
  return value.is_null() ? value : Value(scalar_text(value));
}

}  // namespace atomicio::bench
