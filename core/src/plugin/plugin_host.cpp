// PluginHost: the public face of PluginRegistry, and the process-wide instance.
#include <atomicio/plugin_host.hpp>

#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>

#include <mutex>

namespace atomicio {

namespace {

std::mutex& global_mutex() {
  static std::mutex mutex;
  return mutex;
}
PluginHostOptions& global_options() {
  static PluginHostOptions options;
  return options;
}
PluginHost*& global_instance() {
  static PluginHost* instance = nullptr;
  return instance;
}

}  // namespace

PluginHost::PluginHost(PluginHostOptions options)
    : registry_(std::make_unique<detail::PluginRegistry>(std::move(options))) {}

PluginHost::~PluginHost() = default;

PluginHost& PluginHost::global() {
  std::lock_guard lock(global_mutex());
  // Leaked on purpose: file objects with static storage may use it during exit.
  if (global_instance() == nullptr) global_instance() = new PluginHost(global_options());
  return *global_instance();
}

void PluginHost::set_global_options(PluginHostOptions options) {
  std::lock_guard lock(global_mutex());
  global_options() = options;
  if (global_instance() != nullptr) global_instance()->registry_->set_options(std::move(options));
}

std::vector<PluginInfo> PluginHost::plugins() const { return registry_->plugins(); }
std::vector<PluginConflict> PluginHost::conflicts() const { return registry_->conflicts(); }
std::vector<SearchDirectory> PluginHost::search_path() const { return registry_->search_path(); }
void PluginHost::rescan() { registry_->scan(); }
void PluginHost::preload(const std::string& id) { registry_->load(id); }

}  // namespace atomicio
