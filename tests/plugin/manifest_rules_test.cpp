// What the host accepts from a plugin directory before it loads anything: well-formed manifests
// for this ABI, libraries inside the directory, one claimant per id and directory, the first
// directory winning across directories, and nothing writable by other users.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <regex>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

ManifestFields json_fields(std::string id) {
  return {std::move(id), "format.json.so", "format", {".json"}};
}

std::string state_name(PluginInfo::State state) {
  switch (state) {
    case PluginInfo::State::available: return "available";
    case PluginInfo::State::loaded: return "loaded";
    case PluginInfo::State::shadowed: return "shadowed";
    case PluginInfo::State::rejected: return "rejected";
    case PluginInfo::State::failed: return "failed";
  }
  return "?";
}

// What the host reports, with the sandbox's own path replaced so runs in different
// directories compare equal.
std::string report(const PluginHost& host, const fs::path& root) {
  std::string text;
  for (const auto& info : host.plugins())
    text += info.manifest.string() + " " + info.id + " " + state_name(info.state) + " " + info.reason + "\n";
  return std::regex_replace(text, std::regex(fs::canonical(root).string()), "<root>");
}

}  // namespace

TEST_CASE("the search path is code directories, then ATOMICIO_PLUGIN_PATH, then the install's own", "[plugin]") {
  TempDir temp;
  fs::path code = make_private_dir(temp / "code");
  fs::path env_a = make_private_dir(temp / "env-a");
  fs::path env_b = make_private_dir(temp / "env-b");
  ScopedEnv plugin_path("ATOMICIO_PLUGIN_PATH", env_a.string() + "::" + env_b.string());

  PluginHostOptions options;
  options.directories = {code};
  std::vector<SearchDirectory> path = PluginHost(options).search_path();
  REQUIRE(path.size() == 4);
  CHECK((path[0].path == code && path[0].origin == DirectoryOrigin::code));
  CHECK((path[1].path == env_a && path[1].origin == DirectoryOrigin::environment));
  CHECK((path[2].path == env_b && path[2].origin == DirectoryOrigin::environment));
  CHECK(path[3].origin == DirectoryOrigin::install);
  // libatomicio finds the build tree's plugin directory relative to itself, as in an install.
  CHECK(fs::canonical(path[3].path) == fs::canonical(real_plugin_dir()));

  std::vector<SearchDirectory> exact = PluginHost(only({code})).search_path();
  REQUIRE(exact.size() == 1);
  CHECK(exact[0].path == code);
}

TEST_CASE("a manifest that is not valid JSON or not an object is rejected with the reason", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  copy_library("format.json", real_plugin_dir(), plugins);
  write_manifest(plugins, "broken.plugin.json", "{\"id\": \"format.broken\", ");
  write_manifest(plugins, "array.plugin.json", "[1, 2]");
  PluginHost host(only({plugins}));

  PluginInfo broken = find_manifest(host.plugins(), "broken.plugin.json");
  CHECK(broken.state == PluginInfo::State::rejected);
  CHECK_THAT(broken.reason, Catch::Contains("not valid JSON"));
  PluginInfo array = find_manifest(host.plugins(), "array.plugin.json");
  CHECK(array.state == PluginInfo::State::rejected);
  CHECK_THAT(array.reason, Catch::Contains("not a JSON object"));
}

TEST_CASE("a manifest missing a required field is rejected naming that field", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  copy_library("format.json", real_plugin_dir(), plugins);
  const std::string full = manifest_text(json_fields("format.full"));
  const std::vector<std::string> fields = {"id", "manifest_version", "version", "kind", "abi", "library", "provides"};
  for (const auto& field : fields) {
    // Drop the field's line and make the id unique, so each manifest stands on its own.
    std::string text = std::regex_replace(full, std::regex("\n  \"" + field + "\": [^\n]*"), "");
    text = std::regex_replace(text, std::regex("format\\.full"), "format.no-" + field);
    text = std::regex_replace(text, std::regex(",\n}"), "\n}");
    write_manifest(plugins, "no-" + field + ".plugin.json", text);
  }
  PluginHost host(only({plugins}));

  for (const auto& field : fields) {
    INFO("without \"" << field << "\"");
    PluginInfo info = find_manifest(host.plugins(), "no-" + field + ".plugin.json");
    CHECK(info.state == PluginInfo::State::rejected);
    CHECK_THAT(info.reason, Catch::Contains("\"" + field + "\""));
  }
}

