// The guarantee every inter-process backend exists for: processes x threads doing locked
// read-modify-write on one JSON file through the file classes lose no update.
#include "lock_test_support.hpp"

#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using atomicio::FileOptions;
using atomicio::LockMode;
using atomicio::SafeFile;
using atomicio::ThreadedSafeFile;
using atomicio::Value;
using atomicio::test::ChildProcess;
using atomicio::test::kLockBackends;
using atomicio::test::TempDir;

namespace {

constexpr int kProcesses = 3;
constexpr int kThreads = 3;
constexpr int kIncrements = 30;

// Half the threads hold the lock across read and write explicitly, the other half use
// update(), which does the same under one lock. Returns the number of failed threads.
int increment_from_threads(const std::filesystem::path& path, const FileOptions& options) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        ThreadedSafeFile file(path, atomicio::Timeout::infinite(), options);
        for (int i = 0; i < kIncrements; ++i) {
          if (t % 2 == 0) {
            auto guard = file.locked(LockMode::exclusive);
            Value doc = file.read().value_or(Value::object());
            doc["count"] = doc.value("count", 0) + 1;
            file.write(doc);
          } else {
            auto guard = file.locked(LockMode::exclusive);
            Value doc = file.read().value_or(Value::object());
            file.update(Value{{"count", doc.value("count", 0) + 1}});
          }
        }
      } catch (...) {
        ++failures;
      }
    });
  for (auto& thread : threads) thread.join();
  return failures.load();
}

// Runs the increments of kProcesses processes x kThreads threads and returns the final count.
long count_after_increments(const std::string& backend) {
  TempDir dir;
  const auto path = dir / "counter.json";
  FileOptions options;
  options.durability = atomicio::Durability::process_crash_only;  // the race, not the disk, is under test
  options.lock_backend = backend;

  std::vector<ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p)
    children.push_back(ChildProcess::fork([&] { return increment_from_threads(path, options); }));
  for (auto& child : children) {
    auto status = child.wait(std::chrono::seconds(120));
    CHECK(status.exited);
    CHECK(status.code == 0);
  }
  return SafeFile(path, atomicio::Timeout::infinite(), options).read().value()["count"].get<long>();
}

}  // namespace

TEST_CASE("locked increments from processes and threads lose no update on every backend", "[lock][process][concurrency]") {
  const std::string backend = GENERATE(from_range(kLockBackends));
  CAPTURE(backend);
  CHECK(count_after_increments(backend) == kProcesses * kThreads * kIncrements);
}

TEST_CASE("with only in-process locking the same increments lose updates between processes", "[lock][process][concurrency]") {
  // The control: threads of one process still exclude each other under `none`, processes do
  // not, so the test above would notice a backend that fails to exclude processes.
  CHECK(count_after_increments("none") < kProcesses * kThreads * kIncrements);
}
