// `atomicio plugins` on conflicting claims and install hints: which plugin serves an extension
// two plugins claim and why, what it stands in for once --check has found a broken winner, and
// each plugin's install hint, in both the text and the JSON output; and the warning any other
// command gives when a broken winner made another plugin serve.
#include "support/child_process.hpp"
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/value.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using atomicio::Value;
using atomicio::test::RunResult;
using atomicio::test::spit;
using atomicio::test::TempDir;

RunResult run_cli(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{atomicio::test::binary_path("atomicio")};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return atomicio::test::run_program(argv);
}

// The host refuses group- or world-writable plugin files, whatever the umask was.
void set_mode(const fs::path& path, fs::perms mode) { fs::permissions(path, mode, fs::perm_options::replace); }

// Writes `<id>.plugin.json` into `dir` for a format plugin claiming `.json`.
void write_json_claim(const fs::path& dir, const std::string& id, const std::string& library,
                      const std::string& install_hint) {
  const fs::path manifest = dir / (id + ".plugin.json");
  spit(manifest, "{\"manifest_version\": 1, \"id\": \"" + id +
                     "\", \"version\": \"1.0.0\", \"kind\": \"format\", \"abi\": {\"major\": 1, \"minor\": 0}, "
                     "\"library\": \"" + library + "\", \"provides\": {\"extensions\": [\".json\"]}, "
                     "\"install_hint\": \"" + install_hint + "\"}\n");
  set_mode(manifest, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

// A plugin directory whose only plugin claims `.json` (installed as format.json) through a
// library that is not a shared library at all.
fs::path broken_claim_dir(const TempDir& temp) {
  const fs::path dir = temp / "plugins";
  fs::create_directory(dir);
  set_mode(dir, fs::perms::owner_all);
  spit(dir / "format.other.so", "not a shared library\n");
  set_mode(dir / "format.other.so", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  write_json_claim(dir, "format.other", "format.other.so", "apt install atomicio-format-other");
  return dir;
}

Value entry_of(const Value& list, const std::string& id) {
  for (const auto& entry : list)
    if (entry.at("id") == id) return entry;
  FAIL("plugin " << id << " is not listed");
  return {};
}

}  // namespace

TEST_CASE("cli: plugins shows two plugins claiming one extension as a conflict with its winner", "[cli][plugin]") {
  TempDir temp;
  const fs::path dir = broken_claim_dir(temp);
  const std::string installed_manifest = (fs::path(ATOMICIO_TEST_PLUGIN_DIR) / "format.json.plugin.json").string();

  RunResult text = run_cli({"plugins", "--plugin-dir", dir.string()});
  REQUIRE(text.status == 0);
  CHECK(text.err.empty());
  const std::string manifest = (fs::canonical(dir) / "format.other.plugin.json").string();
  CHECK_THAT(text.out, Catch::Contains("conflict: .json (format) claimed by format.other (" + manifest +
                                       "; winner: first plugin directory in search order) and format.json (" +
                                       fs::canonical(installed_manifest).string() + ")\n"));
  CHECK_THAT(text.out, Catch::Contains("format.other\n"));
  CHECK_THAT(text.out, Catch::Contains("  install:   apt install atomicio-format-other\n"));

  RunResult json = run_cli({"plugins", "--json", "--plugin-dir", dir.string()});
  REQUIRE(json.status == 0);
  const Value other = entry_of(Value::parse(json.out), "format.other");
  CHECK(other.at("install_hint") == "apt install atomicio-format-other");
  REQUIRE(other.at("conflicts").size() == 1);
  const Value& conflict = other.at("conflicts").at(0);
  CHECK(conflict.at("claim") == ".json");
  CHECK(conflict.at("winner") == "format.other");
  CHECK(conflict.at("claimants") == Value::parse(R"(["format.other", "format.json"])"));
}

TEST_CASE("cli: plugins --check shows a broken winner failed and the plugin standing in for it", "[cli][plugin]") {
  TempDir temp;
  const fs::path dir = broken_claim_dir(temp);

  RunResult text = run_cli({"plugins", "--check", "--plugin-dir", dir.string()});
  REQUIRE(text.status == 0);
  const auto at = text.out.find("conflict: .json (format) claimed by format.other (");
  REQUIRE(at != std::string::npos);
  const std::string line = text.out.substr(at, text.out.find('\n', at) - at);
  CHECK_THAT(line, Catch::Contains("; failed to load: the plugin file exists but could not be loaded"));
  CHECK_THAT(line, Catch::Contains("; winner: stands in for format.other, which failed to load)"));

  // A command that needs the claim is served by the stand-in, and says so.
  const std::string data = (temp / "a.json").string();
  spit(data, "{\"a\": 1}");
  RunResult shown = run_cli({"cat", "--plugin-dir", dir.string(), data});
  CHECK(shown.status == 0);
  CHECK(Value::parse(shown.out) == Value::parse(R"({"a": 1})"));
  CHECK_THAT(shown.err, Catch::StartsWith("atomicio: warning: plugin format.other failed to load, so format.json "
                                          "served '.json' instead: the plugin file exists but could not be loaded"));
}

TEST_CASE("cli: a command whose plugins all load prints no fallback warning", "[cli][plugin]") {
  TempDir temp;
  const std::string data = (temp / "a.json").string();
  spit(data, "{\"a\": 1}");
  RunResult shown = run_cli({"cat", data});
  CHECK(shown.status == 0);
  CHECK(shown.err.empty());
}
