// Lock backend selection.
#include "lock/lock_backend.hpp"

#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>

#include <cstdlib>

namespace atomicio::detail {

namespace {

// The automatic order: the strongest mechanism first. "none" is never chosen automatically.
constexpr const char* kAutomaticOrder[] = {"ofd", "flock", "fcntl", "lockfile", "interprocess"};

LockBackendRef load_backend(PluginRegistry& registry, const PluginInfo& info, std::string name) {
  const atomicio_plugin_v1& plugin = registry.load(info.id);
  return {std::move(name), static_cast<const atomicio_lock_backend_v1*>(plugin.interface)};
}

}  // namespace

LockBackendRef resolve_lock_backend(std::string requested, PluginHost& host) {
  PluginRegistry& registry = host.registry();
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
