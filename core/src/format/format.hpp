// A resolved file format, whether it comes from register_format() or from a plugin. The file
// classes only ever talk to this interface.
#pragma once

#include "stream/byte_sink.hpp"

#include <atomicio/plugin_host.hpp>
#include <atomicio/value.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace atomicio::detail {

class Format {
 public:
  virtual ~Format() = default;
  /// Throws FileReadError naming `file`.
  virtual Value parse(std::string_view bytes, const std::filesystem::path& file) const = 0;
  /// Throws FileWriteError naming `file`; `out` is rolled back by its owner.
  virtual void dump(const Value& value, ByteSink& out, const std::filesystem::path& file) const = 0;
};

/// The format for a file named `name` (default: `file`'s file name; a compressed file passes
/// its name without the codec suffixes) by longest case-insensitive suffix over registrations
/// (which win ties) and `host`'s usable format plugins, loading the plugin if needed. Throws
/// UnsupportedFormatError naming `file` (what is missing and where plugins were searched) or
/// PluginLoadError.
std::shared_ptr<const Format> find_format(const std::filesystem::path& file, PluginHost& host,
                                          std::string_view name = {});

}  // namespace atomicio::detail
