// Tests for the atomicio command-line tool, run as a separate process as a shell would run it:
// data on stdout, diagnostics on stderr prefixed "atomicio: ", the documented exit statuses,
// and commits that are atomic and serialized by the file's lock across processes.
#include "support/child_process.hpp"
#include "support/run_program.hpp"

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/value.hpp>
#include <atomicio/version.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Runs the built `atomicio` tool with `arguments` after the program name.
atomicio::test::RunResult run_cli(const std::vector<std::string>& arguments, std::string_view input = {}) {
  std::vector<std::string> argv{atomicio::test::binary_path("atomicio")};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return atomicio::test::run_program(argv, input);
}

using atomicio::Value;
using atomicio::test::RunResult;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

std::vector<std::string> keys_of(const Value& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// The entry for plugin `id` from the install directory in `plugins --json` output.
Value installed_plugin(const Value& list, const std::string& id) {
  for (const auto& entry : list)
    if (entry.at("id") == id && entry.at("origin") == "install") return entry;
  FAIL("plugin " << id << " is not listed");
  return {};
}

// The whitespace-separated words of each line of `text`.
std::vector<std::vector<std::string>> table_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string word; words >> word;) row.push_back(word);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("cli: write then cat round-trips JSON and keeps key order", "[cli]") {
  TempDir dir;
  const std::string path = (dir / "doc.json").string();
  RunResult written = run_cli({"write", path}, R"({"zeta": 1, "alpha": {"y": [1, 2.5, "x"], "b": null}, "mid": true})");
  REQUIRE(written.status == 0);
  CHECK(written.out.empty());
  CHECK(written.err.empty());
  RunResult shown = run_cli({"cat", path});
  REQUIRE(shown.status == 0);
  CHECK(shown.err.empty());
  CHECK(shown.out ==
        "{\n  \"zeta\": 1,\n  \"alpha\": {\n    \"y\": [\n      1,\n      2.5,\n      \"x\"\n    ],\n"
        "    \"b\": null\n  },\n  \"mid\": true\n}\n");
}

