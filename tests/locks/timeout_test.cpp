// A timeout too long for the clock (Timeout(std::chrono::nanoseconds::max())) must wait like an
// infinite one, in the core's table and in every backend's own timed wait, instead of
// overflowing into a deadline in the past and giving up at once.
#include "lock_test_support.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/sdk/deadline.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>

using atomicio::FileLock;
using atomicio::LockMode;
using atomicio::LockOptions;
using atomicio::Timeout;
using atomicio::test::BackendPlugin;
using atomicio::test::kLockBackends;
using atomicio::test::TempDir;
using namespace std::chrono_literals;

namespace {
constexpr auto kLongest = std::chrono::nanoseconds::max();
}  // namespace

TEST_CASE("a deadline too far for the clock saturates instead of overflowing", "[lock][timeout]") {
  CHECK(atomicio::sdk::deadline_after(kLongest) == std::chrono::steady_clock::time_point::max());
  const auto before = std::chrono::steady_clock::now();
  const auto at_once = atomicio::sdk::deadline_after(0ns);
  CHECK(at_once >= before);
  CHECK(at_once <= std::chrono::steady_clock::now());
  CHECK(atomicio::sdk::deadline_after(std::chrono::hours(24 * 365 * 100)) > before + std::chrono::hours(24 * 365 * 99));
}

TEST_CASE("a FileLock with the longest timeout waits for the holder instead of giving up", "[lock][timeout]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  const LockOptions options{.backend = backend};
  FileLock held(dir / "a.json", LockMode::exclusive, Timeout::infinite(), options);
  auto waiter = std::async(std::launch::async, [&] {
    return FileLock(dir / "a.json", LockMode::exclusive, Timeout(kLongest), options).owns_lock();
  });
  // Still waiting (a broken deadline gives up within microseconds) ...
  CHECK(waiter.wait_for(200ms) == std::future_status::timeout);
  held.unlock();
  // ... and granted once the holder lets go.
  CHECK(waiter.get());
}

TEST_CASE("every backend's timed wait with the longest timeout waits for the holder", "[lock][timeout]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  BackendPlugin plugin(backend);
  // Two handles of one sidecar in one process exclude each other in every backend.
  void* holder = plugin.open(dir / "a.json.lock");
  void* waiter_handle = plugin.open(dir / "a.json.lock");
  REQUIRE(plugin.lock(holder, ATOMICIO_LOCK_EXCLUSIVE, 0ns) == ATOMICIO_OK);
  auto waiter = std::async(std::launch::async, [&] { return plugin.lock(waiter_handle, ATOMICIO_LOCK_EXCLUSIVE, kLongest); });
  CHECK(waiter.wait_for(200ms) == std::future_status::timeout);
  CHECK(plugin.unlock(holder) == ATOMICIO_OK);
  CHECK(waiter.get() == ATOMICIO_OK);
  CHECK(plugin.unlock(waiter_handle) == ATOMICIO_OK);
  plugin.close(waiter_handle);
  plugin.close(holder);
}