TEST_CASE("a manifest for plugin ABI major 2 is rejected without loading its library", "[plugin]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  fs::path library = copy_library("format.marker", fixture_plugin_dir(), plugins);
  ManifestFields fields{"format.marker", "format.marker.so", "format", {".marker"}, 2, 0};
  write_manifest(plugins, "format.marker.plugin.json", manifest_text(fields));
  fs::path marker = temp / "marker.log";
  ScopedEnv marker_variable("ATOMICIO_TEST_MARKER", marker.string());
  PluginHost host(only({plugins}));
  spit(temp / "a.marker", "x");

  PluginInfo info = find_manifest(host.plugins(), "format.marker.plugin.json");
  CHECK(info.state == PluginInfo::State::rejected);
  CHECK_THAT(info.reason, Catch::Contains("built for plugin ABI 2.0"));
  std::string message = message_of<UnsupportedFormatError>(
      [&] { SafeFile(temp / "a.marker", Timeout::infinite(), using_host(host)).read(); });
  CHECK_THAT(message, Catch::Contains("built for plugin ABI 2.0"));
  CHECK_THROWS_AS(host.preload("format.marker"), PluginNotInstalledError);

  CHECK_FALSE(fs::exists(marker));
  CHECK_FALSE(is_mapped(library));
}

TEST_CASE("a manifest for a newer ABI minor than the core's is rejected", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  fs::path library = copy_library("format.json", real_plugin_dir(), plugins);
  ManifestFields fields = json_fields("format.json");
  fields.abi_minor = 999;
  write_manifest(plugins, "format.json.plugin.json", manifest_text(fields));
  PluginHost host(only({plugins}));

  PluginInfo info = find_manifest(host.plugins(), "format.json.plugin.json");
  CHECK(info.state == PluginInfo::State::rejected);
  CHECK_THAT(info.reason, Catch::Contains("built for plugin ABI 1.999"));
  CHECK_FALSE(is_mapped(library));
}

TEST_CASE("a manifest whose library is not a plain file name in its directory is rejected", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  fs::path outside = make_private_dir(temp / "outside");
  copy_library("format.json", real_plugin_dir(), outside);
  ManifestFields up = json_fields("format.up");
  up.library = "../outside/format.json.so";
  write_manifest(plugins, "up.plugin.json", manifest_text(up));
  ManifestFields dotdot = json_fields("format.dotdot");
  dotdot.library = "..";
  write_manifest(plugins, "dotdot.plugin.json", manifest_text(dotdot));
  // A symlink inside the directory that resolves outside it is no better.
  fs::create_symlink(outside / "format.json.so", plugins / "escape.so");
  ManifestFields escape = json_fields("format.escape");
  escape.library = "escape.so";
  write_manifest(plugins, "escape.plugin.json", manifest_text(escape));
  PluginHost host(only({plugins}));

  for (const char* name : {"up.plugin.json", "dotdot.plugin.json"}) {
    INFO(name);
    PluginInfo info = find_manifest(host.plugins(), name);
    CHECK(info.state == PluginInfo::State::rejected);
    CHECK_THAT(info.reason, Catch::Contains("\"library\" must be a file name in the manifest's directory"));
  }
  PluginInfo escaped = find_manifest(host.plugins(), "escape.plugin.json");
  CHECK(escaped.state == PluginInfo::State::rejected);
  CHECK_THAT(escaped.reason, Catch::Contains("resolves outside the plugin directory"));
  CHECK_FALSE(is_mapped(outside / "format.json.so"));
}

TEST_CASE("a manifest naming a library that does not exist says so in its own words", "[plugin]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  ManifestFields fields = json_fields("format.ghost");
  fields.library = "format.ghost.so";
  write_manifest(plugins, "format.ghost.plugin.json", manifest_text(fields));
  PluginHost host(only({plugins}));

  PluginInfo info = find_manifest(host.plugins(), "format.ghost.plugin.json");
  CHECK(info.state == PluginInfo::State::rejected);
  CHECK_THAT(info.reason, Catch::Contains("the library file " + (fs::canonical(plugins) / "format.ghost.so").string() +
                                          " named by the manifest does not exist"));
}

