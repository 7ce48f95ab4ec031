// Lock backend selection.
#include "lock/lock_backend.hpp"

#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>

#include <atomicio/file_lock.hpp>

#include <cstdlib>
#include <map>
#include <mutex>

namespace atomicio::detail {

namespace {

// The automatic order: per-descriptor advisory locks first, then BSD locks, then the lock file
// for filesystems with neither. fcntl and interprocess (per-process locks with the
// close-any-descriptor pitfall) and "none" are only used when asked for by name.
constexpr const char* kAutomaticOrder[] = {"ofd", "flock", "lockfile"};

std::mutex& default_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::string& process_default() {
  static auto* name = new std::string;  // Leaked: read by static-lifetime file objects.
  return *name;
}

LockBackendRef load_backend(PluginRegistry& registry, const PluginInfo& info, std::string name) {
  const atomicio_plugin_v1& plugin = registry.load(info.id);
  return {std::move(name), static_cast<const atomicio_lock_backend_v1*>(plugin.interface)};
}

}  // namespace

LockBackendRef resolve_lock_backend(std::string requested, PluginHost& host) {
  PluginRegistry& registry = host.registry();
  if (requested.empty()) requested = default_lock_backend();
  if (requested.empty()) {
    if (const char* env = environment("ATOMICIO_LOCK_BACKEND")) requested = env;
  }
  if (!requested.empty()) {
    if (auto info = registry.find_provider(PluginKind::lock_backend, requested))
      return load_backend(registry, *info, requested);
    throw PluginNotInstalledError(
        "select lock backend", {},
        "lock backend '" + requested + "' is not installed (no usable lock plugin provides it); " +
            registry.describe_search(PluginKind::lock_backend, requested),
        "lock." + requested);
  }
  for (const char* name : kAutomaticOrder)
    if (auto info = registry.find_provider(PluginKind::lock_backend, name))
      return load_backend(registry, *info, name);
  throw PluginNotInstalledError(
      "select lock backend", {},
      "no lock backend is installed, and writes need one to exclude other processes: install the "
      "'lock.ofd' plugin, or choose the 'none' backend for single-process use; " +
          registry.describe_search(PluginKind::lock_backend, "ofd"),
      "lock.ofd");
}

}  // namespace atomicio::detail

namespace atomicio {

void set_default_lock_backend(std::string name) {
  std::lock_guard held(detail::default_mutex());
  detail::process_default() = std::move(name);
}

std::string default_lock_backend() {
  std::lock_guard held(detail::default_mutex());
  return detail::process_default();
}

std::vector<LockBackendInfo> list_lock_backends(const PluginHost* plugins) {
  const PluginHost& host = plugins != nullptr ? *plugins : PluginHost::global();
  std::map<std::string, LockBackendInfo> best;
  for (const PluginInfo& info : host.plugins()) {
    if (info.kind != PluginKind::lock_backend) continue;
    for (const std::string& name : info.provides) {
      LockBackendInfo entry{name, info.id, detail::is_usable(info)};
      auto [slot, inserted] = best.emplace(name, entry);
      if (!inserted && !slot->second.available && entry.available) slot->second = entry;
    }
  }
  std::vector<LockBackendInfo> list;
  for (auto& [name, entry] : best) list.push_back(std::move(entry));
  return list;
}

}  // namespace atomicio
