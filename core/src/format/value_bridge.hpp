// The host side of the format boundary: turns a plugin's parse events into a Value, and lets a
// plugin's serializer read a Value through the C view table.
#pragma once

#include "stream/byte_sink.hpp"

#include <atomicio/sdk/abi.h>
#include <atomicio/value.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace atomicio::detail {

/// Deepest nesting a parsed document may have; deeper input is a FileReadError rather than a
/// stack overflow in some later recursive consumer.
inline constexpr std::size_t kMaxNestingDepth = 2048;

/// Parses `bytes` with `format` (plugin `plugin_id`). Throws FileReadError naming `file`, the
/// plugin and the position the plugin reported.
Value parse_with_plugin(const atomicio_format_v1& format, const std::string& plugin_id,
                        std::string_view bytes, const std::filesystem::path& file);

/// Serializes `value` with `format` into `out`. Throws FileWriteError (the value does not fit,
/// or `out` failed, with its own error rethrown as is).
void dump_with_plugin(const atomicio_format_v1& format, const std::string& plugin_id,
                      const Value& value, ByteSink& out, const std::filesystem::path& file);

}  // namespace atomicio::detail
