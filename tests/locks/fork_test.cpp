// fork() without exec: worker processes forked from a parent that has the file open (a prefork
// server, a process pool) must get locks of their own, on every backend. Without that, ofd and
// flock children share the parent's sidecar description and with it one lock, so they do not
// exclude each other, and a child inheriting its parent's hold on an entry re-enters it instead
// of locking at all.
#include "lock_test_support.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

using atomicio::FileLock;
using atomicio::FileOptions;
using atomicio::LockMode;
using atomicio::LockOptions;
using atomicio::ThreadedSafeFile;
using atomicio::Timeout;
using atomicio::Value;
using atomicio::test::ChildProcess;
using atomicio::test::kLockBackends;
using atomicio::test::TempDir;

namespace {

constexpr int kWorkers = 4;
constexpr int kIncrements = 25;

void increment(ThreadedSafeFile& file) {
  auto guard = file.locked(LockMode::exclusive);
  Value doc = file.read().value_or(Value::object());
  file.write(Value{{"count", doc.value("count", 0) + 1}});
}

// A worker using the file object it inherited from its parent.
int work_with_inherited(ThreadedSafeFile& file) {
  for (int i = 0; i < kIncrements; ++i) increment(file);
  return 0;
}

// A worker making its own file object, used from two threads.
int work_with_own(const std::filesystem::path& path, const FileOptions& options) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      try {
        ThreadedSafeFile file(path, Timeout::infinite(), options);
        for (int i = 0; i < kIncrements / 2 + (t == 0 ? kIncrements % 2 : 0); ++i) increment(file);
      } catch (...) {
        ++failures;
      }
    });
  for (auto& thread : threads) thread.join();
  return failures.load();
}

// The parent opens the file (so its lock entry has the sidecar open), optionally holds the
// lock while it forks, and lets the workers increment. Returns the final count.
long count_from_forked_workers(const std::string& backend, bool parent_holds_lock_at_fork) {
  TempDir dir;
  const auto path = dir / "counter.json";
  FileOptions options;
  options.durability = atomicio::Durability::process_crash_only;  // the race, not the disk, is under test
  options.lock_backend = backend;
  ThreadedSafeFile parent_file(path, Timeout::infinite(), options);
  parent_file.write(Value{{"count", 0}});

  std::vector<ChildProcess> workers;
  {
    std::optional<FileLock> held;
    if (parent_holds_lock_at_fork) held = parent_file.locked(LockMode::exclusive);
    for (int w = 0; w < kWorkers; ++w)
      workers.push_back(ChildProcess::fork([&, w] {
        return w % 2 == 0 ? work_with_inherited(parent_file) : work_with_own(path, options);
      }));
  }
  for (auto& worker : workers) {
    auto status = worker.wait(std::chrono::seconds(60));
    CHECK(status.exited);
    CHECK(status.code == 0);
  }
  return parent_file.read().value()["count"].get<long>();
}

}  // namespace

TEST_CASE("workers forked from a parent that has the file open lose no update, on every backend",
          "[lock][process][fork][concurrency]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  const bool parent_holds = GENERATE(false, true);
  CAPTURE(backend, parent_holds);
  CHECK(count_from_forked_workers(backend, parent_holds) == kWorkers * kIncrements);
}

TEST_CASE("a forked child waits for the lock its parent holds instead of sharing it", "[lock][process][fork]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  TempDir dir;
  const auto target = dir / "a.json";
  const LockOptions options{.backend = backend};
  FileLock held(target, LockMode::exclusive, Timeout::infinite(), options);
  auto child = ChildProcess::fork([&] {
    // The parent's hold is not the child's: it must not say it owns a lock that excludes nothing here.
    if (held.owns_lock()) return 2;
    // The same thread, the same file: in the parent this would re-enter the held lock.
    return FileLock::try_lock(target, LockMode::exclusive, options) ? 1 : 0;
  });
  CHECK(child.wait().code == 0);
  CHECK(held.owns_lock());
  held.unlock();
  auto after = ChildProcess::fork([&] { return FileLock::try_lock(target, LockMode::exclusive, options) ? 0 : 1; });
  CHECK(after.wait().code == 0);
}
