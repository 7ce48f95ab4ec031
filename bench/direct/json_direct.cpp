// nlohmann_json called directly. Its native document is nlohmann::json (std::map objects, what
// a program using the library on its own gets); a Value is the same library with insertion-
// ordered objects, so "via Value" is Value::parse and Value::dump(2), with no walk at all.
#include "direct_format.hpp"

#include <nlohmann/json.hpp>

namespace atomicio::bench {
namespace {

class JsonDirect final : public DirectFormat {
 public:
  void parse_native(std::string_view text) override { nlohmann::json document = nlohmann::json::parse(text); }
  Value parse_to_value(std::string_view text) override { return Value::parse(text); }
  void prepare_native(const Value& value) override { prepared_ = nlohmann::json::parse(value.dump()); }
  std::string emit_native() override { return prepared_.dump(2) + "\n"; }
  std::string emit_from_value(const Value& value) override { return value.dump(2) + "\n"; }

 private:
  nlohmann::json prepared_;
};

}  // namespace

std::unique_ptr<DirectFormat> make_json_direct() { return std::make_unique<JsonDirect>(); }

}  // namespace atomicio::bench
