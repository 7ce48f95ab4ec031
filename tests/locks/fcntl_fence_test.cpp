// The classic POSIX record lock pitfall, shown with bare system calls, and shown fenced by the
// two backends built on those locks (fcntl, and interprocess through Boost's file_lock).
#include "lock_test_support.hpp"

#include <atomicio/file_lock.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <future>

using atomicio::FileLock;
using atomicio::LockMode;
using atomicio::LockOptions;
using atomicio::Timeout;
using atomicio::test::BackendPlugin;
using atomicio::test::probe_sidecar;
using atomicio::test::ProbeResult;
using atomicio::test::TempDir;
using namespace std::chrono_literals;

namespace {

int open_sidecar(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  return fd;
}

bool write_lock(int fd) {
  struct flock range {};
  range.l_type = F_WRLCK;
  range.l_whence = SEEK_SET;
  return ::fcntl(fd, F_SETLK, &range) == 0;
}

}  // namespace

TEST_CASE("closing a second descriptor of a file drops a bare fcntl lock", "[lock][fcntl][process]") {
  // The pitfall itself: record locks belong to the process and the inode, and any close()
  // of that inode in the process releases them.
  TempDir dir;
  const auto sidecar = dir / "a.json.lock";
  int locked = open_sidecar(sidecar);
  REQUIRE(write_lock(locked));
  CHECK(probe_sidecar("fcntl", sidecar) == ProbeResult::held);

  int unrelated = open_sidecar(sidecar);  // say, a library reading the file
  ::close(unrelated);
  CHECK(probe_sidecar("fcntl", sidecar) == ProbeResult::free);  // the lock is gone
  ::close(locked);
}

TEST_CASE("a second handle on the same sidecar closing does not drop the backend's lock", "[lock][fcntl][process]") {
  const std::string backend = GENERATE(as<std::string>{}, "fcntl", "interprocess");
  CAPTURE(backend);
  TempDir dir;
  const auto sidecar = dir / "a.json.lock";
  BackendPlugin plugin(backend);

  void* first = plugin.open(sidecar);
  REQUIRE(plugin.lock(first, ATOMICIO_LOCK_EXCLUSIVE, -1ns) == ATOMICIO_OK);
  CHECK(probe_sidecar(backend, sidecar) == ProbeResult::held);

  // The same sequence as above, through the backend: open a second handle, close it.
  void* second = plugin.open(sidecar);
  // The two handles are one process: the second is kept out while the first holds...
  CHECK(plugin.lock(second, ATOMICIO_LOCK_EXCLUSIVE, 0ns) == ATOMICIO_ERR_BUSY);
  CHECK(plugin.lock(second, ATOMICIO_LOCK_SHARED, 20ms) == ATOMICIO_ERR_BUSY);
  plugin.close(second);
  // ...and closing it left the first one's lock in place.
  CHECK(probe_sidecar(backend, sidecar) == ProbeResult::held);

  REQUIRE(plugin.unlock(first) == ATOMICIO_OK);
  CHECK(probe_sidecar(backend, sidecar) == ProbeResult::free);
  plugin.close(first);
}

TEST_CASE("shared handles of one process join one read lock that lasts until the last leaves", "[lock][fcntl][process]") {
  const std::string backend = GENERATE(as<std::string>{}, "fcntl", "interprocess");
  CAPTURE(backend);
  TempDir dir;
  const auto sidecar = dir / "a.json.lock";
  BackendPlugin plugin(backend);
  void* first = plugin.open(sidecar);
  void* second = plugin.open(sidecar);
  REQUIRE(plugin.lock(first, ATOMICIO_LOCK_SHARED, 0ns) == ATOMICIO_OK);
  REQUIRE(plugin.lock(second, ATOMICIO_LOCK_SHARED, 0ns) == ATOMICIO_OK);
  REQUIRE(plugin.unlock(first) == ATOMICIO_OK);
  plugin.close(first);
  // A writer elsewhere is still kept out by the remaining reader.
  CHECK(probe_sidecar(backend, sidecar) == ProbeResult::held);
  REQUIRE(plugin.unlock(second) == ATOMICIO_OK);
  CHECK(probe_sidecar(backend, sidecar) == ProbeResult::free);
  plugin.close(second);
}

TEST_CASE("a hard-linked alias of a locked sidecar is the same lock, and opening it drops nothing", "[lock][fcntl][process]") {
  // Through the public API: two targets whose sidecars are one inode are two entries of the
  // core's table, hence two backend handles on one inode, the fcntl hazard.
  const std::string backend = GENERATE(as<std::string>{}, "fcntl", "interprocess");
  CAPTURE(backend);
  TempDir dir;
  const LockOptions options{.backend = backend};
  FileLock held(dir / "a.json", LockMode::exclusive, Timeout::infinite(), options);
  std::filesystem::create_hard_link(held.sidecar_path(), dir / "b.json.lock");

  auto alias_taken = std::async(std::launch::async, [&] {
    return FileLock::try_lock(dir / "b.json", LockMode::exclusive, options).has_value();
  }).get();
  CHECK_FALSE(alias_taken);
  // The alias's handle was opened and closed meanwhile; the lock is still there.
  CHECK(probe_sidecar(backend, held.sidecar_path()) == ProbeResult::held);
  held.unlock();
  CHECK(probe_sidecar(backend, dir / "b.json.lock") == ProbeResult::free);
}
