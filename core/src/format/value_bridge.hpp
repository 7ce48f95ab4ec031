// The host side of the format boundary: turns a plugin's parse events into a Value, and lets a
// plugin's serializer read a Value through the C view table.
#pragma once

#include "stream/byte_sink.hpp"

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/limits.h>
#include <atomicio/value.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace atomicio::detail {

/// Deepest nesting a document may have (the SDK's one constant): deeper input is a
/// FileReadError and a deeper value a FileWriteError, rather than a stack overflow in some
/// recursive parser, printer or later consumer, or a file that cannot be read back.
inline constexpr std::size_t kMaxNestingDepth = ATOMICIO_MAX_NESTING_DEPTH;

/// Parses `bytes` with `format` (plugin `plugin_id`). Throws FileReadError naming `file`, the
/// plugin and the position the plugin reported.
Value parse_with_plugin(const atomicio_format_v1& format, const std::string& plugin_id,
                        std::string_view bytes, const std::filesystem::path& file);

/// Serializes `value` with `format` into `out`. Throws FileWriteError (the value nests deeper
/// than kMaxNestingDepth, checked before the plugin sees it; the value does not fit; or `out`
/// failed, with its own error rethrown as is).
void dump_with_plugin(const atomicio_format_v1& format, const std::string& plugin_id,
                      const Value& value, ByteSink& out, const std::filesystem::path& file);

}  // namespace atomicio::detail
