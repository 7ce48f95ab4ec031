// Two plugins claiming one extension or lock backend: the host lists the conflict with the
// plugin that serves it and why, falls back to the next claimant when that one fails to load
// (and records the failure), and when every claimant fails names each with its cause.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

// A file the dynamic loader refuses, under a name that passes every manifest check.
fs::path write_broken_library(const fs::path& dir, const std::string& file_name) {
  fs::path path = dir / file_name;
  spit(path, "this is not a shared library\n");
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::replace);
  return path;
}

std::vector<std::string> ids_of(const std::vector<PluginInfo>& plugins) {
  std::vector<std::string> ids;
  for (const auto& info : plugins) ids.push_back(info.id);
  return ids;
}

// The one conflict over `claim`; fails the test when there is none or more than one.
PluginConflict conflict_over(const PluginHost& host, const std::string& claim) {
  std::vector<PluginConflict> found;
  for (const auto& conflict : host.conflicts())
    if (conflict.claim == claim) found.push_back(conflict);
  REQUIRE(found.size() == 1);
  return found.front();
}

}  // namespace

TEST_CASE("plugins without a shared claim are no conflict", "[plugin][needs:format.json][needs:format.text]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  install_plugin("format.text", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  CHECK(host.conflicts().empty());
}

TEST_CASE("two plugins claiming one extension are a conflict that the earlier directory wins", "[plugin][needs:format.json][needs:format.text][needs:lock.none]") {
  TempDir temp;
  fs::path first = make_private_dir(temp / "first");
  fs::path second = make_private_dir(temp / "second");
  fs::path text_library = copy_library("format.text", real_plugin_dir(), first);
  write_manifest(first, "format.text.plugin.json", manifest_text({"format.text", "format.text.so", "format", {".txt", ".json"}}));
  fs::path json_library = install_plugin("format.json", real_plugin_dir(), second);
  install_plugin("lock.none", real_plugin_dir(), second);
  PluginHost host(only({first, second}));

  PluginConflict conflict = conflict_over(host, ".json");
  CHECK(conflict.kind == PluginKind::format);
  CHECK(ids_of(conflict.claimants) == std::vector<std::string>{"format.text", "format.json"});
  CHECK(conflict.winner == "format.text");
  CHECK(conflict.rule == "first plugin directory in search order");
  CHECK(host.conflicts().size() == 1);  // ".txt" has one claimant
  // Listing conflicts is manifest work: nothing was mapped.
  CHECK_FALSE(is_mapped(text_library));
  CHECK_FALSE(is_mapped(json_library));

  // The winner really serves: the text format reads JSON as a plain string.
  spit(temp / "a.json", "{\"a\": 1}");
  CHECK(SafeFile(temp / "a.json", Timeout::infinite(), using_host(host)).read() == Value("{\"a\": 1}"));
  CHECK(find_manifest(host.plugins(), "format.text.plugin.json").state == PluginInfo::State::loaded);
  CHECK(find_manifest(host.plugins(), "format.json.plugin.json").state == PluginInfo::State::available);
}

TEST_CASE("within one directory the manifest file name decides and the conflict says so", "[plugin][needs:format.json][needs:format.text]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  copy_library("format.text", real_plugin_dir(), plugins);
  write_manifest(plugins, "format.text.plugin.json", manifest_text({"format.text", "format.text.so", "format", {".json"}}));
  PluginHost host(only({plugins}));

  PluginConflict conflict = conflict_over(host, ".json");
  CHECK(ids_of(conflict.claimants) == std::vector<std::string>{"format.json", "format.text"});
  CHECK(conflict.winner == "format.json");
  CHECK(conflict.rule == "first manifest file name in " + fs::canonical(plugins).string());
}

