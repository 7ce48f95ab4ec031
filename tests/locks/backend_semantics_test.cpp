// Every inter-process lock backend under the same contract: processes exclude each other,
// shared holders run together (except where a backend documents otherwise), timeouts expire,
// a SIGKILLed holder does not keep the lock, and a child's copy of a lock after fork() does not
// release the parent's.
#include "lock_test_support.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

using atomicio::FileLock;
using atomicio::LockMode;
using atomicio::LockOptions;
using atomicio::LockTimeoutError;
using atomicio::Timeout;
using atomicio::test::ChildProcess;
using atomicio::test::kLockBackends;
using atomicio::test::Pipe;
using atomicio::test::probe_sidecar;
using atomicio::test::ProbeResult;
using atomicio::test::TempDir;
using namespace std::chrono_literals;

namespace {

// A child that takes `target`'s lock in `mode`, says so, and holds it until killed.
ChildProcess hold_in_child(const std::filesystem::path& target, LockMode mode, const std::string& backend, Pipe& locked) {
  auto child = ChildProcess::fork([&] {
    FileLock held(target, mode, Timeout::infinite(), LockOptions{.backend = backend});
    locked.send();
    for (;;) ::pause();
    return 0;
  });
  REQUIRE(locked.receive() == 'x');
  return child;
}

// Each of `rounds` critical sections claims a marker file with O_EXCL and gives it back; a
// claim that finds the marker present means two processes were inside at once. Returns the
// number of such overlaps (capped so it fits an exit status).
int count_overlaps(const std::filesystem::path& target, const std::string& backend, int rounds) {
  const std::string marker = target.string() + ".inside";
  int overlaps = 0;
  for (int i = 0; i < rounds; ++i) {
    FileLock held(target, LockMode::exclusive, Timeout::infinite(), LockOptions{.backend = backend});
    int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) ++overlaps;
    else ::close(fd);
    std::this_thread::sleep_for(200us);  // long enough for a second process to walk in
    ::unlink(marker.c_str());
  }
  return std::min(overlaps, 100);
}

int overlaps_between_processes(const std::filesystem::path& target, const std::string& backend) {
  std::vector<ChildProcess> children;
  for (int p = 0; p < 3; ++p)
    children.push_back(ChildProcess::fork([&] { return count_overlaps(target, backend, 150); }));
  int overlaps = 0;
  for (auto& child : children) {
    auto status = child.wait(std::chrono::seconds(60));
    REQUIRE(status.exited);
    overlaps += status.code;
  }
  return overlaps;
}

}  // namespace

TEST_CASE("a child's exclusive lock keeps the parent out, and its SIGKILL lets the parent in", "[lock][process]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  const auto target = dir / "a.json";
  const LockOptions options{.backend = backend};
  Pipe locked;
  auto child = hold_in_child(target, LockMode::exclusive, backend, locked);

  CHECK_FALSE(FileLock::try_lock(target, LockMode::exclusive, options).has_value());
  CHECK_FALSE(FileLock::try_lock(target, LockMode::shared, options).has_value());
  CHECK(probe_sidecar(backend, FileLock::sidecar_for(target)) == ProbeResult::held);

  child.kill(SIGKILL);
  child.wait();
  // Advisory locks: the kernel released them when the process died. lockfile: the record
  // names a pid that no longer exists, so the lock is broken at once, without waiting for age.
  auto mine = FileLock::try_lock(target, LockMode::exclusive, options);
  REQUIRE(mine.has_value());
  CHECK(mine->backend() == backend);
}

TEST_CASE("processes holding the exclusive lock never overlap", "[lock][process]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  CHECK(overlaps_between_processes(dir / "a.json", backend) == 0);
}

TEST_CASE("without an inter-process lock the same critical sections do overlap", "[lock][process]") {
  // The control: the overlap detector above can fail.
  TempDir dir;
  CHECK(overlaps_between_processes(dir / "a.json", "none") > 0);
}

