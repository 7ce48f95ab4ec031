// Which file formats atomicio knows, and registering your own in-process.
//
// A file's format is chosen by its name: the longest registered suffix wins, compared without
// regard to case, so `team.users.json` uses a `.users.json` format when one is registered and
// `.json` otherwise. In-process registrations take precedence over installed plugins.
//
// Thread-safety: all functions may be called concurrently with each other and with file I/O.
#pragma once

#include <atomicio/export.hpp>
#include <atomicio/value.hpp>

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace atomicio {

class PluginHost;

/// Parses a whole file from `in`. Throw any exception for invalid input: the file classes
/// report it as FileReadError naming the path and your message.
using Loader = std::function<Value(std::istream& in)>;
/// Writes `value` to `out`. A throw aborts the commit and leaves the target untouched.
using Dumper = std::function<void(const Value& value, std::ostream& out)>;

/// Makes `extension` (".csv", with or without the dot) readable and writable by every file
/// class through `loader` and `dumper`, replacing an earlier registration of it. Throws
/// std::invalid_argument for an empty extension or empty callables.
ATOMICIO_EXPORT void register_format(std::string extension, Loader loader, Dumper dumper);
/// Removes a registration; returns whether there was one.
ATOMICIO_EXPORT bool unregister_format(std::string extension);

struct FormatInfo {
  std::string extension;  ///< lower case, with the dot
  std::string provider;   ///< "registered" or the plugin id
  bool available = true;  ///< false when the providing plugin is shadowed, rejected or failed
};

/// Parses `bytes` in the format `name` selects, exactly as reading a file of that name would
/// (codec suffixes included: "x.json.gz" is decompressed, up to FileOptions'
/// default max_decoded_size), without touching any file: `name` only chooses the format and
/// names the data in errors.
/// Throws FileReadError (with the position where the format knows it),
/// UnsupportedFormatError, PluginError. `plugins` null means PluginHost::global().
ATOMICIO_EXPORT Value parse_as(const std::filesystem::path& name, std::string_view bytes,
                               PluginHost* plugins = nullptr);

/// Serializes `value` as writing a file of that name would. Throws FileWriteError (the format
/// cannot hold the value), UnsupportedFormatError, PluginError.
ATOMICIO_EXPORT std::string dump_as(const std::filesystem::path& name, const Value& value,
                                    PluginHost* plugins = nullptr);

/// Every extension known, from registrations and plugin manifests, without loading anything.
/// Sorted by extension. `plugins` null means PluginHost::global().
ATOMICIO_EXPORT std::vector<FormatInfo> list_supported_formats(const PluginHost* plugins = nullptr);

/// Every compression suffix known from codec plugin manifests (".gz" -> "codec.gzip"), without
/// loading anything. Sorted by extension.
ATOMICIO_EXPORT std::vector<FormatInfo> list_supported_codecs(const PluginHost* plugins = nullptr);

}  // namespace atomicio
