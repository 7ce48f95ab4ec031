// A consumer of the installed atomicio package, as a third party would write one: it sees only
// the installed headers and libatomicio, and relies on the global plugin host (the install's
// own plugin directory plus ATOMICIO_PLUGIN_PATH). run_consumer_test.cmake runs it twice and
// reads what it prints.
//
// usage: consumer_app <data-directory>
// Prints "plugin <id> <state> <origin> <manifest>" for every manifest found, then "json ok",
// then "lines ok" or "lines unsupported: <message>". Exit status: 0 when both formats work, 3
// when only .lines is unsupported, 1 on any other failure.
#include <atomicio/atomicio.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>

namespace {

const char* state_name(atomicio::PluginInfo::State state) {
  switch (state) {
    case atomicio::PluginInfo::State::available: return "available";
    case atomicio::PluginInfo::State::loaded: return "loaded";
    case atomicio::PluginInfo::State::shadowed: return "shadowed";
    case atomicio::PluginInfo::State::rejected: return "rejected";
    case atomicio::PluginInfo::State::failed: return "failed";
  }
  return "?";
}

void expect(bool condition, const std::string& what) {
  if (condition) return;
  std::cout << "FAILED: " << what << "\n";
  std::exit(1);
}

void check_json(const std::filesystem::path& directory) {
  atomicio::SafeFile file(directory / "config.json");
  atomicio::Value config = {{"name", "consumer"}, {"count", 3}};
  file.write(config);
  file.update({{"count", 4}});
  auto back = file.read();
  expect(back.has_value() && (*back)["name"] == "consumer" && (*back)["count"] == 4,
         "config.json did not read back as written and updated");
  std::cout << "json ok\n";
}

void check_lines(const std::filesystem::path& directory) {
  atomicio::SafeFile file(directory / "notes.lines");
  file.write(atomicio::Value::array({"alpha", "beta"}));
  expect(file.read_bytes() == std::string("alpha\nbeta\n"), "notes.lines does not hold one line per element");
  expect(file.read() == atomicio::Value::array({"alpha", "beta"}), "notes.lines did not read back");

  file.write_bytes("one\r\ntwo");
  expect(file.read() == atomicio::Value::array({"one", "two"}), "CRLF and a missing last newline were not tolerated");

  const std::pair<atomicio::Value, std::string> refused[] = {
      {atomicio::Value::array({"fine", 7}), "element 1 is a number"},
      {atomicio::Value::array({"two\nlines"}), "element 0 contains a line break"},
      {atomicio::Value("text"), "holds an array of strings, not a string"},
  };
  for (const auto& [value, message] : refused) {
    try {
      file.write(value);
      expect(false, "writing " + value.dump() + " to a .lines file succeeded");
    } catch (const atomicio::FileWriteError& error) {
      expect(std::string(error.what()).find(message) != std::string::npos,
             std::string("the plugin's UnsupportedValue message was lost: ") + error.what());
    }
  }
  expect(file.read() == atomicio::Value::array({"one", "two"}), "a refused write changed the file");
  std::cout << "lines ok\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer_app <data-directory>\n";
    return 1;
  }
  const std::filesystem::path directory = argv[1];
  try {
    for (const auto& plugin : atomicio::PluginHost::global().plugins())
      std::cout << "plugin " << plugin.id << " " << state_name(plugin.state) << " "
                << atomicio::to_string(plugin.directory.origin) << " " << plugin.manifest.string() << "\n";
    check_json(directory);
    try {
      check_lines(directory);
    } catch (const atomicio::UnsupportedFormatError& error) {
      std::cout << "lines unsupported: " << error.what() << "\n";
      return 3;
    }
  } catch (const std::exception& error) {
    std::cout << "FAILED: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
