// Plugin directories for tests: copies with safe modes, hand-written manifests, /proc/self/maps.
#include "plugin_sandbox.hpp"

#include "support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#ifndef ATOMICIO_TEST_FIXTURE_PLUGIN_DIR
#error "ATOMICIO_TEST_FIXTURE_PLUGIN_DIR must be defined by tests/plugin/CMakeLists.txt"
#endif

namespace atomicio::test {

namespace fs = std::filesystem;

namespace {

constexpr fs::perms kLibraryMode = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                   fs::perms::others_read | fs::perms::others_exec;
constexpr fs::perms kManifestMode =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

// Explicit modes, because copy_file keeps the source's and a build under umask 002 would hand
// the host group-writable files, which it rightly refuses.
void copy_with_mode(const fs::path& from, const fs::path& to, fs::perms mode) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::permissions(to, mode, fs::perm_options::replace);
}

std::string json_list(const std::vector<std::string>& items) {
  std::string text = "[";
  for (const auto& item : items) text += (text.size() > 1 ? ", \"" : "\"") + item + "\"";
  return text + "]";
}

}  // namespace

fs::path real_plugin_dir() { return ATOMICIO_TEST_PLUGIN_DIR; }
fs::path fixture_plugin_dir() { return ATOMICIO_TEST_FIXTURE_PLUGIN_DIR; }

fs::path make_private_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  return dir;
}

fs::path install_plugin(const std::string& id, const fs::path& from, const fs::path& dir) {
  copy_with_mode(from / (id + ".plugin.json"), dir / (id + ".plugin.json"), kManifestMode);
  return copy_library(id, from, dir);
}

fs::path copy_library(const std::string& id, const fs::path& from, const fs::path& dir) {
  copy_with_mode(from / (id + ".so"), dir / (id + ".so"), kLibraryMode);
  return dir / (id + ".so");
}

std::string manifest_text(const ManifestFields& fields) {
  const char* list_key = fields.kind == "lock" ? "lock_backends" : "extensions";
  return "{\n"
         "  \"manifest_version\": 1,\n"
         "  \"id\": \"" + fields.id + "\",\n"
         "  \"version\": \"1.0.0\",\n"
         "  \"kind\": \"" + fields.kind + "\",\n"
         "  \"abi\": { \"major\": " + std::to_string(fields.abi_major) +
         ", \"minor\": " + std::to_string(fields.abi_minor) + " },\n"
         "  \"library\": \"" + fields.library + "\",\n"
         "  \"provides\": { \"" + list_key + "\": " + json_list(fields.provides) + " }\n"
         "}\n";
}

fs::path write_manifest(const fs::path& dir, const std::string& file_name, const std::string& text) {
  fs::path path = dir / file_name;
  spit(path, text);
  fs::permissions(path, kManifestMode, fs::perm_options::replace);
  return path;
}

PluginHostOptions only(std::vector<fs::path> directories) {
  PluginHostOptions options;
  options.directories = std::move(directories);
  options.use_environment = false;
  options.use_install_directory = false;
  return options;
}

FileOptions using_host(PluginHost& host, std::string lock_backend) {
  FileOptions options;
  options.lock_backend = std::move(lock_backend);
  options.plugins = &host;
  return options;
}

PluginInfo find_manifest(const std::vector<PluginInfo>& plugins, const std::string& manifest_file_name) {
  for (const auto& info : plugins)
    if (info.manifest.filename() == manifest_file_name) return info;
  throw std::runtime_error("the host did not list a manifest named " + manifest_file_name);
}

bool is_mapped(const fs::path& library) {
  const std::string wanted = fs::canonical(library).string();
  std::ifstream maps("/proc/self/maps");
  if (!maps) throw std::runtime_error("cannot read /proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    // The path is the last field; it may itself contain spaces, so match the line's end.
    if (line.size() > wanted.size() && line.ends_with(wanted) &&
        line[line.size() - wanted.size() - 1] == ' ')
      return true;
  }
  return false;
}

ScopedEnv::ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
  ::setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() { ::unsetenv(name_.c_str()); }

}  // namespace atomicio::test