TEST_CASE("two manifests claiming one id in one directory are both rejected, naming both", "[plugin][needs:format.json]") {
  // Built twice with the files created in opposite orders: the outcome must not depend on it.
  auto build = [](const fs::path& root, bool a_first) {
    fs::path plugins = make_private_dir(root / "plugins");
    copy_library("format.json", real_plugin_dir(), plugins);
    for (int step = 0; step < 2; ++step) {
      std::string name = (step == 0) == a_first ? "a.plugin.json" : "b.plugin.json";
      write_manifest(plugins, name, manifest_text(json_fields("format.twin")));
    }
    return plugins;
  };
  TempDir first_temp;
  TempDir second_temp;
  fs::path plugins = build(first_temp.path(), true);
  PluginHost host(only({plugins}));
  PluginHost reversed(only({build(second_temp.path(), false)}));

  const std::string real = fs::canonical(plugins).string();
  for (const char* name : {"a.plugin.json", "b.plugin.json"}) {
    INFO(name);
    PluginInfo info = find_manifest(host.plugins(), name);
    CHECK(info.state == PluginInfo::State::rejected);
    CHECK_THAT(info.reason, Catch::Contains("plugin id 'format.twin' is claimed by two manifests in one directory"));
    CHECK_THAT(info.reason, Catch::Contains(real + "/a.plugin.json") && Catch::Contains(real + "/b.plugin.json"));
  }
  CHECK(report(host, first_temp.path()) == report(reversed, second_temp.path()));

  std::string message = message_of<UnsupportedFormatError>(
      [&] { SafeFile(first_temp / "x.json", Timeout::infinite(), using_host(host)).read(); });
  CHECK_THAT(message, Catch::Contains("claimed by two manifests"));
}

TEST_CASE("the same id in two directories: the first directory wins, the second is shadowed", "[plugin][needs:format.json][needs:lock.none]") {
  auto build = [](const fs::path& root, bool first_dir_first) {
    fs::path first = make_private_dir(root / "first");
    fs::path second = make_private_dir(root / "second");
    for (const fs::path& dir : first_dir_first ? std::vector{first, second} : std::vector{second, first})
      install_plugin("format.json", real_plugin_dir(), dir);
    install_plugin("lock.none", real_plugin_dir(), first);
    return std::pair{first, second};
  };
  TempDir temp;
  TempDir other_temp;
  auto [first, second] = build(temp.path(), false);
  auto [other_first, other_second] = build(other_temp.path(), true);
  PluginHost host(only({first, second}));
  PluginHost other(only({other_first, other_second}));

  PluginInfo winner = find_manifest(host.plugins(), "format.json.plugin.json");
  CHECK(winner.state == PluginInfo::State::available);
  CHECK(winner.directory.path == first);
  CHECK(winner.directory.origin == DirectoryOrigin::code);
  std::vector<PluginInfo> shadowed;
  for (const auto& info : host.plugins())
    if (info.state == PluginInfo::State::shadowed) shadowed.push_back(info);
  REQUIRE(shadowed.size() == 1);
  CHECK(shadowed[0].manifest == fs::canonical(second) / "format.json.plugin.json");
  CHECK_THAT(shadowed[0].reason, Catch::Contains("shadowed by " + (fs::canonical(first) / "format.json.plugin.json").string()));
  CHECK(report(host, temp.path()) == report(other, other_temp.path()));

  SafeFile file(temp / "x.json", Timeout::infinite(), using_host(host));
  file.write(Value{{"a", 1}});
  CHECK(file.read() == Value{{"a", 1}});
  CHECK(is_mapped(first / "format.json.so"));
  CHECK_FALSE(is_mapped(second / "format.json.so"));
}

TEST_CASE("a group- or world-writable plugin directory, manifest or library is refused", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path open_dir = make_private_dir(temp / "open-dir");
  install_plugin("format.json", real_plugin_dir(), open_dir);
  fs::permissions(open_dir, fs::perms::all, fs::perm_options::replace);
  fs::path open_manifest = make_private_dir(temp / "open-manifest");
  install_plugin("format.json", real_plugin_dir(), open_manifest);
  fs::permissions(open_manifest / "format.json.plugin.json", fs::perms::others_write, fs::perm_options::add);
  fs::path open_library = make_private_dir(temp / "open-library");
  install_plugin("format.json", real_plugin_dir(), open_library);
  fs::permissions(open_library / "format.json.so", fs::perms::group_write, fs::perm_options::add);

  struct Case {
    fs::path dir;
    std::string what;
  };
  for (const Case& c : {Case{open_dir, "plugin directory " + fs::canonical(open_dir).string()},
                        Case{open_manifest, "manifest " + (fs::canonical(open_manifest) / "format.json.plugin.json").string()},
                        Case{open_library, "library " + (fs::canonical(open_library) / "format.json.so").string()}}) {
    INFO(c.what);
    PluginHost host(only({c.dir}));
    PluginInfo info = find_manifest(host.plugins(), "format.json.plugin.json");
    CHECK(info.state == PluginInfo::State::rejected);
    CHECK_THAT(info.reason, Catch::Contains(c.what + " is group- or world-writable"));
    CHECK_THROWS_AS(host.preload("format.json"), PluginNotInstalledError);
    CHECK_FALSE(is_mapped(c.dir / "format.json.so"));
  }
}
