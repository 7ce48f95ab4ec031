// The sidecar as every backend meets it: the record of the backend that guards it (a backend
// whose locks would not conflict is refused), the one default backend, and sidecars that are
// not regular files or cannot be created, which must fail at once with the real cause.
#include "lock_test_support.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/plugin_host.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/tmpfs_mount.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <functional>
#include <string>

using atomicio::AlreadyLockedError;
using atomicio::FileLock;
using atomicio::LockFailedError;
using atomicio::LockMode;
using atomicio::LockOptions;
using atomicio::Timeout;
using atomicio::test::ChildProcess;
using atomicio::test::kLockBackends;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Exit codes of a child's lock attempt.
enum Outcome { kRefusedNamingBoth = 0, kGranted = 1, kBusy = 2, kOtherError = 3 };

// In a child process (this one may hold the file through `first`), tries `second` once.
int try_in_child(const std::filesystem::path& target, const std::string& first, const std::string& second) {
  auto child = ChildProcess::fork([&] {
    try {
      FileLock lock(target, LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = second});
      return int{kGranted};
    } catch (const AlreadyLockedError&) {
      return int{kBusy};
    } catch (const LockFailedError& error) {
      const std::string what = error.what();
      return contains(what, "'" + first + "'") && contains(what, "'" + second + "'") ? int{kRefusedNamingBoth}
                                                                                   : int{kOtherError};
    } catch (...) {
      return int{kOtherError};
    }
  });
  return child.wait(std::chrono::seconds(30)).code;
}

// Runs `body` in a child process, whose wait is bounded: a hang fails the test instead of
// stopping the suite.
int in_child(const std::function<int()>& body) { return ChildProcess::fork(body).wait(std::chrono::seconds(30)).code; }

// The same, as an unprivileged user when this process is root (so that permissions apply).
int as_unprivileged(const std::function<int()>& body) {
  return in_child([&] {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 64;
    return body();
  });
}

// 0 when locking `target` fails at once with a LockFailedError whose message has `expected`
// and not `unexpected`; 1 when it succeeds; 2 for another error; 3 for the wrong message.
int lock_fails_with(const std::filesystem::path& target, const std::string& backend, LockMode mode, Timeout timeout,
                    const std::string& expected, const std::string& unexpected = "\x01") {
  try {
    FileLock lock(target, mode, timeout, LockOptions{.backend = backend});
    return 1;
  } catch (const LockFailedError& error) {
    const std::string what = error.what();
    return contains(what, expected) && !contains(what, unexpected) ? 0 : 3;
  } catch (...) {
    return 2;
  }
}

}  // namespace

TEST_CASE("a sidecar is created holding the name of the backend that guards it", "[lock][sidecar]") {
  const std::string backend = GENERATE(as<std::string>{}, "ofd", "flock", "fcntl", "interprocess");
  CAPTURE(backend);
  TempDir dir;
  FileLock(dir / "a.json", LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = backend}).unlock();
  CHECK(slurp(dir / "a.json.lock") == "atomicio-lock-sidecar 1\nbackend " + backend + "\n");
  CHECK(dir.entries() == std::vector<std::string>{"a.json.lock"});  // no temp left behind
}

TEST_CASE("a backend whose locks would not conflict with the guarding one is refused, naming both", "[lock][sidecar]") {
  struct Pair {
    std::string first, second;
  };
  const Pair pair = GENERATE(Pair{"ofd", "flock"}, Pair{"flock", "ofd"}, Pair{"fcntl", "flock"},
                             Pair{"flock", "interprocess"}, Pair{"ofd", "lockfile"}, Pair{"flock", "lockfile"},
                             Pair{"lockfile", "ofd"}, Pair{"lockfile", "flock"}, Pair{"lockfile", "fcntl"});
  CAPTURE(pair.first, pair.second);
  TempDir dir;
  const auto target = dir / "a.json";
  {
    FileLock held(target, LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = pair.first});
    CHECK(try_in_child(target, pair.first, pair.second) == kRefusedNamingBoth);
  }
  // A descriptor backend's sidecar stays, and so does the refusal.
  if (pair.first != "lockfile") CHECK(try_in_child(target, pair.first, pair.second) == kRefusedNamingBoth);
}

TEST_CASE("ofd, fcntl and interprocess are one family: they share a sidecar and exclude each other", "[lock][sidecar]") {
  struct Pair {
    std::string first, second;
  };
  const Pair pair = GENERATE(Pair{"ofd", "fcntl"}, Pair{"fcntl", "ofd"}, Pair{"interprocess", "ofd"},
                             Pair{"ofd", "interprocess"}, Pair{"fcntl", "interprocess"});
  CAPTURE(pair.first, pair.second);
  TempDir dir;
  FileLock held(dir / "a.json", LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = pair.first});
  CHECK(try_in_child(dir / "a.json", pair.first, pair.second) == kBusy);
  held.unlock();
  CHECK(try_in_child(dir / "a.json", pair.first, pair.second) == kGranted);
}

