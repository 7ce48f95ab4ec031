// Discovery: build the search path, read each directory's manifests in sorted order, apply the
// security rules, resolve duplicates and shadowing, and find claims several plugins share.
// Nothing here maps a library.
#include "plugin/plugin_registry.hpp"

#include "plugin/manifest.hpp"

#include "atomicio_config.h"

#include <atomicio/errors.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>

#ifndef ATOMICIO_PLUGIN_SUBDIR
#error "ATOMICIO_PLUGIN_SUBDIR must be defined by the build"
#endif

namespace atomicio::detail {

namespace {

const char* origin_name(DirectoryOrigin origin) {
  switch (origin) {
    case DirectoryOrigin::code: return "given in code";
    case DirectoryOrigin::environment: return "ATOMICIO_PLUGIN_PATH";
    case DirectoryOrigin::install: return "install directory";
  }
  return "?";
}

// Why `path` may not be trusted to hold plugin code, or "" when it may. A writable-by-others
// directory or file lets another user swap in code that this process would then run.
std::string untrusted_reason(const std::filesystem::path& path, const char* what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::string(what) + " " + path.string() + " cannot be examined";
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return std::string(what) + " " + path.string() + " is group- or world-writable (mode " + mode +
           "); refusing to load plugins from it";
  }
  if (info.st_uid != 0 && info.st_uid != ::geteuid())
    return std::string(what) + " " + path.string() + " is owned by uid " + std::to_string(info.st_uid) +
           ", neither root nor this process's user";
  return {};
}

std::vector<SearchDirectory> build_search_path(const PluginHostOptions& options) {
  std::vector<SearchDirectory> path;
  for (const auto& directory : options.directories) path.push_back({directory, DirectoryOrigin::code});
  if (options.use_environment) {
    // secure_getenv returns null in set-uid/set-gid/capability processes (AT_SECURE), where the
    // environment belongs to a less privileged user.
    if (const char* env = environment("ATOMICIO_PLUGIN_PATH")) {
      std::stringstream list(env);
      for (std::string item; std::getline(list, item, ':');)
        if (!item.empty()) path.push_back({item, DirectoryOrigin::environment});
    } else if (std::getenv("ATOMICIO_PLUGIN_PATH") != nullptr) {
      trace("ignoring ATOMICIO_PLUGIN_PATH: this process runs with elevated privileges");
    }
  }
  if (options.use_install_directory) {
    std::error_code error;
    auto core_library = boost::dll::this_line_location(error);
    if (!error) path.push_back({(core_library.parent_path() / ATOMICIO_PLUGIN_SUBDIR).lexically_normal(), DirectoryOrigin::install});
  }
  return path;
}

// Why `winner` serves `conflict` rather than the claimants after it (which come later in search
// order), and which earlier claimants it stands in for.
std::string conflict_rule(const PluginConflict& conflict, std::size_t winner) {
  std::vector<std::string> parts;
  std::string failed;
  for (std::size_t i = 0; i < winner; ++i) failed += (failed.empty() ? "" : ", ") + conflict.claimants[i].id;
  if (!failed.empty()) parts.push_back("stands in for " + failed + ", which failed to load");
  const PluginInfo& chosen = conflict.claimants[winner];
  bool later_directory = false;
  bool same_directory = false;
  for (std::size_t i = winner + 1; i < conflict.claimants.size(); ++i) {
    if (conflict.claimants[i].directory.path == chosen.directory.path) same_directory = true;
    else later_directory = true;
  }
  if (later_directory) parts.push_back("first plugin directory in search order");
  // Within one directory only the sorted file names decide; say so, since that is no statement
  // of intent and the user may want to rename or remove one.
  if (same_directory) parts.push_back("first manifest file name in " + chosen.directory.path.string());
  std::string rule;
  for (const auto& part : parts) rule += (rule.empty() ? "" : "; ") + part;
  return rule;
}

}  // namespace

