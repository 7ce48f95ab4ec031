// formats, backends and plugins: what the library would use, shown without loading any plugin, so that
// they work (and say why) even when a plugin is broken. Only `plugins --check` loads plugins, to
// find the broken ones and show which plugin stands in for a broken winner.
#include "commands.hpp"

#include "exit_codes.hpp"
#include "std_streams.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/value.hpp>

#include <algorithm>
#include <memory>
#include <string>

namespace atomicio::cli {

namespace {

const char* state_name(PluginInfo::State state) {
  switch (state) {
    case PluginInfo::State::available: return "available";
    case PluginInfo::State::loaded: return "loaded";
    case PluginInfo::State::shadowed: return "shadowed";
    case PluginInfo::State::rejected: return "rejected";
    case PluginInfo::State::failed: return "failed";
  }
  return "unknown";
}

const char* kind_name(PluginKind kind) {
  switch (kind) {
    case PluginKind::format: return "format";
    case PluginKind::codec: return "codec";
    case PluginKind::lock_backend: return "lock";
  }
  return "?";
}

// Where a directory came from, in the terms a shell user set it with.
const char* origin_text(DirectoryOrigin origin) {
  switch (origin) {
    case DirectoryOrigin::code: return "--plugin-dir";
    case DirectoryOrigin::environment: return "ATOMICIO_PLUGIN_PATH";
    case DirectoryOrigin::install: return "install";
  }
  return "unknown";
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : " ") + item;
  return text;
}

int show_formats() {
  std::vector<FormatInfo> formats = list_supported_formats();
  const std::size_t format_count = formats.size();
  for (FormatInfo& codec : list_supported_codecs()) formats.push_back(std::move(codec));
  std::size_t extension_width = std::string("EXTENSION").size();
  std::size_t provider_width = std::string("PROVIDER").size();
  for (const auto& format : formats) {
    extension_width = std::max(extension_width, format.extension.size());
    provider_width = std::max(provider_width, format.provider.size());
  }
  std::string text = pad("EXTENSION", extension_width + 2) + pad("KIND", 8) + pad("PROVIDER", provider_width + 2) +
                     "AVAILABLE\n";
  for (std::size_t i = 0; i < formats.size(); ++i) {
    const FormatInfo& format = formats[i];
    text += pad(format.extension, extension_width + 2) + pad(i < format_count ? "format" : "codec", 8) +
            pad(format.provider, provider_width + 2) + (format.available ? "yes" : "no") + "\n";
  }
  write_stdout(text);
  return kExitSuccess;
}

// The conflicts `info`'s manifest takes part in, for its JSON entry.
Value conflicts_json(const PluginInfo& info, const std::vector<PluginConflict>& conflicts) {
  Value list = Value::array();
  for (const auto& conflict : conflicts) {
    Value claimants = Value::array();
    bool involved = false;
    for (const auto& claimant : conflict.claimants) {
      claimants.push_back(claimant.id);
      involved = involved || claimant.manifest == info.manifest;
    }
    if (!involved) continue;
    Value entry = Value::object();
    entry["claim"] = conflict.claim;
    entry["claimants"] = claimants;
    entry["winner"] = conflict.winner;
    entry["rule"] = conflict.rule;
    list.push_back(entry);
  }
  return list;
}

// One line naming every claimant, which one serves and why, and each one that failed.
std::string conflict_text(const PluginConflict& conflict) {
  std::string text = "conflict: " + conflict.claim + " (" + kind_name(conflict.kind) + ") claimed by ";
  for (std::size_t i = 0; i < conflict.claimants.size(); ++i) {
    const PluginInfo& claimant = conflict.claimants[i];
    if (i > 0) text += i + 1 == conflict.claimants.size() ? " and " : ", ";
    text += claimant.id + " (" + claimant.manifest.string();
    if (claimant.state == PluginInfo::State::failed) text += "; failed to load: " + claimant.reason;
    else if (claimant.id == conflict.winner) text += "; winner: " + conflict.rule;
    text += ")";
  }
  if (conflict.winner.empty()) text += "; " + conflict.rule;
  return text + "\n";
}

Value plugin_json(const PluginInfo& info, const std::vector<PluginConflict>& conflicts) {
  Value entry = Value::object();
  entry["id"] = info.id;
  entry["kind"] = kind_name(info.kind);
  entry["version"] = info.version;
  entry["state"] = state_name(info.state);
  entry["reason"] = info.reason;
  entry["provides"] = info.provides;
  entry["manifest"] = info.manifest.string();
  entry["library"] = info.library.string();
  entry["directory"] = info.directory.path.string();
  entry["origin"] = to_string(info.directory.origin);
  entry["description"] = info.description;
  entry["install_hint"] = info.install_hint;
  entry["conflicts"] = conflicts_json(info, conflicts);
  return entry;
}

std::string plugin_text(const PluginInfo& info) {
  return info.id + "\n" +
         "  kind:      " + kind_name(info.kind) + (info.provides.empty() ? "" : " (" + joined(info.provides) + ")") + "\n" +
         "  version:   " + info.version + "\n" +
         "  state:     " + state_name(info.state) + "\n" +
         (info.reason.empty() ? "" : "  reason:    " + info.reason + "\n") +
         "  manifest:  " + info.manifest.string() + "\n" +
         "  directory: " + info.directory.path.string() + " (" + origin_text(info.directory.origin) + ")\n" +
         (info.install_hint.empty() ? "" : "  install:   " + info.install_hint + "\n");
}

// Loads every plugin that could serve, so that broken ones show as failed and each conflict
// shows the claimant that would really serve.
void load_all(PluginHost& host) {
  for (const auto& info : host.plugins()) {
    if (info.state != PluginInfo::State::available) continue;
    try {
      host.preload(info.id);
    } catch (const PluginError&) {
      // Recorded in plugins() as state failed with the cause, which is what gets printed.
    }
  }
}

int show_plugins(bool as_json, bool check) {
  PluginHost& host = PluginHost::global();
  if (check) load_all(host);
  const std::vector<PluginInfo> plugins = host.plugins();
  const std::vector<PluginConflict> conflicts = host.conflicts();
  if (as_json) {
    Value list = Value::array();
    for (const auto& info : plugins) list.push_back(plugin_json(info, conflicts));
    write_stdout(list.dump(2) + "\n");
    return kExitSuccess;
  }
  std::string text = "Search path (the first plugin of each id wins):\n";
  for (const auto& directory : host.search_path())
    text += "  " + directory.path.string() + " (" + origin_text(directory.origin) + ")\n";
  if (!conflicts.empty()) text += "\n";
  for (const auto& conflict : conflicts) text += conflict_text(conflict);
  for (const auto& info : plugins) text += "\n" + plugin_text(info);
  if (plugins.empty()) text += "\nNo plugins found.\n";
  write_stdout(text);
  return kExitSuccess;
}

int show_backends() {
  const std::vector<LockBackendInfo> backends = list_lock_backends();
  std::size_t name_width = std::string("BACKEND").size();
  std::size_t provider_width = std::string("PROVIDER").size();
  for (const auto& backend : backends) {
    name_width = std::max(name_width, backend.name.size());
    provider_width = std::max(provider_width, backend.provider.size());
  }
  std::string text = pad("BACKEND", name_width + 2) + pad("PROVIDER", provider_width + 2) + "AVAILABLE\n";
  for (const auto& backend : backends)
    text += pad(backend.name, name_width + 2) + pad(backend.provider, provider_width + 2) +
            (backend.available ? "yes" : "no") + "\n";
  write_stdout(text);
  return kExitSuccess;
}

}  // namespace

