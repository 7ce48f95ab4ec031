// FileLock semantics: identity, re-entrancy, modes, timeouts, writer preference, and exclusion
// between processes on the sidecar.
#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

using atomicio::AlreadyLockedError;
using atomicio::FileLock;
using atomicio::LockFailedError;
using atomicio::LockMode;
using atomicio::LockTimeoutError;
using atomicio::Timeout;
using atomicio::test::ChildProcess;
using atomicio::test::ExitStatus;
using atomicio::test::TempDir;
using namespace std::chrono_literals;

namespace {

// Runs `body` on another thread and returns its result: other threads are other owners.
template <class Body>
auto on_other_thread(Body body) {
  return std::async(std::launch::async, body).get();
}

bool other_thread_can_lock(const std::filesystem::path& path, LockMode mode = LockMode::exclusive) {
  return on_other_thread([&] { return FileLock::try_lock(path, mode).has_value(); });
}

// A pipe the child writes one byte to once it holds the lock.
struct Signal {
  int fds[2];
  Signal() { REQUIRE(::pipe(fds) == 0); }
  ~Signal() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  void notify() { REQUIRE(::write(fds[1], "x", 1) == 1); }
  void wait() {
    char c;
    REQUIRE(::read(fds[0], &c, 1) == 1);
  }
};

}  // namespace

TEST_CASE("a path, its ./ spelling and a symlink to it share one lock", "[lock]") {
  TempDir dir;
  FileLock held(dir / "a.json");
  std::filesystem::create_symlink("a.json", dir / "alias.json");
  CHECK_FALSE(other_thread_can_lock(dir / "a.json"));
  CHECK_FALSE(other_thread_can_lock(dir.path() / "." / "a.json"));
  CHECK_FALSE(other_thread_can_lock(dir / "alias.json"));
  CHECK(other_thread_can_lock(dir / "b.json"));
}

TEST_CASE("the lock lives on a sidecar that stays after release", "[lock][needs:lock.ofd]") {
  TempDir dir;
  {
    FileLock held(dir / "a.json");
    CHECK(held.sidecar_path() == std::filesystem::canonical(dir.path()) / "a.json.lock");
    CHECK(held.backend() == "ofd");
  }
  CHECK(std::filesystem::exists(dir / "a.json.lock"));
  CHECK_FALSE(std::filesystem::exists(dir / "a.json"));
}

TEST_CASE("the owning thread re-enters its lock instead of deadlocking", "[lock]") {
  TempDir dir;
  FileLock outer(dir / "a.json");
  {
    FileLock inner(dir / "a.json", LockMode::exclusive, Timeout::immediate());
    FileLock shared_inside(dir / "a.json", LockMode::shared, Timeout::immediate());
    CHECK(inner.owns_lock());
  }
  CHECK_FALSE(other_thread_can_lock(dir / "a.json"));  // the outer hold survives inner releases
  outer.unlock();
  CHECK(other_thread_can_lock(dir / "a.json"));
}

TEST_CASE("upgrading a shared lock to exclusive fails instead of deadlocking", "[lock]") {
  TempDir dir;
  FileLock reader(dir / "a.json", LockMode::shared);
  CHECK_THROWS_AS(FileLock(dir / "a.json", LockMode::exclusive), LockFailedError);
}

TEST_CASE("shared holders run together and exclude an exclusive holder", "[lock]") {
  TempDir dir;
  FileLock reader(dir / "a.json", LockMode::shared);
  CHECK(other_thread_can_lock(dir / "a.json", LockMode::shared));
  CHECK_FALSE(other_thread_can_lock(dir / "a.json", LockMode::exclusive));
}

TEST_CASE("an immediate timeout throws AlreadyLocked carrying path and timeout", "[lock]") {
  TempDir dir;
  FileLock held(dir / "a.json");
  on_other_thread([&] {
    try {
      FileLock second(dir / "a.json", LockMode::exclusive, Timeout::immediate());
      FAIL("expected AlreadyLockedError");
    } catch (const AlreadyLockedError& error) {
      CHECK(error.timeout() == 0ns);
      CHECK(error.path() == dir / "a.json");
    }
    return 0;
  });
}