std::vector<PluginConflict> find_conflicts(const std::vector<PluginInfo>& plugins) {
  std::map<std::pair<PluginKind, std::string>, PluginConflict> by_claim;
  for (const auto& info : plugins) {
    // Shadowed and rejected manifests can never serve, so they compete with nothing.
    if (!is_candidate(info)) continue;
    for (const auto& name : info.provides) {
      PluginConflict& conflict = by_claim[{info.kind, name}];
      conflict.kind = info.kind;
      conflict.claim = name;
      if (conflict.claimants.empty() || conflict.claimants.back().manifest != info.manifest)
        conflict.claimants.push_back(info);
    }
  }
  std::vector<PluginConflict> conflicts;
  for (auto& [key, conflict] : by_claim) {
    if (conflict.claimants.size() < 2) continue;
    const auto& claimants = conflict.claimants;
    auto winner = std::find_if(claimants.begin(), claimants.end(), [](const PluginInfo& c) { return is_usable(c); });
    if (winner == claimants.end()) {
      conflict.rule = "every claimant failed to load";
    } else {
      conflict.winner = winner->id;
      conflict.rule = conflict_rule(conflict, static_cast<std::size_t>(winner - claimants.begin()));
    }
    conflicts.push_back(std::move(conflict));
  }
  return conflicts;
}

const char* environment(const char* name) noexcept {
#if ATOMICIO_HAVE_SECURE_GETENV
  return ::secure_getenv(name);
#else
  // Without secure_getenv, refuse the environment whenever the ids differ (set-uid/set-gid).
  return ::getuid() == ::geteuid() && ::getgid() == ::getegid() ? std::getenv(name) : nullptr;
#endif
}

bool plugin_tracing() noexcept {
  static const bool enabled = [] {
    // Not getenv: in a set-uid program the trace would show a less privileged user which
    // directories and libraries the privileged process trusts.
    const char* value = environment("ATOMICIO_DEBUG_PLUGINS");
    return value != nullptr && std::string(value) != "0" && *value != '\0';
  }();
  return enabled;
}

void trace(const std::string& line) {
  if (plugin_tracing()) std::fprintf(stderr, "atomicio plugins: %s\n", line.c_str());
}

PluginRegistry::PluginRegistry(PluginHostOptions options) : options_(std::move(options)) { scan(); }

void PluginRegistry::set_options(PluginHostOptions options) {
  {
    std::unique_lock lock(mutex_);
    options_ = std::move(options);
  }
  scan();
}

void PluginRegistry::scan() {
  PluginHostOptions options;
  {
    std::shared_lock lock(mutex_);
    options = options_;
  }
  std::vector<SearchDirectory> path = build_search_path(options);
  std::vector<PluginInfo> found;
  for (const auto& directory : path) scan_directory(directory, found);

  // First usable manifest of an id wins; later usable ones are shadowed by it.
  std::map<std::string, const PluginInfo*> winners;
  for (auto& info : found) {
    if (info.state != PluginInfo::State::available) continue;
    auto [it, inserted] = winners.emplace(info.id, &info);
    if (inserted) continue;
    info.state = PluginInfo::State::shadowed;
    info.reason = "shadowed by " + it->second->manifest.string() + " (earlier in the search path)";
    trace(info.manifest.string() + ": " + info.reason);
  }
  std::unique_lock lock(mutex_);
  // Keep the loaded state of plugins this registry already loaded.
  for (auto& info : found)
    for (const auto& old : plugins_)
      if (old.state == PluginInfo::State::loaded && old.manifest == info.manifest &&
          info.state == PluginInfo::State::available)
        info.state = PluginInfo::State::loaded;
  if (plugin_tracing())
    for (const auto& conflict : find_conflicts(found))
      trace("'" + conflict.claim + "' is claimed by " + std::to_string(conflict.claimants.size()) +
            " plugins; " + conflict.winner + " wins (" + conflict.rule + ")");
  search_path_ = std::move(path);
  plugins_ = std::move(found);
  loaded_.clear();  // the winning manifest of an id may have changed; reloading is a map lookup
}

