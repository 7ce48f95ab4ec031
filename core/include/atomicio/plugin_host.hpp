// PluginHost: finds plugins through their manifests and loads each on first use.
//
// Discovery reads manifests (`<id>.plugin.json`) only: listing what exists runs no plugin code
// and maps no library. A plugin is loaded with Boost.DLL the first time something needs it,
// exactly once even when threads race for it, and stays loaded until the process exits.
//
// Search order, first wins per plugin id: directories given in code (PluginHostOptions), then
// ATOMICIO_PLUGIN_PATH (colon-separated), then the install's own plugin directory found relative
// to libatomicio. Entries of a directory are read in sorted order. A later directory's plugin of
// the same id is listed as shadowed; two manifests claiming one id in one directory are both
// rejected. Two plugins of different ids claiming one extension or backend are a conflict
// (conflicts()): the first in that order serves it, and if its library fails to load the next
// claimant is tried. The environment is ignored in set-uid/set-gid processes, and a group- or
// world-writable directory, manifest or library is refused. ATOMICIO_DEBUG_PLUGINS=1 traces
// every decision on stderr.
//
// Thread-safety: all members may be called concurrently.
#pragma once

#include <atomicio/export.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace atomicio {

enum class PluginKind { format, codec, lock_backend };

/// Why a directory is searched.
enum class DirectoryOrigin { code, environment, install };

/// "code", "environment" or "install": stable names for messages and scripts.
constexpr const char* to_string(DirectoryOrigin origin) noexcept {
  switch (origin) {
    case DirectoryOrigin::code: return "code";
    case DirectoryOrigin::environment: return "environment";
    case DirectoryOrigin::install: return "install";
  }
  return "unknown";
}

struct SearchDirectory {
  std::filesystem::path path;
  DirectoryOrigin origin;
};

/// What the host knows of one manifest.
struct PluginInfo {
  enum class State {
    available,  ///< usable; loads on first use
    loaded,     ///< loaded in this process
    shadowed,   ///< the same id was found earlier in the search order (see `reason`)
    rejected,   ///< unusable; `reason` says why (bad manifest, ABI, permissions, duplicate...)
    failed,     ///< loading was tried in this process and failed; `reason` has the cause
  };
  std::string id;
  std::string version;
  PluginKind kind = PluginKind::format;
  /// Extensions (".json", ".gz") for formats and codecs, backend names ("ofd") for lock backends.
  std::vector<std::string> provides;
  std::filesystem::path manifest;
  std::filesystem::path library;
  SearchDirectory directory;
  State state = State::available;
  std::string reason;
  std::string description;
  std::string install_hint;
};

/// Two or more usable plugins of one kind claim the same extension (formats, codecs) or backend
/// name (lock backends). Only one serves it: the first in search order that has not failed to
/// load; when it fails at first use, the next claimant is tried and the failure is recorded.
struct PluginConflict {
  PluginKind kind = PluginKind::format;
  /// What is claimed: ".yaml", ".gz", "ofd".
  std::string claim;
  /// The claiming plugins (as plugins() lists them), in the order they are tried: search order,
  /// then manifest file name within one directory. Shadowed and rejected manifests are not
  /// claimants; one whose load failed is, with state `failed` and the cause in `reason`.
  std::vector<PluginInfo> claimants;
  /// Id of the claimant that serves the claim, or empty when every claimant failed to load.
  std::string winner;
  /// Why the winner serves and not the others, in words: "first plugin directory in search
  /// order", "first manifest file name in /dir", and the failures it stands in for.
  std::string rule;
};

struct PluginHostOptions {
  /// Searched first, in this order.
  std::vector<std::filesystem::path> directories;
  /// Search ATOMICIO_PLUGIN_PATH (always off in set-uid processes).
  bool use_environment = true;
  /// Search the plugin directory of the installation libatomicio belongs to.
  bool use_install_directory = true;
};

namespace detail {
class PluginRegistry;
}

class ATOMICIO_EXPORT PluginHost {
 public:
  /// Scans the search path now (manifests only). Never throws for a bad plugin: problems are
  /// recorded in plugins(); throws only std::bad_alloc.
  explicit PluginHost(PluginHostOptions options = {});
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  /// The process-wide host used when a file class is given none. Created on first use with the
  /// options of the last set_global_options() call (defaults otherwise).
  static PluginHost& global();
  /// Sets the global host's options; takes effect at its creation, or rescans it if it exists.
  static void set_global_options(PluginHostOptions options);

  /// Every manifest found, in search order, with its state. Loads nothing.
  std::vector<PluginInfo> plugins() const;
  /// Every extension or backend name claimed by more than one usable plugin, sorted by kind and
  /// claim. Loads nothing; reflects the load failures seen so far in this process.
  std::vector<PluginConflict> conflicts() const;
  /// The effective search path.
  std::vector<SearchDirectory> search_path() const;
  /// Re-reads the manifests. Plugins already loaded stay loaded.
  void rescan();

  /// Loads the plugin `id` now (for servers that want to fail at start-up). Throws
  /// PluginNotInstalledError or PluginLoadError.
  void preload(const std::string& id);

  /// Internal registry; not part of the stable API.
  detail::PluginRegistry& registry() const noexcept { return *registry_; }

 private:
  std::unique_ptr<detail::PluginRegistry> registry_;
};

}  // namespace atomicio
