// How a file's name picks its format (longest suffix, case-insensitive, registrations winning
// ties), what register_format() gives SafeFile, what list_supported_formats() reports, and the
// errors for a format or lock backend that is not installed.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <istream>
#include <map>
#include <ostream>
#include <string>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

// register_format() is process-wide: undo it whatever the test's outcome.
class Registration {
 public:
  Registration(std::string extension, Loader loader, Dumper dumper) : extension_(std::move(extension)) {
    register_format(extension_, std::move(loader), std::move(dumper));
  }
  ~Registration() { unregister_format(extension_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  std::string extension_;
};

// A `key=value` per line format, standing in for an application's own format.
Value load_key_values(std::istream& in) {
  Value object = Value::object();
  for (std::string line; std::getline(in, line);) {
    auto equals = line.find('=');
    if (equals == std::string::npos) throw std::runtime_error("line without '=': " + line);
    object[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return object;
}

void dump_key_values(const Value& value, std::ostream& out) {
  for (const auto& [key, item] : value.items()) out << key << '=' << item.get<std::string>() << '\n';
}

}  // namespace

TEST_CASE("a format missing from the search path is an UnsupportedFormatError naming its plugin and where it looked",
          "[plugin][needs:lock.none][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  spit(temp / "a.json", "{}");

  std::string message = message_of<UnsupportedFormatError>([&] {
    SafeFile(temp / "a.json", Timeout::infinite(), using_host(host)).read();
  });
  CHECK_THAT(message, Catch::Contains("no installed plugin or registered format handles '.json' files"));
  CHECK_THAT(message, Catch::Contains("'format.json'"));
  CHECK_THAT(message, Catch::Contains("searched: " + plugins.string() + " (given in code)"));
}

TEST_CASE("without a lock plugin a write fails with PluginNotInstalledError and never falls back", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  ::unsetenv("ATOMICIO_LOCK_BACKEND");  // an explicit choice; the default is ofd

  std::string automatic = message_of<PluginNotInstalledError>(
      [&] { SafeFile(temp / "a.json", Timeout::infinite(), using_host(host, "")).write(Value{{"a", 1}}); });
  CHECK_THAT(automatic, Catch::Contains("the default lock backend 'ofd' is not installed"));
  CHECK_THAT(automatic, Catch::Contains("'lock.ofd'"));
  CHECK_THAT(automatic, Catch::Contains(plugins.string()));

  std::string named = message_of<PluginNotInstalledError>([&] {
    SafeFile(temp / "a.json", Timeout::infinite(), using_host(host, "ofd")).write(Value{{"a", 1}});
  });
  CHECK_THAT(named, Catch::Contains("lock backend 'ofd' is not installed"));
  CHECK_FALSE(fs::exists(temp / "a.json"));
}

TEST_CASE("the longest matching suffix picks the format, without regard to case", "[plugin][needs:format.json][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  Registration users(
      ".users.json", [](std::istream&) { return Value{{"via", "registered"}}; },
      [](const Value&, std::ostream& out) { out << "written by the .users.json registration"; });
  auto file = [&](const std::string& name) {
    return SafeFile(temp / name, Timeout::infinite(), using_host(host));
  };

  for (const char* name : {"team.users.json", "TEAM.Users.JSON"}) {
    INFO(name);
    file(name).write(Value{{"a", 1}});
    CHECK(slurp(temp / name) == "written by the .users.json registration");
    CHECK(file(name).read() == Value{{"via", "registered"}});
  }
  for (const char* name : {"team.json", "TEAM.JSON", "users.json"}) {
    INFO(name);
    file(name).write(Value{{"a", 1}});
    CHECK_THAT(slurp(temp / name), Catch::Contains("\"a\": 1"));
    CHECK(file(name).read() == Value{{"a", 1}});
  }
}

TEST_CASE("a registered format is read and written by SafeFile with no format plugin installed", "[plugin][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  Registration kv(".kv", load_key_values, dump_key_values);
  SafeFile file(temp / "settings.kv", Timeout::infinite(), using_host(host));

  file.write(Value{{"name", "atomicio"}, {"mode", "fast"}});
  CHECK(slurp(temp / "settings.kv") == "name=atomicio\nmode=fast\n");
  file.update(Value{{"mode", "safe"}});
  CHECK(file.read() == Value{{"name", "atomicio"}, {"mode", "safe"}});

  // The registration's own exceptions are reported like a plugin's: typed, with the path.
  file.write_bytes("no equals sign here\n");
  std::string message = message_of<FileReadError>([&] { file.read(); });
  CHECK_THAT(message, Catch::Contains(file.path().string()));
  CHECK_THAT(message, Catch::Contains("line without '=': no equals sign here"));
  std::string refused = message_of<FileWriteError>([&] { file.write(Value{{"n", 1}}); });
  CHECK_THAT(refused, Catch::Contains("the dumper registered for '.kv' failed"));
  CHECK(slurp(temp / "settings.kv") == "no equals sign here\n");
}

TEST_CASE("list_supported_formats shows registered and plugin formats without loading any", "[plugin][needs:format.json]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  fs::path json = install_plugin("format.json", real_plugin_dir(), plugins);
  // A plugin refused for its library's mode still has its extensions listed, as unavailable.
  fs::path marker = install_plugin("format.marker", fixture_plugin_dir(), plugins);
  fs::permissions(marker, fs::perms::others_write, fs::perm_options::add);
  PluginHost host(only({plugins}));
  Registration kv(".kv", load_key_values, dump_key_values);

  std::map<std::string, FormatInfo> by_extension;
  for (const auto& format : list_supported_formats(&host)) by_extension[format.extension] = format;
  REQUIRE(by_extension.count(".json") == 1);
  CHECK(by_extension[".json"].provider == "format.json");
  CHECK(by_extension[".json"].available);
  REQUIRE(by_extension.count(".kv") == 1);
  CHECK(by_extension[".kv"].provider == "registered");
  CHECK(by_extension[".kv"].available);
  REQUIRE(by_extension.count(".marker") == 1);
  CHECK(by_extension[".marker"].provider == "format.marker");
  CHECK_FALSE(by_extension[".marker"].available);
  CHECK(by_extension.count(".txt") == 0);
  CHECK_FALSE(is_mapped(json));
  CHECK_FALSE(is_mapped(marker));
}
