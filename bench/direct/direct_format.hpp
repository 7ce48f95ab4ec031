// The baselines of format_bench: each format's library called directly, the way a programmer
// who does not use atomicio would read and write the same document. One implementation per
// library (yaml_direct.cpp, toml_direct.cpp, xml_direct.cpp, csv_direct.cpp, json_direct.cpp).
//
// Two depths on each side, so the plugin's cost can be split from the library's:
// - native: the library's own document type only (parse into it; serialize a prepared one);
// - via Value: parse and walk the library's document into an atomicio::Value (the type the
//   plugin produces), and walk a Value into the library to serialize it.
// The walks do what a straightforward program would (no key-order restoration, no quoting
// checks beyond what the library does itself); format_bench checks that their results read back
// as the same document.
//
// Thread-safety: an instance belongs to one thread.
#pragma once

#include <atomicio/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace atomicio::bench {

class DirectFormat {
 public:
  virtual ~DirectFormat() = default;

  /// Parses `text` into the library's document, which is then dropped. Throws on invalid input.
  virtual void parse_native(std::string_view text) = 0;

  /// Parses `text` with the library and converts the result into a Value.
  virtual Value parse_to_value(std::string_view text) = 0;

  /// Converts `value` into the library's document and keeps it for emit_native() (untimed setup).
  virtual void prepare_native(const Value& value) = 0;

  /// Serializes the document prepare_native() built.
  virtual std::string emit_native() = 0;

  /// Converts `value` into the library's document (or stream) and serializes it.
  virtual std::string emit_from_value(const Value& value) = 0;
};

std::unique_ptr<DirectFormat> make_yaml_direct();  // yaml-cpp: YAML::Load, YAML::Emitter
std::unique_ptr<DirectFormat> make_toml_direct();  // toml++: toml::parse, operator<<
std::unique_ptr<DirectFormat> make_xml_direct();   // pugixml: load_buffer, save
std::unique_ptr<DirectFormat> make_csv_direct();   // fast-cpp-csv-parser; a std::string build
std::unique_ptr<DirectFormat> make_json_direct();  // nlohmann (Value is nlohmann::basic_json)

}  // namespace atomicio::bench