TEST_CASE("a bounded wait throws LockTimeout carrying the timeout", "[lock]") {
  TempDir dir;
  FileLock held(dir / "a.json");
  on_other_thread([&] {
    CHECK_THROWS_AS(FileLock(dir / "a.json", LockMode::exclusive, 50ms), LockTimeoutError);
    try {
      FileLock(dir / "a.json", LockMode::exclusive, 20ms);
    } catch (const LockTimeoutError& error) {
      CHECK(error.timeout() == 20ms);
    }
    return 0;
  });
}

TEST_CASE("a waiting writer keeps new readers out", "[lock]") {
  TempDir dir;
  FileLock reader(dir / "a.json", LockMode::shared);
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    FileLock exclusive(dir / "a.json", LockMode::exclusive, 10s);
    writer_done = true;
  });
  // Wait until the writer is queued: a new shared request from a third thread is then refused
  // even though only readers hold the lock.
  bool refused = false;
  for (int i = 0; i < 2000 && !refused; ++i) {
    refused = !other_thread_can_lock(dir / "a.json", LockMode::shared);
    if (!refused) std::this_thread::sleep_for(1ms);
  }
  CHECK(refused);
  CHECK_FALSE(writer_done);
  reader.unlock();
  writer.join();
  CHECK(writer_done);
}

TEST_CASE("a lock moved to another thread is released there", "[lock]") {
  TempDir dir;
  FileLock held(dir / "a.json");
  std::thread([lock = std::move(held)]() mutable { lock.unlock(); }).join();
  CHECK(other_thread_can_lock(dir / "a.json"));
}

TEST_CASE("processes exclude each other and a SIGKILLed holder frees the lock", "[lock][process][needs:lock.ofd]") {
  TempDir dir;
  Signal locked;
  auto child = ChildProcess::fork([&] {
    FileLock held(dir / "a.json");
    locked.notify();
    ::pause();  // hold until killed
    return 0;
  });
  locked.wait();
  CHECK_FALSE(FileLock::try_lock(dir / "a.json").has_value());
  CHECK_THROWS_AS(FileLock(dir / "a.json", LockMode::exclusive, 30ms), LockTimeoutError);
  child.kill(SIGKILL);
  child.wait();
  // The kernel released the dead holder's lock with its open file description.
  FileLock mine(dir / "a.json", LockMode::exclusive, 5s);
  CHECK(mine.owns_lock());
}

TEST_CASE("shared locks are shared between processes", "[lock][process][needs:lock.ofd]") {
  TempDir dir;
  Signal locked;
  auto child = ChildProcess::fork([&] {
    FileLock held(dir / "a.json", LockMode::shared);
    locked.notify();
    ::pause();
    return 0;
  });
  locked.wait();
  CHECK(FileLock::try_lock(dir / "a.json", LockMode::shared).has_value());
  CHECK_FALSE(FileLock::try_lock(dir / "a.json", LockMode::exclusive).has_value());
  child.kill(SIGKILL);
  child.wait();
}

// The fairness policy across processes is the kernel's, and Linux grants a shared lock while
// a writer waits: readers in other processes that keep overlapping starve the writer, which
// therefore should use a timeout. Two processes pass a shared lock back and forth so that one
// of them always holds it; a writer in this process times out, then gets in once they stop.
TEST_CASE("across processes a stream of overlapping readers starves a writer (documented policy)", "[lock][process][needs:lock.ofd]") {
  TempDir dir;
  const auto path = dir / "a.json";
  Signal started, b_holds, a_holds;
  auto reader_a = ChildProcess::fork([&] {
    std::optional<FileLock> mine(std::in_place, path, LockMode::shared, 2s);
    started.notify();
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    for (bool more = true; more;) {
      b_holds.wait();
      mine.reset();
      std::this_thread::sleep_for(1ms);
      mine.emplace(path, LockMode::shared, 2s);  // throws (exit 1) if the waiting writer got in
      more = std::chrono::steady_clock::now() < until;
      REQUIRE(::write(a_holds.fds[1], more ? "c" : "s", 1) == 1);
    }
    return 0;
  });
  auto reader_b = ChildProcess::fork([&] {
    for (char next = 'c'; next == 'c';) {
      FileLock mine(path, LockMode::shared, 2s);
      b_holds.notify();
      REQUIRE(::read(a_holds.fds[0], &next, 1) == 1);
    }
    return 0;
  });
  started.wait();
  CHECK_THROWS_AS(FileLock(path, LockMode::exclusive, 500ms), LockTimeoutError);
  ExitStatus a = reader_a.wait();
  ExitStatus b = reader_b.wait();
  CHECK((a.exited && a.code == 0));
  CHECK((b.exited && b.code == 0));
  CHECK(FileLock(path, LockMode::exclusive, 5s).owns_lock());
}

