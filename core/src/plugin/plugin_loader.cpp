// Loading: map a plugin's library with Boost.DLL on first use, once per process, run the
// handshake and check it against the manifest. Libraries are never unloaded: objects and
// function pointers a plugin handed out may be in use anywhere until exit, and dlclose of C++
// code is unreliable (STB_GNU_UNIQUE symbols, static destructors running late).
#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>

#include <boost/dll/shared_library.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace atomicio::detail {

namespace {

struct LoadedLibrary {
  std::unique_ptr<boost::dll::shared_library> library;
  const atomicio_plugin_v1* descriptor = nullptr;
  std::string failure;  // non-empty when loading failed; not retried in this process
};

// Process-wide and deliberately leaked, so no library is closed during static destruction while
// another static's destructor might still call into it.
std::mutex& load_mutex() {
  static auto* mutex = new std::mutex;
  return *mutex;
}
std::map<std::filesystem::path, LoadedLibrary>& loaded_libraries() {
  static auto* libraries = new std::map<std::filesystem::path, LoadedLibrary>;
  return *libraries;
}

const char* kind_name(std::int32_t kind) {
  switch (kind) {
    case ATOMICIO_KIND_FORMAT: return "format";
    case ATOMICIO_KIND_CODEC: return "codec";
    case ATOMICIO_KIND_LOCK_BACKEND: return "lock";
  }
  return "unknown";
}

// Boost.DLL wraps dlerror()'s text as "... (dlerror system message: <text>): <stale errno>";
// the dynamic loader's own text is what names the missing dependency, so keep just that.
std::string loader_message(std::string text) {
  constexpr std::string_view kMarker = "dlerror system message: ";
  auto start = text.find(kMarker);
  auto end = text.rfind("): ");
  if (start == std::string::npos || end == std::string::npos || end < start) return text;
  start += kMarker.size();
  return text.substr(start, end - start);
}

// Maps the library and runs the entry point. Returns the failure text, or "" on success.
std::string open_library(const std::filesystem::path& path, LoadedLibrary& out) {
  trace("load " + path.string());
  auto library = std::make_unique<boost::dll::shared_library>();
  try {
    // The throwing overload: its message carries dlerror()'s text, e.g. which dependency is
    // missing. RTLD_LOCAL keeps one plugin's symbols from satisfying another's.
    library->load(path.string(), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& error) {
    return "the plugin file exists but could not be loaded: " + loader_message(error.what());
  }
  if (!library->has(ATOMICIO_PLUGIN_ENTRY_NAME))
    return std::string("the library does not export the entry point ") + ATOMICIO_PLUGIN_ENTRY_NAME +
           " (not an atomicio plugin, or built for another plugin ABI)";
  auto& entry = library->get<const atomicio_plugin_v1*(const atomicio_host_v1*)>(ATOMICIO_PLUGIN_ENTRY_NAME);
  const atomicio_host_v1 host{sizeof(atomicio_host_v1), ATOMICIO_ABI_MAJOR, ATOMICIO_ABI_MINOR};
  const atomicio_plugin_v1* descriptor = entry(&host);
  if (descriptor == nullptr) return "the plugin declined to initialise with this host";
  if (descriptor->struct_size < sizeof(atomicio_plugin_v1) || descriptor->interface == nullptr ||
      descriptor->id == nullptr)
    return "the plugin returned an incomplete descriptor";
  out.library = std::move(library);
  out.descriptor = descriptor;
  return {};
}

// The handshake must confirm what the manifest promised.
std::string cross_check(const PluginInfo& info, const atomicio_plugin_v1& d) {
  const std::int32_t expected_kind = info.kind == PluginKind::format  ? ATOMICIO_KIND_FORMAT
                                     : info.kind == PluginKind::codec ? ATOMICIO_KIND_CODEC
                                                                      : ATOMICIO_KIND_LOCK_BACKEND;
  if (info.id != d.id)
    return "manifest/library mismatch: the manifest says id '" + info.id + "' but the library reports '" +
           d.id + "'";
  if (d.abi_major != ATOMICIO_ABI_MAJOR || d.abi_minor > ATOMICIO_ABI_MINOR)
    return "manifest/library mismatch: the library reports plugin ABI " + std::to_string(d.abi_major) + "." +
           std::to_string(d.abi_minor) + ", which this atomicio does not support";
  if (d.kind != expected_kind)
    return std::string("manifest/library mismatch: the library is a ") + kind_name(d.kind) + " plugin";
  std::uint32_t interface_size = *static_cast<const std::uint32_t*>(d.interface);
  std::size_t needed = d.kind == ATOMICIO_KIND_FORMAT  ? sizeof(atomicio_format_v1)
                       : d.kind == ATOMICIO_KIND_CODEC ? sizeof(atomicio_codec_v1)
                                                       // what ABI 1.0 had; later members are optional
                                                       : offsetof(atomicio_lock_backend_v1, open_with_options);
  if (interface_size < needed) return "the plugin's interface table is too small for its kind";
  return {};
}

// "format extension '.yaml'", for messages about a claim.
std::string claim_text(PluginKind kind, const std::string& name) {
  switch (kind) {
    case PluginKind::format: return "format extension '" + name + "'";
    case PluginKind::codec: return "codec suffix '" + name + "'";
    case PluginKind::lock_backend: return "lock backend '" + name + "'";
  }
  return "'" + name + "'";
}

}  // namespace

PluginRegistry::Claimed PluginRegistry::load_claim(PluginKind kind, const std::string& name) {
  std::vector<PluginInfo> claimants;
  {
    std::shared_lock lock(mutex_);
    // The fast path every file operation takes once its plugin is loaded.
    for (const auto& info : plugins_) {
      if (!is_usable(info) || !claims(info, kind, name)) continue;
      if (auto found = loaded_.find(info.id); found != loaded_.end()) return {info.id, found->second};
      break;
    }
    for (const auto& info : plugins_)
      if (is_candidate(info) && claims(info, kind, name)) claimants.push_back(info);
  }
  if (claimants.empty()) {
    throw PluginNotInstalledError("load plugin", {}, "no usable plugin provides the " + claim_text(kind, name) + "; " +
                                                         describe_search(kind, name), {});
  }
  // A lone claimant keeps its own error, the same on every attempt.
  if (claimants.size() == 1) return {claimants.front().id, &load(claimants.front().id)};

  std::string failed_now;
  for (const auto& claimant : claimants) {
    // A failure is final for the process (the library is never reopened), so skip it quietly:
    // it was traced and recorded in plugins() when it happened.
    if (claimant.state == PluginInfo::State::failed) continue;
    try {
      const atomicio_plugin_v1& plugin = load(claimant.id);
      if (!failed_now.empty())
        trace(claim_text(kind, name) + ": " + failed_now + " failed to load; " + claimant.id + " serves it instead");
      return {claimant.id, &plugin};
    } catch (const PluginError&) {
      // Recorded by load() as this claimant's state and reason; the next claimant may serve.
      failed_now += (failed_now.empty() ? "" : ", ") + claimant.id;
    }
  }
  std::string detail = "none of the " + std::to_string(claimants.size()) + " plugins claiming the " +
                       claim_text(kind, name) + " could be loaded:";
  {
    std::shared_lock lock(mutex_);
    for (const auto& claimant : claimants)
      for (const auto& info : plugins_)
        if (info.manifest == claimant.manifest)
          detail += " " + info.id + " (" + info.library.string() + "): " + info.reason + ";";
  }
  detail.pop_back();
  throw PluginLoadError("load plugin", claimants.front().library, detail, claimants.front().id);
}

const atomicio_plugin_v1& PluginRegistry::load(const std::string& id) {
  {
    // Every file operation resolves its plugin; once loaded, that must not serialize callers.
    std::shared_lock shared(mutex_);
    if (auto found = loaded_.find(id); found != loaded_.end()) return *found->second;
  }
  std::unique_lock lock(mutex_);
  PluginInfo* info = nullptr;
  for (auto& candidate : plugins_)
    if (candidate.id == id && (candidate.state == PluginInfo::State::available ||
                               candidate.state == PluginInfo::State::loaded ||
                               candidate.state == PluginInfo::State::failed)) {
      info = &candidate;
      break;
    }
  if (info == nullptr) {
    lock.unlock();
    throw PluginNotInstalledError("load plugin", {}, "plugin '" + id + "' is not installed; " +
                                                         describe_search(PluginKind::format, id), id);
  }
  std::lock_guard load_lock(load_mutex());
  LoadedLibrary& loaded = loaded_libraries()[info->library];
  if (loaded.descriptor == nullptr && loaded.failure.empty()) loaded.failure = open_library(info->library, loaded);
  std::string failure = loaded.failure.empty() ? cross_check(*info, *loaded.descriptor) : loaded.failure;
  if (!failure.empty()) {
    info->state = PluginInfo::State::failed;
    info->reason = failure;
    trace(info->library.string() + ": " + failure);
    throw PluginLoadError("load plugin", info->library, failure, id);
  }
  info->state = PluginInfo::State::loaded;
  loaded_[id] = loaded.descriptor;
  return *loaded.descriptor;
}

}  // namespace atomicio::detail
