// Lock backend selection.
#include "lock/lock_backend.hpp"

#include "plugin/plugin_catalogue.hpp"
#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>

#include <atomicio/file_lock.hpp>

#include <cstdlib>
#include <map>
#include <mutex>

namespace atomicio::detail {

namespace {

// The default everywhere. Never a choice among what happens to be installed: two processes that
// picked different backends for one file would not exclude each other.
constexpr const char* kDefaultBackend = "ofd";

std::mutex& default_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::string& process_default() {
  static auto* name = new std::string;  // Leaked: read by static-lifetime file objects.
  return *name;
}

// By claim, not by info's id: if the winner fails to load, the next plugin claiming it serves.
LockBackendRef load_backend(PluginRegistry& registry, const PluginInfo&, std::string name) {
  auto claimed = registry.load_claim(PluginKind::lock_backend, name);
  return {std::move(name), static_cast<const atomicio_lock_backend_v1*>(claimed.plugin->interface)};
}

}  // namespace

LockBackendRef resolve_lock_backend(std::string requested, PluginHost& host) {
  PluginRegistry& registry = host.registry();
  if (requested.empty()) requested = default_lock_backend();
  if (requested.empty()) {
    if (const char* env = environment("ATOMICIO_LOCK_BACKEND")) requested = env;
  }
  if (requested.empty()) {
    if (auto info = registry.find_provider(PluginKind::lock_backend, kDefaultBackend))
      return load_backend(registry, *info, kDefaultBackend);
    throw PluginNotInstalledError(
        "select lock backend", {},
        "the default lock backend 'ofd' is not installed, and writes need one to exclude other processes: "
        "install the 'lock.ofd' plugin" + catalogue_hint(PluginKind::lock_backend, kDefaultBackend) +
            ", or choose a backend explicitly (LockOptions::backend, "
        "set_default_lock_backend(), ATOMICIO_LOCK_BACKEND; 'none' for single-process use); " +
            registry.describe_search(PluginKind::lock_backend, kDefaultBackend),
        std::string("lock.") + kDefaultBackend);
  }
  if (auto info = registry.find_provider(PluginKind::lock_backend, requested))
    return load_backend(registry, *info, requested);
  throw PluginNotInstalledError(
      "select lock backend", {},
      "lock backend '" + requested + "' is not installed (no usable lock plugin provides it)" +
          catalogue_hint(PluginKind::lock_backend, requested) + "; " +
          registry.describe_search(PluginKind::lock_backend, requested),
      "lock." + requested);
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
