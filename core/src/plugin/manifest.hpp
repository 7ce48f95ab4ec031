// A plugin manifest (`<id>.plugin.json`), read and validated without touching the library.
#pragma once

#include <atomicio/plugin_host.hpp>

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace atomicio::detail {

struct Manifest {
  std::string id;
  std::string version;
  PluginKind kind = PluginKind::format;
  unsigned abi_major = 0;
  unsigned abi_minor = 0;
  std::filesystem::path library;  ///< absolute, inside the manifest's directory
  std::vector<std::string> provides;
  std::string description;
  std::string install_hint;
};

/// Why a manifest is unusable, in words fit for an error message.
struct ManifestProblem {
  std::string id;  ///< when the manifest got far enough to name itself
  std::string reason;
  /// What the plugin would provide, when the manifest got that far, so that a rejected plugin
  /// can still be named in "no plugin handles '.x'" errors.
  PluginKind kind = PluginKind::format;
  std::vector<std::string> provides;
};

/// Reads and validates `manifest_path` (in `directory`, already realpath'd): JSON shape, ABI
/// against this core, library inside the directory and present. Never throws but bad_alloc.
std::variant<Manifest, ManifestProblem> read_manifest(const std::filesystem::path& manifest_path,
                                                      const std::filesystem::path& directory);

/// The file name suffix that marks a manifest.
inline constexpr std::string_view kManifestSuffix = ".plugin.json";

}  // namespace atomicio::detail