TEST_CASE("a winner whose library cannot load falls back to the next claimant and is reported", "[plugin][needs:format.json][needs:lock.none]") {
  TempDir temp;
  fs::path first = make_private_dir(temp / "first");
  fs::path second = make_private_dir(temp / "second");
  write_broken_library(first, "format.broken.so");
  write_manifest(first, "format.broken.plugin.json", manifest_text({"format.broken", "format.broken.so", "format", {".json"}}));
  install_plugin("format.json", real_plugin_dir(), second);
  install_plugin("lock.none", real_plugin_dir(), second);
  PluginHost host(only({first, second}));
  REQUIRE(conflict_over(host, ".json").winner == "format.broken");

  SafeFile file(temp / "a.json", Timeout::infinite(), using_host(host));
  file.write(Value{{"a", 1}});
  CHECK(file.read() == Value{{"a", 1}});

  PluginInfo broken = find_manifest(host.plugins(), "format.broken.plugin.json");
  CHECK(broken.state == PluginInfo::State::failed);
  CHECK_THAT(broken.reason, Catch::Contains("could not be loaded"));
  CHECK(find_manifest(host.plugins(), "format.json.plugin.json").state == PluginInfo::State::loaded);
  PluginConflict conflict = conflict_over(host, ".json");
  CHECK(conflict.winner == "format.json");
  CHECK(conflict.claimants.front().state == PluginInfo::State::failed);
  CHECK(conflict.rule == "stands in for format.broken, which failed to load");
  // Later uses go straight to the stand-in.
  CHECK(file.read() == Value{{"a", 1}});
}

TEST_CASE("when every claimant fails to load the error names each one and its cause", "[plugin][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  write_broken_library(plugins, "format.broken.so");
  write_manifest(plugins, "format.broken.plugin.json", manifest_text({"format.broken", "format.broken.so", "format", {".json"}}));
  copy_library("format.no-entry", fixture_plugin_dir(), plugins);
  write_manifest(plugins, "format.no-entry.plugin.json",
                 manifest_text({"format.no-entry", "format.no-entry.so", "format", {".json"}}));
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  spit(temp / "a.json", "{}");
  auto read = [&] { SafeFile(temp / "a.json", Timeout::infinite(), using_host(host)).read(); };

  std::string message;
  try {
    read();
    FAIL("reading succeeded although no claimant can load");
  } catch (const PluginLoadError& error) {
    message = error.what();
    CHECK(error.plugin_id() == "format.broken");
  }
  CHECK_THAT(message, Catch::Contains("none of the 2 plugins claiming the format extension '.json' could be loaded"));
  CHECK_THAT(message, Catch::Contains("format.broken (" + fs::canonical(plugins / "format.broken.so").string() +
                                      "): the plugin file exists but could not be loaded"));
  CHECK_THAT(message, Catch::Contains("format.no-entry (" + fs::canonical(plugins / "format.no-entry.so").string() +
                                      "): the library does not export the entry point"));
  // A second attempt says the same, from the recorded failures.
  CHECK(message_of<PluginLoadError>(read) == message);
  PluginConflict conflict = conflict_over(host, ".json");
  CHECK(conflict.winner.empty());
  CHECK(conflict.rule == "every claimant failed to load");
}

TEST_CASE("a lock backend whose winning plugin cannot load is served by the next claimant", "[plugin][needs:format.json][needs:lock.none]") {
  TempDir temp;
  fs::path first = make_private_dir(temp / "first");
  fs::path second = make_private_dir(temp / "second");
  copy_library("format.no-entry", fixture_plugin_dir(), first);
  write_manifest(first, "lock.broken.plugin.json", manifest_text({"lock.broken", "format.no-entry.so", "lock", {"none"}}));
  install_plugin("lock.none", real_plugin_dir(), second);
  install_plugin("format.json", real_plugin_dir(), second);
  PluginHost host(only({first, second}));
  REQUIRE(conflict_over(host, "none").winner == "lock.broken");

  SafeFile(temp / "a.json", Timeout::infinite(), using_host(host, "none")).write(Value{{"a", 1}});
  CHECK(slurp(temp / "a.json").find("\"a\"") != std::string::npos);
  PluginConflict conflict = conflict_over(host, "none");
  CHECK(conflict.kind == PluginKind::lock_backend);
  CHECK(conflict.winner == "lock.none");
  CHECK(find_manifest(host.plugins(), "lock.broken.plugin.json").state == PluginInfo::State::failed);
}