TEST_CASE("cli: write --raw stores stdin byte for byte", "[cli]") {
  TempDir dir;
  const auto path = dir / "blob.bin";
  spit(path, std::string(500'000, 'o'));  // longer than the new content: nothing of it may remain
  std::string bytes;
  for (int i = 0; i < 300'000; ++i) bytes += static_cast<char>((i * 7) % 256);  // NULs, invalid UTF-8, no final newline
  RunResult result = run_cli({"write", "--raw", path.string()}, bytes);
  REQUIRE(result.status == 0);
  CHECK(result.err.empty());
  CHECK(slurp(path) == bytes);
}

TEST_CASE("cli: write rejects invalid JSON on stdin with its line and column and keeps the file", "[cli]") {
  TempDir dir;
  const auto path = dir / "doc.json";
  spit(path, "{\"kept\": true}\n");
  RunResult result = run_cli({"write", path.string()}, "{\n  \"a\": tru\n}");
  CHECK(result.status == 1);
  CHECK(result.out.empty());
  CHECK(starts_with(result.err, "atomicio: stdin: invalid JSON at line 2, column 11"));
  CHECK(slurp(path) == "{\"kept\": true}\n");
}

// A 100,000-deep array crashed the JSON printer and ran the YAML writer out of memory.
TEST_CASE("cli: write refuses JSON on stdin nested deeper than atomicio reads back and keeps the file", "[cli][needs:format.yaml]") {
  TempDir dir;
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  for (const char* name : {"doc.json", "doc.yaml"}) {
    const auto path = dir / name;
    spit(path, "kept\n");
    RunResult result = run_cli({"write", path.string()}, deep);
    CHECK(result.status == 1);
    CHECK(result.err.find("deeper than 256 levels") != std::string::npos);
    CHECK(slurp(path) == "kept\n");
  }
}

TEST_CASE("cli: update merges objects, appends arrays and keeps the existing key order", "[cli]") {
  TempDir dir;
  const std::string path = (dir / "config.json").string();
  REQUIRE(run_cli({"write", path}, R"({"name": "a", "tags": ["x"], "nested": {"k": 1}})").status == 0);
  RunResult updated = run_cli({"update", path, R"({"new": 0, "tags": ["y"], "nested": {"j": 2}})"});
  REQUIRE(updated.status == 0);
  CHECK(updated.err.empty());
  RunResult shown = run_cli({"cat", path});
  REQUIRE(shown.status == 0);
  const Value value = Value::parse(shown.out);
  CHECK(value == Value::parse(R"({"name": "a", "tags": ["x", "y"], "nested": {"k": 1, "j": 2}, "new": 0})"));
  CHECK(keys_of(value) == std::vector<std::string>{"name", "tags", "nested", "new"});
  CHECK(keys_of(value.at("nested")) == std::vector<std::string>{"k", "j"});
}

TEST_CASE("cli: update with invalid JSON exits 1 and changes nothing", "[cli]") {
  TempDir dir;
  const auto path = dir / "config.json";
  spit(path, "{\"a\": 1}\n");
  RunResult result = run_cli({"update", path.string(), "{\"b\": }"});
  CHECK(result.status == 1);
  CHECK(starts_with(result.err, "atomicio: the JSON argument: invalid JSON at line 1, column 7"));
  CHECK(slurp(path) == "{\"a\": 1}\n");
}

TEST_CASE("cli: append creates the file and adds text exactly as given", "[cli]") {
  TempDir dir;
  const auto path = dir / "log.txt";
  REQUIRE(run_cli({"append", path.string(), "one\n"}).status == 0);
  REQUIRE(run_cli({"append", path.string(), "two"}).status == 0);
  CHECK(slurp(path) == "one\ntwo");
  RunResult shown = run_cli({"cat", path.string()});
  REQUIRE(shown.status == 0);
  CHECK(shown.out == "\"one\\ntwo\"\n");  // a text file's value is one string
}

TEST_CASE("cli: cat of a missing file exits 1 naming the path", "[cli]") {
  TempDir dir;
  const std::string path = (dir / "missing.json").string();
  RunResult result = run_cli({"cat", path});
  CHECK(result.status == 1);
  CHECK(result.out.empty());
  CHECK(starts_with(result.err, "atomicio: "));
  CHECK(result.err.find(path) != std::string::npos);
}

TEST_CASE("cli: cat of corrupt JSON exits 1 with the line and column of the mistake", "[cli]") {
  TempDir dir;
  const auto path = dir / "corrupt.json";
  spit(path, "{\n  \"a\": 1,\n  \"b\": \n}\n");
  RunResult result = run_cli({"cat", path.string()});
  CHECK(result.status == 1);
  CHECK(result.out.empty());
  CHECK(starts_with(result.err, "atomicio: "));
  CHECK(result.err.find(path.string()) != std::string::npos);
  CHECK(result.err.find("line 4, column 1") != std::string::npos);
}

TEST_CASE("cli: edit replaces the file with the output of a filter that succeeds", "[cli][edit]") {
  TempDir dir;
  const auto path = dir / "counter";
  spit(path, "41\n");
  RunResult result = run_cli({"edit", path.string(), "--", "sh", "-c", "read n; echo $((n+1))"});
  REQUIRE(result.status == 0);
  CHECK(result.out.empty());
  CHECK(slurp(path) == "42\n");

  // A missing file is fed to the filter as empty input.
  const auto fresh = dir / "fresh.txt";
  REQUIRE(run_cli({"edit", fresh.string(), "--", "awk", "END { print NR \" lines\" }"}).status == 0);
  CHECK(slurp(fresh) == "0 lines\n");
}

TEST_CASE("cli: edit streams content larger than a pipe through the filter both ways", "[cli][edit]") {
  TempDir dir;
  const auto path = dir / "big";
  std::string content;
  for (int i = 0; i < 100'000; ++i) content += std::to_string(i) + "\n";  // ~590 KB
  spit(path, content);
  RunResult result = run_cli({"edit", path.string(), "--", "tac"});
  REQUIRE(result.status == 0);
  std::string reversed;
  for (int i = 99'999; i >= 0; --i) reversed += std::to_string(i) + "\n";
  CHECK(slurp(path) == reversed);
}

TEST_CASE("cli: edit leaves the file untouched and exits with the status of a failing filter", "[cli][edit]") {
  TempDir dir;
  const auto path = dir / "counter";
  spit(path, "keep me\n");
  RunResult failed = run_cli({"edit", path.string(), "--", "sh", "-c", "cat >/dev/null; echo garbage; exit 3"});
  CHECK(failed.status == 3);
  CHECK(failed.err.find("left unchanged") != std::string::npos);
  CHECK(slurp(path) == "keep me\n");

  RunResult killed = run_cli({"edit", path.string(), "--", "sh", "-c", "echo garbage; kill -TERM $$"});
  CHECK(killed.status == 128 + 15);
  CHECK(slurp(path) == "keep me\n");

  RunResult missing = run_cli({"edit", path.string(), "--", "atomicio-test-no-such-command"});
  CHECK(missing.status == 127);
  CHECK(starts_with(missing.err, "atomicio: atomicio-test-no-such-command: command not found"));
  CHECK(slurp(path) == "keep me\n");
}

TEST_CASE("cli: lock and edit exit 75 at once while another process holds the lock, and run once it is free",
          "[cli][lock]") {
  TempDir dir;
  const auto path = dir / "data.txt";
  spit(path, "1\n");
  auto held = std::make_optional<atomicio::FileLock>(path);  // this process is the other holder

  RunResult busy = run_cli({"lock", "--timeout", "0", path.string(), "--", "sh", "-c", "echo ran"});
  CHECK(busy.status == 75);
  CHECK(busy.out.empty());  // CMD did not run
  CHECK(starts_with(busy.err, "atomicio: "));
  RunResult edit_busy = run_cli({"edit", "--timeout", "0", path.string(), "--", "echo", "2"});
  CHECK(edit_busy.status == 75);
  CHECK(slurp(path) == "1\n");
  RunResult waited = run_cli({"lock", "--timeout", "0.2", path.string(), "--", "true"});
  CHECK(waited.status == 75);

  held.reset();
  RunResult free = run_cli({"lock", "--timeout", "0", path.string(), "--", "sh", "-c", "echo ran"});
  CHECK(free.status == 0);
  CHECK(free.out == "ran\n");
}

TEST_CASE("cli: lock holds the lock while CMD runs and exits with CMD's status", "[cli][lock]") {
  TempDir dir;
  const std::string path = (dir / "data.json").string();
  const std::string cli = atomicio::test::binary_path("atomicio");
  const std::string probe = "\"$0\" lock --timeout 0 \"$1\" -- true; echo inner=$?";
  RunResult exclusive = run_cli({"lock", path, "--", "sh", "-c", probe, cli, path});
  CHECK(exclusive.status == 0);
  CHECK(exclusive.out == "inner=75\n");

  const std::string shared_probe = "\"$0\" lock --shared --timeout 0 \"$1\" -- true; echo inner=$?";
  RunResult shared = run_cli({"lock", "--shared", path, "--", "sh", "-c", shared_probe, cli, path});
  CHECK(shared.status == 0);
  CHECK(shared.out == "inner=0\n");

  CHECK(run_cli({"lock", path, "--", "sh", "-c", "exit 7"}).status == 7);
}

TEST_CASE("cli: lock --nonblock and --backend choose how and through what the lock is taken", "[cli][lock][needs:lock.flock]") {
  TempDir dir;
  const std::string path = (dir / "data.json").string();
  const std::string cli = atomicio::test::binary_path("atomicio");
  // A holder through flock excludes a --nonblock request through flock...
  const std::string probe = "\"$0\" lock -n --backend flock \"$1\" -- true; echo inner=$?";
  RunResult held = run_cli({"lock", "--backend", "flock", path, "--", "sh", "-c", probe, cli, path});
  CHECK(held.status == 0);
  CHECK(held.out == "inner=75\n");
  // ...and the message names the mode and the backend.
  const std::string said = "\"$0\" lock --nonblock --backend flock \"$1\" -- true 2>&1 | head -1";
  RunResult message = run_cli({"lock", "--backend", "flock", path, "--", "sh", "-c", said, cli, path});
  CHECK_THAT(message.out, Catch::Contains("exclusive lock (backend flock)"));

  // --nonblock and --timeout are one choice, not two.
  CHECK(run_cli({"lock", "-n", "--timeout", "3", path, "--", "true"}).status == 2);
  // A backend that is not installed is an error naming it, never a silent fallback.
  RunResult missing = run_cli({"lock", "--backend", "carrier-pigeon", path, "--", "true"});
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("lock backend 'carrier-pigeon' is not installed"));
}

TEST_CASE("cli: backends lists every lock backend with its plugin, loading none", "[cli][lock][needs:lock.fcntl][needs:lock.flock][needs:lock.interprocess][needs:lock.lockfile]") {
  RunResult result = run_cli({"backends"});
  REQUIRE(result.status == 0);
  auto rows = table_rows(result.out);
  REQUIRE(!rows.empty());
  CHECK(rows.front() == std::vector<std::string>{"BACKEND", "PROVIDER", "AVAILABLE"});
  for (const char* name : {"ofd", "flock", "fcntl", "interprocess", "lockfile", "none"}) {
    INFO(name);
    CHECK(std::find(rows.begin(), rows.end(), std::vector<std::string>{name, std::string("lock.") + name, "yes"}) !=
          rows.end());
  }
}

TEST_CASE("cli: parallel edits of one counter lose no increment", "[cli][edit][slow]") {
  TempDir dir;
  const auto counter = dir / "counter";
  spit(counter, "0\n");
  const std::string loop =
      "i=0; while [ $i -lt 25 ]; do \"$0\" edit \"$1\" -- awk '{print $1+1}' || exit 1; i=$((i+1)); done";
  std::vector<atomicio::test::ChildProcess> children;
  for (int i = 0; i < 8; ++i)
    children.push_back(atomicio::test::ChildProcess::spawn(
        {"/bin/sh", "-c", loop, atomicio::test::binary_path("atomicio"), counter.string()}));
  for (auto& child : children) {
    const auto status = child.wait(std::chrono::seconds(120));
    CHECK(status.exited);
    CHECK(status.code == 0);
  }
  CHECK(slurp(counter) == "200\n");
}

TEST_CASE("cli: plugins lists the JSON format as available without loading it", "[cli][plugin]") {
  RunResult json = run_cli({"plugins", "--json"});
  REQUIRE(json.status == 0);
  const Value list = Value::parse(json.out);
  REQUIRE(list.is_array());
  const Value entry = installed_plugin(list, "format.json");
  CHECK(entry.at("state") == "available");
  CHECK(entry.at("kind") == "format");
  CHECK(entry.at("provides") == Value::parse(R"([".json"])"));
  CHECK(std::filesystem::exists(entry.at("manifest").get<std::string>()));
  CHECK(installed_plugin(list, "lock.ofd").at("kind") == "lock");

  RunResult text = run_cli({"plugins"});
  REQUIRE(text.status == 0);
  const auto at = text.out.find("format.json\n");
  REQUIRE(at != std::string::npos);
  CHECK(text.out.find("  state:     available\n", at) != std::string::npos);
  CHECK(text.out.find("loaded") == std::string::npos);
  CHECK(text.out.find("(install)") != std::string::npos);
}

TEST_CASE("cli: --plugin-dir is searched before the installed plugins", "[cli][plugin]") {
  TempDir dir;
  const std::filesystem::path installed = ATOMICIO_TEST_PLUGIN_DIR;
  for (const char* name : {"format.json.plugin.json", "format.json.so"})
    std::filesystem::copy_file(installed / name, dir / name);
  RunResult result = run_cli({"plugins", "--json", "--plugin-dir", dir.path().string()});
  REQUIRE(result.status == 0);
  std::vector<std::string> states;
  for (const auto& entry : Value::parse(result.out))
    if (entry.at("id") == "format.json") states.push_back(entry.at("origin").get<std::string>() + ":" +
                                                          entry.at("state").get<std::string>());
  CHECK(states == std::vector<std::string>{"code:available", "install:shadowed"});
}

TEST_CASE("cli: formats lists format and codec extensions with their providers", "[cli][needs:codec.gzip][needs:codec.xz]") {
  RunResult result = run_cli({"formats"});
  REQUIRE(result.status == 0);
  auto rows = table_rows(result.out);
  REQUIRE(!rows.empty());
  CHECK(rows.front() == std::vector<std::string>{"EXTENSION", "KIND", "PROVIDER", "AVAILABLE"});
  auto listed = [&](std::vector<std::string> row) { return std::find(rows.begin(), rows.end(), row) != rows.end(); };
  CHECK(listed({".json", "format", "format.json", "yes"}));
  CHECK(listed({".txt", "format", "format.text", "yes"}));
  CHECK(listed({".gz", "codec", "codec.gzip", "yes"}));
  CHECK(listed({".xz", "codec", "codec.xz", "yes"}));
}

TEST_CASE("cli: convert writes SRC's value in DST's format, compressed by DST's suffix", "[cli][convert][needs:format.yaml][needs:format.toml][needs:codec.xz]") {
  TempDir dir;
  const std::string yaml = (dir / "settings.yaml").string();
  spit(yaml, "name: demo\nretries: 3\nratio: 0.5\ntags: [a, b]\nnested:\n  on: true\n");
  const std::string toml = (dir / "settings.toml.xz").string();
  RunResult converted = run_cli({"convert", yaml, toml});
  REQUIRE(converted.status == 0);
  CHECK(converted.out.empty());
  CHECK(converted.err.empty());
  // xz itself reads what was written, and it is TOML.
  RunResult unpacked = atomicio::test::run_program({"xz", "-dc", toml});
  REQUIRE(unpacked.status == 0);
  CHECK(unpacked.out.find("retries = 3") != std::string::npos);
  // And the value survived both conversions unchanged.
  const std::string back = (dir / "back.json").string();
  REQUIRE(run_cli({"convert", toml, back}).status == 0);
  CHECK(Value::parse(slurp(back)) ==
        Value::parse(R"({"name": "demo", "retries": 3, "ratio": 0.5, "tags": ["a", "b"], "nested": {"on": true}})"));
}

TEST_CASE("cli: convert fails clearly where DST's format cannot hold the value, leaving DST untouched", "[cli][convert][needs:format.toml]") {
  TempDir dir;
  const std::string source = (dir / "list.json").string();
  spit(source, "[1, 2, 3]");
  const std::string destination = (dir / "out.toml").string();
  spit(destination, "kept = true\n");
  RunResult result = run_cli({"convert", source, destination});
  CHECK(result.status == 1);
  CHECK(result.err.find(destination) != std::string::npos);
  CHECK(result.err.find("format.toml") != std::string::npos);
  CHECK(slurp(destination) == "kept = true\n");
  std::vector<std::string> names;  // no temporary file left behind
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"list.json", "out.toml", "out.toml.lock"});  // a read makes no sidecar

  RunResult missing = run_cli({"convert", (dir / "absent.yaml").string(), (dir / "x.json").string()});
  CHECK(missing.status == 1);
  CHECK(missing.err.find("absent.yaml") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "x.json"));
}

TEST_CASE("cli: usage errors exit 2 with a diagnostic on stderr", "[cli]") {
  TempDir dir;
  const std::string path = (dir / "a.json").string();
  const std::vector<std::vector<std::string>> wrong{
      {}, {"frobnicate"}, {"cat"}, {"cat", path, "extra"}, {"write", "--bogus", path},
      {"lock", path}, {"lock", "--timeout", "soon", path, "--", "true"}, {"edit", "--timeout", "-1", path, "--", "true"}};
  for (const auto& arguments : wrong) {
    INFO("arguments: " << Catch::Detail::stringify(arguments));
    RunResult result = run_cli(arguments);
    CHECK(result.status == 2);
    CHECK(result.out.empty());
    CHECK(starts_with(result.err, "atomicio: "));
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("cli: --help documents the exit statuses and --version prints the version", "[cli]") {
  RunResult help = run_cli({"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("Exit status:") != std::string::npos);
  CHECK(help.out.find("  75 ") != std::string::npos);
  RunResult version = run_cli({"--version"});
  CHECK(version.status == 0);
  CHECK(starts_with(version.out, std::string("atomicio ") + ATOMICIO_VERSION_STRING));
}
