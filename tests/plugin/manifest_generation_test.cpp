// What atomicio_add_plugin() writes: manifests whose strings are JSON-escaped (a description
// with quotes, backslashes, a tab, a newline, a control character and a semicolon reads back
// exactly, through the core's own manifest reader), the ABI minor each plugin needs rather than
// the SDK's newest, and the install hint naming the package that ships the plugin.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/plugin_host.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>

namespace fs = std::filesystem;
using namespace atomicio;
using namespace atomicio::test;

namespace {

nlohmann::json manifest_of(const std::string& id) {
  std::ifstream in(real_plugin_dir() / (id + ".plugin.json"));
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("a description with quotes, backslashes and control characters survives the generated manifest",
          "[plugin][sdk]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.marker", fixture_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  PluginInfo marker = find_manifest(host.plugins(), "format.marker.plugin.json");
  CHECK(marker.state == PluginInfo::State::available);
  // The same text tests/plugin/CMakeLists.txt passes as the marker plugin's DESCRIPTION.
  CHECK(marker.description == "a \"quoted\" back\\slash, a tab\there, a newline\nand a control\x01 char; and \xc3\xa9");
}

TEST_CASE("each first-party manifest declares the ABI minor its plugin needs, not the SDK's newest", "[plugin][sdk]") {
  // Format and lock plugins run on any 1.x core; codecs came with minor 1; lock.lockfile's
  // stale-lock age travels through open_with_options (minor 2).
  const std::pair<const char*, unsigned> expected[] = {
      {"format.json", 0}, {"format.yaml", 0}, {"codec.gzip", 1}, {"codec.xz", 1}, {"lock.ofd", 0}, {"lock.lockfile", 2}};
  int checked = 0;
  for (const auto& [id, minor] : expected) {
    if (!fs::exists(real_plugin_dir() / (std::string(id) + ".plugin.json"))) continue;  // not in this build
    INFO(id);
    nlohmann::json manifest = manifest_of(id);
    CHECK(manifest["abi"]["major"] == 1);
    CHECK(manifest["abi"]["minor"] == minor);
    ++checked;
  }
  CHECK(checked > 0);
}

TEST_CASE("each first-party manifest's install hint names the package that ships that plugin", "[plugin][sdk]") {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(real_plugin_dir())) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".plugin.json")) continue;
    nlohmann::json manifest = nlohmann::json::parse(std::ifstream(entry.path()));
    std::string package = "atomicio-plugin-" + manifest["id"].get<std::string>();
    std::replace(package.begin(), package.end(), '.', '-');
    INFO(name);
    CHECK(manifest["package"] == package);
    CHECK(manifest["install_hint"] == "install the package " + package);
    ++checked;
  }
  CHECK(checked > 0);
}
