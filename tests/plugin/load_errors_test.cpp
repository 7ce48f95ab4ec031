// What happens when a plugin that passed discovery fails at load time or misbehaves when
// called: each failure is a typed error naming the plugin and the cause, and nothing a plugin
// throws reaches the core as an exception or brings the process down.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

struct ThrowCase {
  const char* content;
  const char* message;
};
std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

const ThrowCase kThrowCases[] = {
    {"runtime_error", "the plugin blew up on 'runtime_error'"},
    {"int", "plugin threw an unknown exception"},
    {"bad_alloc", "out of memory in plugin"},
};

}  // namespace

TEST_CASE("a plugin whose shared-library dependency is missing fails with the loader's message", "[plugin][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  fs::path library = install_plugin("format.needs-dep", fixture_plugin_dir(), plugins);
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  spit(temp / "a.dep", "x");
  SafeFile file(temp / "a.dep", Timeout::infinite(), using_host(host));

  std::string first;
  try {
    file.read();
    FAIL("reading through a plugin that cannot load succeeded");
  } catch (const PluginLoadError& error) {
    first = error.what();
    CHECK(error.plugin_id() == "format.needs-dep");
    CHECK(error.path() == fs::canonical(library));
  }
  CHECK_THAT(first, Catch::Contains("libatomicio_test_dummy_dep.so: cannot open shared object file"));
  CHECK_THAT(first, Catch::Contains("could not be loaded"));

  PluginInfo info = find_manifest(host.plugins(), "format.needs-dep.plugin.json");
  CHECK(info.state == PluginInfo::State::failed);
  CHECK_THAT(info.reason, Catch::Contains("cannot open shared object file"));
  // A second attempt reports the same failure instead of retrying or crashing.
  CHECK(message_of<PluginLoadError>([&] { file.read(); }) == first);
}

TEST_CASE("a library without the entry symbol fails naming the missing symbol", "[plugin]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  copy_library("format.no-entry", fixture_plugin_dir(), plugins);
  write_manifest(plugins, "format.no-entry.plugin.json",
                 manifest_text({"format.no-entry", "format.no-entry.so", "format", {".noentry"}}));
  PluginHost host(only({plugins}));
  REQUIRE(find_manifest(host.plugins(), "format.no-entry.plugin.json").state == PluginInfo::State::available);

  std::string message = message_of<PluginLoadError>([&] { host.preload("format.no-entry"); });
  CHECK_THAT(message, Catch::Contains("does not export the entry point atomicio_plugin_entry_v1"));
  CHECK_THAT(message, Catch::Contains("format.no-entry.so"));
  CHECK(find_manifest(host.plugins(), "format.no-entry.plugin.json").state == PluginInfo::State::failed);
}

TEST_CASE("a lock backend whose library cannot load keeps failing with PluginLoadError", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  copy_library("format.no-entry", fixture_plugin_dir(), plugins);
  write_manifest(plugins, "lock.broken.plugin.json",
                 manifest_text({"lock.broken", "format.no-entry.so", "lock", {"broken"}}));
  PluginHost host(only({plugins}));
  auto write = [&] { SafeFile(temp / "a.json", Timeout::infinite(), using_host(host, "broken")).write(Value{{"a", 1}}); };

  // The second attempt must not claim the backend is not installed: it is, and it is broken.
  for (int attempt = 1; attempt <= 2; ++attempt) {
    INFO("attempt " << attempt);
    std::string message = message_of<PluginLoadError>(write);
    CHECK_THAT(message, Catch::Contains("does not export the entry point atomicio_plugin_entry_v1"));
  }
  CHECK_FALSE(fs::exists(temp / "a.json"));
}

TEST_CASE("a manifest whose library reports another id is a manifest/library mismatch", "[plugin][needs:format.text]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  copy_library("format.text", real_plugin_dir(), plugins);
  write_manifest(plugins, "format.impostor.plugin.json",
                 manifest_text({"format.impostor", "format.text.so", "format", {".imp"}}));
  PluginHost host(only({plugins}));
  spit(temp / "a.imp", "x");

  std::string message = message_of<PluginLoadError>(
      [&] { SafeFile(temp / "a.imp", Timeout::infinite(), using_host(host)).read(); });
  CHECK_THAT(message, Catch::Contains("manifest/library mismatch"));
  CHECK_THAT(message, Catch::Contains("'format.impostor'") && Catch::Contains("'format.text'"));
  PluginInfo info = find_manifest(host.plugins(), "format.impostor.plugin.json");
  CHECK(info.state == PluginInfo::State::failed);
  CHECK_THAT(info.reason, Catch::Contains("mismatch"));
}

TEST_CASE("exceptions a format plugin throws while parsing become FileReadError", "[plugin][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.throwing", fixture_plugin_dir(), plugins);
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  SafeFile file(temp / "x.boom", Timeout::infinite(), using_host(host));

  file.write_bytes("ok");
  REQUIRE(file.read() == Value("ok"));
  for (const ThrowCase& c : kThrowCases) {
    INFO("the plugin throws " << c.content);
    file.write_bytes(c.content);
    std::string message = message_of<FileReadError>([&] { file.read(); });
    CHECK_THAT(message, Catch::Contains("format.throwing: " + std::string(c.message)));
    CHECK_THAT(message, Catch::Contains(file.path().string()));
  }
}

TEST_CASE("exceptions a format plugin throws while dumping become FileWriteError and change nothing", "[plugin][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.throwing", fixture_plugin_dir(), plugins);
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  fs::path data = make_private_dir(temp / "data");
  SafeFile file(data / "x.boom", Timeout::infinite(), using_host(host));

  file.write(Value("ok"));
  const std::vector<std::string> before = entries_of(data);
  for (const ThrowCase& c : kThrowCases) {
    INFO("the plugin throws " << c.content);
    std::string message = message_of<FileWriteError>([&] { file.write(Value(c.content)); });
    CHECK_THAT(message, Catch::Contains("format.throwing failed to serialize: " + std::string(c.message)));
    CHECK(slurp(data / "x.boom") == "ok");
    CHECK(entries_of(data) == before);
  }
}