void PluginRegistry::scan_directory(const SearchDirectory& directory, std::vector<PluginInfo>& found) const {
  std::error_code error;
  std::filesystem::path real = std::filesystem::canonical(directory.path, error);
  if (error || !std::filesystem::is_directory(real, error)) {
    trace("skip " + directory.path.string() + " (" + origin_name(directory.origin) + "): not a directory");
    return;
  }
  trace("search " + real.string() + " (" + origin_name(directory.origin) + ")");
  std::string directory_problem = untrusted_reason(real, "plugin directory");

  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(real, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() > kManifestSuffix.size() && name.ends_with(kManifestSuffix)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());  // readdir order is arbitrary; results must not be.

  const std::size_t first = found.size();
  for (const auto& name : names) {
    PluginInfo info;
    info.manifest = real / name;
    info.directory = {real, directory.origin};
    auto parsed = read_manifest(info.manifest, real);
    if (auto* problem = std::get_if<ManifestProblem>(&parsed)) {
      info.id = problem->id;
      info.kind = problem->kind;
      info.provides = problem->provides;
      info.state = PluginInfo::State::rejected;
      info.reason = problem->reason;
    } else {
      const Manifest& m = std::get<Manifest>(parsed);
      info.id = m.id;
      info.version = m.version;
      info.kind = m.kind;
      info.provides = m.provides;
      info.library = m.library;
      info.description = m.description;
      info.install_hint = m.install_hint;
      if (!directory_problem.empty()) info.reason = directory_problem;
      else if (auto why = untrusted_reason(info.manifest, "manifest"); !why.empty()) info.reason = why;
      else if (auto why_lib = untrusted_reason(info.library, "library"); !why_lib.empty()) info.reason = why_lib;
      if (!info.reason.empty()) info.state = PluginInfo::State::rejected;
    }
    trace(info.manifest.string() + ": " +
          (info.state == PluginInfo::State::available ? "found '" + info.id + "'" : "rejected: " + info.reason));
    found.push_back(std::move(info));
  }
  // Two manifests claiming one id in one directory: neither wins, since sorted order is no
  // statement of intent.
  for (std::size_t i = first; i < found.size(); ++i)
    for (std::size_t j = i + 1; j < found.size(); ++j) {
      if (found[i].id.empty() || found[i].id != found[j].id) continue;
      std::string reason = "plugin id '" + found[i].id + "' is claimed by two manifests in one directory: " +
                           found[i].manifest.string() + " and " + found[j].manifest.string();
      for (PluginInfo* info : {&found[i], &found[j]}) {
        info->state = PluginInfo::State::rejected;
        info->reason = reason;
      }
      trace(reason);
    }
}

std::vector<PluginInfo> PluginRegistry::plugins() const {
  std::shared_lock lock(mutex_);
  return plugins_;
}

std::vector<SearchDirectory> PluginRegistry::search_path() const {
  std::shared_lock lock(mutex_);
  return search_path_;
}

std::optional<PluginInfo> PluginRegistry::find_provider(PluginKind kind, const std::string& name) const {
  std::shared_lock lock(mutex_);
  const PluginInfo* best = nullptr;
  for (const auto& info : plugins_)
    if (is_candidate(info) && claims(info, kind, name) && (best == nullptr || claim_rank(info) > claim_rank(*best)))
      best = &info;
  if (best == nullptr) return std::nullopt;
  return *best;
}

std::vector<std::pair<std::string, const PluginInfo*>> PluginRegistry::extensions_locked(PluginKind kind) const {
  std::map<std::string, const PluginInfo*> best;
  for (const auto& info : plugins_) {
    if (info.kind != kind) continue;
    for (const auto& extension : info.provides) {
      auto [it, inserted] = best.emplace(extension, &info);
      if (!inserted && claim_rank(info) > claim_rank(*it->second)) it->second = &info;
    }
  }
  return {best.begin(), best.end()};
}

std::vector<PluginConflict> PluginRegistry::conflicts() const {
  std::shared_lock lock(mutex_);
  return find_conflicts(plugins_);
}

std::string PluginRegistry::describe_search(PluginKind kind, const std::string& name) const {
  std::shared_lock lock(mutex_);
  std::string text = "searched:";
  if (search_path_.empty()) text += " (no directories)";
  for (const auto& directory : search_path_)
    text.append(" ").append(directory.path.string()).append(" (").append(origin_name(directory.origin)).append(");");
  for (const auto& info : plugins_) {
    bool relevant = info.kind == kind &&
                    std::find(info.provides.begin(), info.provides.end(), name) != info.provides.end();
    if ((relevant || info.provides.empty()) && !is_usable(info))
      text.append(" unusable: ").append(info.manifest.string()).append(" (").append(info.reason).append(");");
  }
  return text;
}

}  // namespace atomicio::detail
