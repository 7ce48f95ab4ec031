// The plugin registry behind PluginHost: the search path, what each manifest says and what
// became of it, and loading on first use.
//
// Lock order: a registry's mutex_ may be held while taking the process-wide load mutex (in
// load()), never the other way round.
#pragma once

#include <atomicio/plugin_host.hpp>
#include <atomicio/sdk/abi.h>

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace atomicio::detail {

class PluginRegistry {
 public:
  explicit PluginRegistry(PluginHostOptions options);

  /// Re-reads the search path and every manifest. Loaded libraries stay loaded.
  void scan();
  void set_options(PluginHostOptions options);

  std::vector<PluginInfo> plugins() const;
  std::vector<SearchDirectory> search_path() const;

  /// The usable plugin of `kind` that wins for `name` (an extension such as ".json", or a lock
  /// backend name), or nullopt.
  std::optional<PluginInfo> find_provider(PluginKind kind, const std::string& name) const;

  /// Every extension claimed by a plugin of `kind` (format or codec), with the winning plugin
  /// (or the best unusable one). The caller holds mutex() shared.
  std::vector<std::pair<std::string, const PluginInfo*>> extensions_locked(PluginKind kind) const;

  /// Loads `id` once per process (later calls return at once) and checks its handshake against
  /// the manifest. Throws PluginNotInstalledError when no usable manifest has that id,
  /// PluginLoadError when loading or the handshake fails.
  const atomicio_plugin_v1& load(const std::string& id);

  /// "searched: dir (origin), ...; rejected: path (why), ..." for messages about `name`.
  std::string describe_search(PluginKind kind, const std::string& name) const;

  std::shared_mutex& mutex() const noexcept { return mutex_; }

 private:
  void scan_directory(const SearchDirectory& directory, std::vector<PluginInfo>& found) const;

  mutable std::shared_mutex mutex_;
  PluginHostOptions options_;
  std::vector<SearchDirectory> search_path_;
  std::vector<PluginInfo> plugins_;
  /// Plugins this registry has loaded, by id: the fast path of load().
  std::map<std::string, const atomicio_plugin_v1*> loaded_;
};

/// Whether `info` can serve (available or already loaded): what listings report.
inline bool is_usable(const PluginInfo& info) {
  return info.state == PluginInfo::State::available || info.state == PluginInfo::State::loaded;
}
/// Whether lookups should hand `info` to load(): usable, or failed earlier in this process, so
/// the caller gets the recorded PluginLoadError again instead of a misleading "not installed".
inline bool is_candidate(const PluginInfo& info) {
  return is_usable(info) || info.state == PluginInfo::State::failed;
}

/// getenv that returns null in set-uid/set-gid processes, whose environment belongs to a less
/// privileged user.
const char* environment(const char* name) noexcept;

/// True when ATOMICIO_DEBUG_PLUGINS=1 (read with environment(), so never in a set-uid process);
/// trace() then writes one line to stderr.
bool plugin_tracing() noexcept;
void trace(const std::string& line);

}  // namespace atomicio::detail
