// In a set-uid process the environment belongs to a less privileged user, so the plugin host
// must not take plugin directories from ATOMICIO_PLUGIN_PATH nor a lock backend from
// ATOMICIO_LOCK_BACKEND there, nor show that user its plugin search (ATOMICIO_DEBUG_PLUGINS).
// The test runs one probe binary twice with the same environment: a plain copy (the variables
// take effect) and a copy set-uid to nobody (they are ignored while still visible to getenv).
// It needs root to make the set-uid copy, and a kernel and mount that honour the bit;
// elsewhere it skips and says why.
#include "support/run_program.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using namespace atomicio::test;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// The probe copied to `dir`, owned by `owner`, with `mode`.
fs::path copy_probe(const fs::path& dir, const std::string& name, uid_t owner, mode_t mode) {
  const fs::path copy = dir / name;
  fs::copy_file(binary_path("atomicio_environment_probe"), copy);
  REQUIRE(::chown(copy.c_str(), owner, static_cast<gid_t>(-1)) == 0);
  REQUIRE(::chmod(copy.c_str(), mode) == 0);  // after chown, which clears set-uid bits
  return copy;
}

}  // namespace

TEST_CASE("a set-uid process ignores ATOMICIO_PLUGIN_PATH, ATOMICIO_LOCK_BACKEND and ATOMICIO_DEBUG_PLUGINS",
          "[plugin][setuid][security][needs:lock.ofd]") {
  if (::geteuid() != 0) {
    WARN("skipped: making a set-uid copy of the probe needs root");
    return;
  }
  TempDir dir;
  // The set-uid copy runs as nobody: it must reach its own directory and lock in a shared one.
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const fs::path shared = dir.path() / "shared";
  fs::create_directory(shared);
  REQUIRE(::chmod(shared.c_str(), 01777) == 0);
  const fs::path env_plugins = dir.path() / "env-plugins";
  fs::create_directory(env_plugins);

  const fs::path plain = copy_probe(dir.path(), "plain-probe", 0, 0755);
  const fs::path setuid = copy_probe(dir.path(), "setuid-probe", kNobody, 04755);
  auto run = [&](const fs::path& probe) {
    return run_program({"env", "ATOMICIO_PLUGIN_PATH=" + env_plugins.string(),
                        "ATOMICIO_LOCK_BACKEND=no-such-backend", "ATOMICIO_DEBUG_PLUGINS=1", probe.string(),
                        (shared / (probe.filename().string() + ".target")).string()});
  };

  const RunResult as_user = run(plain);
  INFO("plain probe:\n" << as_user.out << as_user.err);
  REQUIRE(as_user.status == 0);
  CHECK(has_line(as_user.out, "search environment " + env_plugins.string()));
  CHECK(as_user.out.find("lock error: ") != std::string::npos);
  CHECK(as_user.out.find("no-such-backend") != std::string::npos);
  CHECK(as_user.err.find("atomicio plugins: ") != std::string::npos);  // the trace is on

  const RunResult as_setuid = run(setuid);
  INFO("set-uid probe:\n" << as_setuid.out << as_setuid.err);
  REQUIRE(as_setuid.status == 0);
  if (!has_line(as_setuid.out, "euid " + std::to_string(kNobody))) {
    WARN("skipped: the set-uid bit is not honoured here (nosuid mount or no_new_privs)");
    return;
  }
  CHECK(has_line(as_setuid.out, "ATOMICIO_PLUGIN_PATH=" + env_plugins.string()));  // it did arrive
  CHECK(as_setuid.out.find("search environment") == std::string::npos);
  CHECK(as_setuid.out.find("search install") != std::string::npos);
  CHECK(as_setuid.out.find("no-such-backend") == std::string::npos);
  CHECK(as_setuid.out.find("\nbackend ") != std::string::npos);  // the automatic choice
  CHECK(as_setuid.err.find("atomicio plugins: ") == std::string::npos);  // no trace of the search
}