TEST_CASE("an empty sidecar left by an older atomicio is accepted by every descriptor backend", "[lock][sidecar]") {
  const std::string backend = GENERATE(as<std::string>{}, "ofd", "flock", "fcntl", "interprocess");
  CAPTURE(backend);
  TempDir dir;
  spit(dir / "a.json.lock", "");
  CHECK(FileLock(dir / "a.json", LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = backend}).owns_lock());
  CHECK(slurp(dir / "a.json.lock").empty());
}

TEST_CASE("the default backend is ofd whatever is installed, and a missing ofd is an error naming lock.ofd", "[lock][sidecar]") {
  TempDir dir;
  ::unsetenv("ATOMICIO_LOCK_BACKEND");
  atomicio::set_default_lock_backend("");
  CHECK(FileLock(dir / "a.json").backend() == "ofd");

  // A plugin directory with flock and lockfile but no ofd.
  const auto plugins = dir / "plugins";
  std::filesystem::create_directory(plugins);
  for (const std::string id : {"lock.flock", "lock.lockfile"})
    for (const std::string suffix : {".plugin.json", ".so"})
      std::filesystem::copy_file(std::string(ATOMICIO_TEST_PLUGIN_DIR) + "/" + id + suffix, plugins / (id + suffix));
  atomicio::PluginHostOptions only;
  only.directories = {plugins};
  only.use_environment = false;
  only.use_install_directory = false;
  atomicio::PluginHost host(only);
  try {
    FileLock lock(dir / "b.json", LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = "", .plugins = &host});
    FAIL("expected PluginNotInstalledError, got backend " << lock.backend());
  } catch (const atomicio::PluginNotInstalledError& error) {
    CHECK(error.plugin_id() == "lock.ofd");
  }
  // An explicit choice still works there.
  CHECK(FileLock(dir / "c.json", LockMode::exclusive, Timeout::immediate(), LockOptions{.backend = "flock", .plugins = &host})
            .owns_lock());
}

TEST_CASE("a FIFO at the sidecar's name fails every lock at once instead of hanging", "[lock][sidecar]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  // Read-only for its user: the read-write open is refused, and a read-only open of a FIFO
  // would wait for a writer.
  REQUIRE(::mkfifo((dir / "a.json.lock").c_str(), 0444) == 0);
  CHECK(as_unprivileged([&] { return lock_fails_with(dir / "a.json", backend, LockMode::exclusive, Timeout::immediate(), "a FIFO"); }) == 0);
  CHECK(as_unprivileged([&] { return lock_fails_with(dir / "a.json", backend, LockMode::shared, 1s, "a FIFO"); }) == 0);
  CHECK(in_child([&] { return lock_fails_with(dir / "a.json", backend, LockMode::exclusive, Timeout::infinite(), "a FIFO"); }) == 0);
}

TEST_CASE("a character device at the sidecar's name is refused and left alone", "[lock][sidecar][root]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  if (::mknod((dir / "a.json.lock").c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
    WARN("SKIP: mknod needs root (CAP_MKNOD)");
    return;
  }
  CHECK(in_child([&] {
          return lock_fails_with(dir / "a.json", backend, LockMode::exclusive, Timeout::infinite(), "a character device");
        }) == 0);
  struct stat info {};
  REQUIRE(::lstat((dir / "a.json.lock").c_str(), &info) == 0);
  CHECK(S_ISCHR(info.st_mode));
}

TEST_CASE("a sidecar that cannot be created on a read-only filesystem reports the read-only filesystem", "[lock][sidecar][root]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  atomicio::test::TmpfsMount mount(dir / "ro", "64k");
  if (!mount.mounted()) {
    WARN("SKIP: mounting a tmpfs needs root (CAP_SYS_ADMIN)");
    return;
  }
  spit(dir / "ro" / "a.json", "{}");
  REQUIRE(mount.remount_read_only());
  CHECK(lock_fails_with(dir / "ro" / "a.json", backend, LockMode::exclusive, Timeout::immediate(),
                        "Read-only file system", "No such file") == 0);
  CHECK(lock_fails_with(dir / "ro" / "a.json", backend, LockMode::shared, Timeout::immediate(),
                        "Read-only file system", "No such file") == 0);
}

TEST_CASE("a sidecar that cannot be created in a directory the user may not write reports permission denied", "[lock][sidecar][permissions]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  spit(dir / "a.json", "{}");
  // Root's directory, not writable by nobody; a non-root run makes it unwritable for itself.
  REQUIRE(::chmod(dir.path().c_str(), ::geteuid() == 0 ? 0755 : 0555) == 0);
  const int outcome = as_unprivileged([&] {
    return lock_fails_with(dir / "a.json", backend, LockMode::shared, Timeout::immediate(), "Permission denied",
                           "No such file");
  });
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  CHECK(outcome == 0);
}