TEST_CASE("shared holders in two processes run together and keep writers out", "[lock][process]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  const auto target = dir / "a.json";
  const LockOptions options{.backend = backend};
  Pipe locked;
  auto child = hold_in_child(target, LockMode::shared, backend, locked);

  CHECK_FALSE(FileLock::try_lock(target, LockMode::exclusive, options).has_value());
  auto reader = FileLock::try_lock(target, LockMode::shared, options);
  if (backend == "lockfile") {
    // Documented: a lock file has one owner, so shared requests are taken exclusively.
    CHECK_FALSE(reader.has_value());
  } else {
    CHECK(reader.has_value());
    // Both readers hold at once, and a writer elsewhere is kept out.
    CHECK(probe_sidecar(backend, FileLock::sidecar_for(target)) == ProbeResult::held);
  }
}

TEST_CASE("a bounded wait for a held lock ends in LockTimeoutError no earlier than the timeout", "[lock][process]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  const auto target = dir / "a.json";
  Pipe locked;
  auto child = hold_in_child(target, LockMode::exclusive, backend, locked);

  const auto limit = 300ms;
  const auto start = std::chrono::steady_clock::now();
  try {
    FileLock waiting(target, LockMode::exclusive, limit, LockOptions{.backend = backend});
    FAIL("the lock held by the child was granted");
  } catch (const LockTimeoutError& error) {
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(error.timeout() == limit);
    CHECK(error.path() == target);
    CHECK(waited >= limit);
    CHECK(waited < limit + 2s);  // generous: a loaded machine, not the backend, sets the slack
  }
}

TEST_CASE("a forked child releasing its copy of a held lock leaves the parent's lock in place", "[lock][process][fork]") {
  const std::string backend = GENERATE(as<std::string>{}, "ofd", "flock", "fcntl", "interprocess", "lockfile");
  CAPTURE(backend);
  TempDir dir;
  const auto target = dir / "a.json";
  FileLock held(target, LockMode::exclusive, Timeout::infinite(), LockOptions{.backend = backend});
  auto child = ChildProcess::fork([&] {
    held.unlock();  // the child's copy, as a destructor running in the child would
    return held.owns_lock() ? 1 : 0;
  });
  REQUIRE(child.wait().code == 0);
  CHECK(held.owns_lock());
  CHECK(probe_sidecar(backend, held.sidecar_path()) == ProbeResult::held);
  held.unlock();
  CHECK(probe_sidecar(backend, FileLock::sidecar_for(target)) == ProbeResult::free);
}

// A sidecar this process may not write (someone else's, mode 0444) is opened read-only: shared
// locks work for every descriptor backend; an exclusive one works where the call needs no write
// access (flock) and is a LockFailedError naming the cause elsewhere. Root writes anything, so a
// root test runs the locking in a child that has become nobody.
TEST_CASE("a read-only sidecar still takes shared locks", "[lock][process][permissions]") {
  struct Expectation {
    std::string backend;
    bool exclusive_works;
  };
  for (const Expectation& expected : {Expectation{"ofd", false}, Expectation{"flock", true}, Expectation{"fcntl", false}}) {
    DYNAMIC_SECTION(expected.backend) {
      TempDir dir;
      REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
      const auto target = dir.path() / "data.json";
      const auto sidecar = dir.path() / "data.json.lock";
      int fd = ::open(sidecar.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
      REQUIRE(fd >= 0);
      ::close(fd);
      // Exit status: 1 if the shared lock was taken, plus 2 if the exclusive one was, plus 4 if
      // the exclusive one failed as a LockFailedError; 64 for anything unexpected.
      auto child = ChildProcess::fork([&] {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 64;
        const LockOptions options{.backend = expected.backend};
        int outcome = 0;
        try {
          FileLock shared(target, LockMode::shared, Timeout::immediate(), options);
          outcome |= 1;
        } catch (...) {
          return 64;
        }
        try {
          FileLock exclusive(target, LockMode::exclusive, Timeout::immediate(), options);
          outcome |= 2;
        } catch (const atomicio::LockFailedError& error) {
          if (std::string(error.what()).find(sidecar.string()) != std::string::npos) outcome |= 4;
        } catch (...) {
          return 64;
        }
        return outcome;
      });
      const auto status = child.wait();
      CHECK(status.exited);
      CHECK(status.code == (expected.exclusive_works ? 1 | 2 : 1 | 4));
    }
  }
}