TEST_CASE("the none backend excludes threads but not processes", "[lock][needs:lock.none]") {
  TempDir dir;
  atomicio::LockOptions none{"none", nullptr};
  FileLock held(dir / "a.json", LockMode::exclusive, Timeout::infinite(), none);
  CHECK(held.backend() == "none");
  CHECK_FALSE(on_other_thread([&] { return FileLock::try_lock(dir / "a.json", LockMode::exclusive, none).has_value(); }));
  auto child = ChildProcess::fork([&] {
    return FileLock::try_lock(dir / "b.json", LockMode::exclusive, none) ? 0 : 1;
  });
  CHECK(child.wait().code == 0);
}

TEST_CASE("a backend that is not installed is an error, never a silent downgrade", "[lock]") {
  TempDir dir;
  try {
    FileLock held(dir / "a.json", LockMode::exclusive, Timeout::infinite(), {"carrier-pigeon", nullptr});
    FAIL("expected PluginNotInstalledError");
  } catch (const atomicio::PluginNotInstalledError& error) {
    CHECK(std::string(error.what()).find("'carrier-pigeon' is not installed") != std::string::npos);
  }
}

TEST_CASE("lock errors carry the path, the mode asked for, the backend and the timeout", "[lock][needs:lock.flock]") {
  TempDir dir;
  FileLock held(dir / "a.json", LockMode::exclusive, Timeout::infinite(), {"flock", nullptr});
  on_other_thread([&] {
    try {
      FileLock second(dir / "a.json", LockMode::shared, Timeout::immediate(), {"flock", nullptr});
      FAIL("expected AlreadyLockedError");
    } catch (const AlreadyLockedError& error) {
      CHECK(error.path() == dir / "a.json");
      CHECK(error.mode() == LockMode::shared);
      CHECK(error.backend() == "flock");
      CHECK(error.timeout() == 0ns);
      CHECK_THAT(error.what(), Catch::Contains("shared lock (backend flock)"));
    }
    try {
      FileLock third(dir / "a.json", LockMode::exclusive, 30ms, {"flock", nullptr});
      FAIL("expected LockTimeoutError");
    } catch (const LockTimeoutError& error) {
      CHECK(error.mode() == LockMode::exclusive);
      CHECK(error.backend() == "flock");
      CHECK(error.timeout() == 30ms);
    }
    return 0;
  });
}

TEST_CASE("the process default backend applies where no backend is named, ahead of the environment", "[lock][needs:lock.flock][needs:lock.ofd][needs:lock.none]") {
  TempDir dir;
  ::setenv("ATOMICIO_LOCK_BACKEND", "none", 1);
  CHECK(FileLock(dir / "env.json").backend() == "none");
  atomicio::set_default_lock_backend("flock");
  CHECK(atomicio::default_lock_backend() == "flock");
  CHECK(FileLock(dir / "default.json").backend() == "flock");
  CHECK(FileLock(dir / "named.json", LockMode::exclusive, Timeout::infinite(), {"ofd", nullptr}).backend() == "ofd");
  atomicio::set_default_lock_backend("");
  ::unsetenv("ATOMICIO_LOCK_BACKEND");
  // The default everywhere.
  CHECK(FileLock(dir / "automatic.json").backend() == "ofd");
}

TEST_CASE("list_lock_backends names every installed backend and its plugin", "[lock][needs:lock.fcntl][needs:lock.flock][needs:lock.interprocess][needs:lock.lockfile][needs:lock.none][needs:lock.ofd]") {
  std::vector<std::string> listed;
  for (const auto& backend : atomicio::list_lock_backends()) {
    CHECK(backend.provider == "lock." + backend.name);
    CHECK(backend.available);
    listed.push_back(backend.name);
  }
  CHECK(listed == std::vector<std::string>{"fcntl", "flock", "interprocess", "lockfile", "none", "ofd"});
}
