// ATOMICIO_DEBUG_PLUGINS=1 makes the host explain itself on stderr: every directory searched
// with its origin, every manifest accepted or rejected with the reason, and every load. The
// switch is read once per process, so the host runs in a child (atomicio_plugin_probe) whose
// stderr goes to a file.
#include "plugin_sandbox.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

struct ProbeResult {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs the probe with this process's environment minus every ATOMICIO_ variable, plus `extra`;
// its stdout and stderr go to `<capture>.out` and `<capture>.err`.
ProbeResult run_probe(const fs::path& plugins, const fs::path& file, const fs::path& capture,
                      const std::vector<std::string>& extra) {
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "ATOMICIO_", 9) != 0) env_storage.emplace_back(*e);
  env_storage.insert(env_storage.end(), extra.begin(), extra.end());
  std::vector<char*> env;
  for (auto& e : env_storage) env.push_back(e.data());
  env.push_back(nullptr);
  std::vector<std::string> arg_storage = {binary_path("atomicio_plugin_probe"), plugins.string(), file.string()};
  std::vector<char*> args;
  for (auto& a : arg_storage) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string out_path = capture.string() + ".out";
  const std::string err_path = capture.string() + ".err";

  // Everything the child needs is prepared above: between fork and exec it only makes
  // async-signal-safe calls.
  ChildProcess child = ChildProcess::fork([&] {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) return 126;
    ::execve(args[0], args.data(), env.data());
    return 127;
  });
  ExitStatus status = child.wait(std::chrono::seconds(60));
  return {status, slurp(out_path), slurp(err_path)};
}

}  // namespace

TEST_CASE("ATOMICIO_DEBUG_PLUGINS=1 traces the directories searched, each rejection and each load", "[plugin][needs:format.json][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  install_plugin("lock.none", real_plugin_dir(), plugins);
  write_manifest(plugins, "format.future.plugin.json",
                 manifest_text({"format.future", "format.json.so", "format", {".future"}, 2, 0}));
  spit(temp / "a.json", "{\"a\": 1}");
  spit(temp / "a.json.lock", "");  // a read locks (and so loads a lock backend) only where a sidecar exists
  const std::string real = fs::canonical(plugins).string();

  ProbeResult traced = run_probe(plugins, temp / "a.json", temp / "traced", {"ATOMICIO_DEBUG_PLUGINS=1"});
  INFO("stdout:\n" << traced.out << "stderr:\n" << traced.err);
  REQUIRE(traced.status.exited);
  CHECK(traced.status.code == 0);
  CHECK(traced.out == "ok\n");
  CHECK_THAT(traced.err, Catch::Contains("atomicio plugins: search " + real + " (given in code)"));
  CHECK_THAT(traced.err, Catch::Contains(real + "/format.future.plugin.json: rejected: built for plugin ABI 2.0"));
  CHECK_THAT(traced.err, Catch::Contains(real + "/format.json.plugin.json: found 'format.json'"));
  CHECK_THAT(traced.err, Catch::Contains("load " + real + "/format.json.so"));
  CHECK_THAT(traced.err, Catch::Contains("load " + real + "/lock.none.so"));

  ProbeResult quiet = run_probe(plugins, temp / "a.json", temp / "quiet", {});
  REQUIRE(quiet.status.exited);
  CHECK(quiet.status.code == 0);
  CHECK(quiet.out == "ok\n");
  CHECK(quiet.err.empty());
}
