// The private interface between format.yaml's entry point and its halves: the reader (YAML text
// to the host's document, yaml_reader.cpp), the writer (host document to YAML text,
// yaml_writer.cpp) and the YAML 1.2 core-schema scalar rules both share (yaml_scalars.cpp).
// Nothing here is visible outside the plugin.
#pragma once

#include <atomicio/sdk/io.hpp>
#include <atomicio/sdk/limits.h>
#include <atomicio/sdk/value_builder.hpp>
#include <atomicio/sdk/value_view.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace atomicio::yaml {

/// The lowest cap on values produced while expanding aliases; see read_document().
inline constexpr std::uint64_t kMinNodeBudget = 1'000'000;
/// The cap also grows with the input: this many values per input byte.
inline constexpr std::uint64_t kNodesPerInputByte = 10;
/// The lowest cap on bytes of scalar and key text produced while expanding aliases.
inline constexpr std::uint64_t kMinByteBudget = 64ull << 20;
/// The byte cap also grows with the input: this many bytes per input byte. A document without
/// aliases holds at most about one byte of text per input byte, so only alias reuse comes near.
inline constexpr std::uint64_t kBytesPerInputByte = 16;

/// What a scalar means. `too_large` is an integer outside both the int64 and uint64 ranges.
enum class ScalarKind { null, boolean, integer, unsigned_integer, floating, string, too_large };

struct Scalar {
  ScalarKind kind = ScalarKind::string;
  bool boolean = false;
  std::int64_t integer = 0;
  std::uint64_t unsigned_integer = 0;
  double floating = 0.0;
};

/// Resolves an untagged plain scalar by the YAML 1.2 core schema: null, bool, int (decimal,
/// 0o octal, 0x hex), float (incl. .inf/.nan), else string. Pure; thread-safe.
Scalar resolve_plain(std::string_view text);

/// The shortest text that reads back as exactly `value` and always looks like a float under
/// both YAML 1.2 and 1.1 ("1.0", "1.0e+20", ".inf", "-.inf", ".nan"). Pure; thread-safe.
std::string format_float(double value);

/// True when `text` written as a plain scalar would read back as something other than this
/// string, in YAML 1.2 or (for PyYAML and other 1.1 readers) YAML 1.1. Pure; thread-safe.
bool needs_quotes(std::string_view text);

/// Parses one YAML document from `input` into `out` (an empty file is null). Throws
/// sdk::ParseError for invalid YAML, several documents, non-scalar or duplicate keys, unknown
/// tags, out-of-range integers, recursive aliases, nesting deeper than
/// ATOMICIO_MAX_NESTING_DEPTH (aliases expanded), and alias expansion producing more than
/// max(kMinNodeBudget, kNodesPerInputByte * input size) values or more than
/// max(kMinByteBudget, kBytesPerInputByte * input size) bytes of text. Nothing reaches `out`
/// unless the whole input is valid.
void read_document(sdk::Input& input, sdk::ValueBuilder& out);

/// Writes `value` as one block-style YAML document with 2-space indent and a final newline.
/// Throws sdk::UnsupportedValue for strings that are not valid UTF-8.
void write_document(const sdk::ValueView& value, sdk::Output& out);

}  // namespace atomicio::yaml
