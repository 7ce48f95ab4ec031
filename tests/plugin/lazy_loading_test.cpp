// Discovery reads manifests only; a plugin's code runs on its first use, exactly once per
// process however many threads and hosts race for it. Proved with format.marker, which leaves a
// line in a marker file when its constructor and its entry point run.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <latch>
#include <thread>
#include <vector>

using namespace atomicio;
using namespace atomicio::test;

namespace {

struct MarkerSandbox {
  TempDir temp;
  std::filesystem::path plugins = make_private_dir(temp / "plugins");
  std::filesystem::path library = install_plugin("format.marker", fixture_plugin_dir(), plugins);
  std::filesystem::path marker = temp / "marker.log";
  ScopedEnv marker_variable{"ATOMICIO_TEST_MARKER", marker.string()};

  MarkerSandbox() { install_plugin("lock.none", real_plugin_dir(), plugins); }
};

}  // namespace

TEST_CASE("listing plugins and formats loads no plugin code", "[plugin][needs:lock.none]") {
  MarkerSandbox box;
  PluginHost host(only({box.plugins}));

  PluginInfo info = find_manifest(host.plugins(), "format.marker.plugin.json");
  CHECK(info.id == "format.marker");
  CHECK(info.state == PluginInfo::State::available);
  CHECK(info.provides == std::vector<std::string>{".marker"});
  CHECK(info.library == std::filesystem::canonical(box.library));

  bool listed = false;
  for (const auto& format : list_supported_formats(&host))
    if (format.extension == ".marker") listed = format.provider == "format.marker" && format.available;
  CHECK(listed);

  CHECK_FALSE(std::filesystem::exists(box.marker));
  CHECK_FALSE(is_mapped(box.library));
}

TEST_CASE("the first use of a format loads its plugin once and marks it loaded", "[plugin][needs:lock.none]") {
  MarkerSandbox box;
  PluginHost host(only({box.plugins}));
  spit(box.temp / "a.marker", "anything");
  spit(box.temp / "b.marker", "anything");

  auto first = SafeFile(box.temp / "a.marker", Timeout::infinite(), using_host(host)).read();
  auto second = SafeFile(box.temp / "b.marker", Timeout::infinite(), using_host(host)).read();

  const Value once = {{"constructor_runs", 1}, {"entry_calls", 1}};
  CHECK(first == once);
  CHECK(second == once);
  CHECK(slurp(box.marker) == "constructed\nentry\n");
  CHECK(is_mapped(box.library));
  CHECK(find_manifest(host.plugins(), "format.marker.plugin.json").state == PluginInfo::State::loaded);
}

TEST_CASE("sixteen threads racing for a plugin's first use load it exactly once", "[plugin][needs:lock.none]") {
  MarkerSandbox box;
  // Two hosts over one directory: the once-only guarantee is per process, not per host.
  PluginHost host_a(only({box.plugins}));
  PluginHost host_b(only({box.plugins}));
  constexpr int kThreads = 16;
  for (int i = 0; i < kThreads; ++i) spit(box.temp / ("f" + std::to_string(i) + ".marker"), "x");

  std::vector<Value> results(kThreads);
  std::vector<std::string> errors(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      PluginHost& host = i % 2 == 0 ? host_a : host_b;
      SafeFile file(box.temp / ("f" + std::to_string(i) + ".marker"), Timeout::infinite(), using_host(host));
      start.arrive_and_wait();
      try {
        results[static_cast<std::size_t>(i)] = file.read().value();
      } catch (const std::exception& error) {
        errors[static_cast<std::size_t>(i)] = error.what();
      }
    });
  for (auto& thread : threads) thread.join();

  const Value once = {{"constructor_runs", 1}, {"entry_calls", 1}};
  for (int i = 0; i < kThreads; ++i) {
    INFO("thread " << i);
    CHECK(errors[static_cast<std::size_t>(i)].empty());
    CHECK(results[static_cast<std::size_t>(i)] == once);
  }
  CHECK(slurp(box.marker) == "constructed\nentry\n");
}

TEST_CASE("a rescan finds a plugin installed after the host was created", "[plugin][needs:lock.none]") {
  MarkerSandbox box;
  std::filesystem::path later = make_private_dir(box.temp / "later");
  install_plugin("lock.none", real_plugin_dir(), later);
  PluginHost host(only({later}));
  spit(box.temp / "a.marker", "x");
  SafeFile file(box.temp / "a.marker", Timeout::infinite(), using_host(host));

  CHECK_THROWS_AS(file.read(), UnsupportedFormatError);
  install_plugin("format.marker", fixture_plugin_dir(), later);
  CHECK_FALSE(std::filesystem::exists(box.marker));
  host.rescan();
  CHECK(file.read() == Value{{"constructor_runs", 1}, {"entry_calls", 1}});
}

TEST_CASE("preload loads a plugin before any file needs it and rejects unknown ids", "[plugin][needs:lock.none]") {
  MarkerSandbox box;
  PluginHost host(only({box.plugins}));

  host.preload("format.marker");
  CHECK(slurp(box.marker) == "constructed\nentry\n");
  CHECK(is_mapped(box.library));
  host.preload("format.marker");
  CHECK(slurp(box.marker) == "constructed\nentry\n");

  std::string message = message_of<PluginNotInstalledError>([&] { host.preload("format.nowhere"); });
  CHECK_THAT(message, Catch::Contains("'format.nowhere' is not installed"));
  CHECK_THAT(message, Catch::Contains(box.plugins.string()));
}