void add_info_commands(CLI::App& app, Commands& commands) {
  CLI::App* formats = app.add_subcommand("formats", "List the known file extensions and their providers");
  formats->footer("From registered formats and plugin manifests; no plugin is loaded.");
  commands.push_back({formats, [] { return show_formats(); }});

  CLI::App* backends = app.add_subcommand("backends", "List the lock backends and their providers");
  backends->footer("From plugin manifests; no plugin is loaded. Without --backend or\n"
                   "ATOMICIO_LOCK_BACKEND, locks use ofd, whatever else is installed.");
  commands.push_back({backends, [] { return show_backends(); }});

  auto as_json = std::make_shared<bool>(false);
  auto check = std::make_shared<bool>(false);
  CLI::App* plugins = app.add_subcommand("plugins", "List the plugins found, their states and the search path");
  plugins->footer("From the manifests alone; no plugin is loaded unless --check is given, so a broken\n"
                  "plugin shows here with the reason. States: available, loaded, shadowed, rejected,\n"
                  "failed. Plugins claiming one extension or backend are listed as a conflict, with\n"
                  "the one that serves it and why; if it fails to load, the next one serves.");
  plugins->add_flag("--json", *as_json, "Print a JSON array of the plugins, for scripts");
  plugins->add_flag("--check", *check, "Load every plugin now, to find the ones that fail to load");
  commands.push_back({plugins, [as_json, check] { return show_plugins(*as_json, *check); }});
}

}  // namespace atomicio::cli
