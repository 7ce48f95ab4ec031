// The plugin registry behind PluginHost: the search path, what each manifest says and what
// became of it, and loading on first use.
//
// Lock order: a registry's mutex_ may be held while taking the process-wide load mutex (in
// load()), never the other way round.
#pragma once

#include <atomicio/plugin_host.hpp>
#include <atomicio/sdk/abi.h>

#include <algorithm>
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

  /// The plugin of `kind` that wins for `name` (an extension such as ".json", or a lock backend
  /// name): the first claimant that has not failed to load, else the first that has (so that
  /// using it repeats its PluginLoadError), or nullopt.
  std::optional<PluginInfo> find_provider(PluginKind kind, const std::string& name) const;

  /// Every extension claimed by a plugin of `kind` (format or codec), with the plugin that wins
  /// it as find_provider() chooses (or the first unusable one). The caller holds mutex() shared.
  std::vector<std::pair<std::string, const PluginInfo*>> extensions_locked(PluginKind kind) const;

  /// Loads `id` once per process (later calls return at once) and checks its handshake against
  /// the manifest. Throws PluginNotInstalledError when no usable manifest has that id,
  /// PluginLoadError when loading or the handshake fails.
  const atomicio_plugin_v1& load(const std::string& id);

  struct Claimed {
    std::string id;
    const atomicio_plugin_v1* plugin = nullptr;
  };
  /// Loads the plugin that serves `name` for `kind`: each claimant in search order until one
  /// loads, skipping those that already failed in this process. A claimant that fails is
  /// recorded (state failed, traced) and the next is tried. Throws the claimant's own
  /// PluginLoadError when it is the only one, a PluginLoadError naming every claimant and its
  /// cause when all of several fail, PluginNotInstalledError when nothing claims `name`.
  Claimed load_claim(PluginKind kind, const std::string& name);

  /// Claims with more than one claimant; see PluginHost::conflicts().
  std::vector<PluginConflict> conflicts() const;

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

/// Whether `info` is a plugin of `kind` that provides `name`.
inline bool claims(const PluginInfo& info, PluginKind kind, const std::string& name) {
  return info.kind == kind && std::find(info.provides.begin(), info.provides.end(), name) != info.provides.end();
}
/// The preference among claimants of one name, higher first; ties go to the earlier in search
/// order. A plugin that failed to load yields to a usable one, so a later claimant stands in.
inline int claim_rank(const PluginInfo& info) { return is_usable(info) ? 2 : is_candidate(info) ? 1 : 0; }

/// Claims of `plugins` (in search order) with more than one claimant, sorted by kind and claim.
std::vector<PluginConflict> find_conflicts(const std::vector<PluginInfo>& plugins);

/// getenv that returns null in set-uid/set-gid processes, whose environment belongs to a less
/// privileged user.
const char* environment(const char* name) noexcept;

/// True when ATOMICIO_DEBUG_PLUGINS=1 (read with environment(), so never in a set-uid process);
/// trace() then writes one line to stderr.
bool plugin_tracing() noexcept;
void trace(const std::string& line);

}  // namespace atomicio::detail
