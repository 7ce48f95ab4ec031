// The guarantees the library exists for, proven under load: several processes and threads
// doing locked read-modify-write lose no update, unlocked readers never see a torn file, and a
// writer killed mid-commit never leaves a torn target.
#include <atomicio/atomic_writer.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <regex>
#include <thread>
#include <vector>

using atomicio::SafeFile;
using atomicio::ThreadedSafeFile;
using atomicio::Value;
using atomicio::test::ChildProcess;
using atomicio::test::slurp;
using atomicio::test::TempDir;

namespace {

constexpr int kProcesses = 4;
constexpr int kThreads = 4;
constexpr int kIncrements = 25;

// Each thread increments the shared counter kIncrements times, each time under the file's
// exclusive lock across read and write. Returns 0 when every operation succeeded.
int increment_from_threads(const std::filesystem::path& path, atomicio::FileOptions options) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      try {
        ThreadedSafeFile file(path, atomicio::Timeout::infinite(), options);
        for (int i = 0; i < kIncrements; ++i) {
          auto guard = file.locked();
          Value doc = file.read().value_or(Value::object());
          doc["count"] = doc.value("count", 0) + 1;
          file.write(doc);
        }
      } catch (...) {
        ++failures;
      }
    });
  for (auto& thread : threads) thread.join();
  return failures.load();
}

bool parses(const std::string& text) { return !Value::parse(text, nullptr, false).is_discarded(); }

}  // namespace

TEST_CASE("processes and threads doing locked increments lose no update", "[concurrency][process][slow][needs:lock.ofd]") {
  TempDir dir;
  auto path = dir / "counter.json";
  atomicio::FileOptions options;
  options.durability = atomicio::Durability::process_crash_only;  // the race, not the disk, is under test
  std::atomic<bool> stop{false};
  std::atomic<long> torn{0};
  std::atomic<long> reads{0};
  std::thread reader([&] {
    while (!stop) {
      std::string text;
      try {
        text = slurp(path);
      } catch (...) {
        continue;  // not created yet
      }
      ++reads;
      if (!parses(text)) ++torn;
    }
  });
  std::vector<ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p)
    children.push_back(ChildProcess::fork([&] { return increment_from_threads(path, options); }));
  for (auto& child : children) {
    auto status = child.wait(std::chrono::seconds(240));
    CHECK(status.exited);
    CHECK(status.code == 0);
  }
  stop = true;
  reader.join();
  CHECK(SafeFile(path).read().value()["count"] == kProcesses * kThreads * kIncrements);
  CHECK(torn == 0);
  CHECK(reads > 0);
}

TEST_CASE("without the lock, the same increments do lose updates", "[concurrency][process][slow]") {
  // The control experiment: it shows the test above could fail. Unlocked read-modify-write
  // races; with processes x threads hammering, some increments are overwritten.
  TempDir dir;
  auto path = dir / "counter.json";
  atomicio::FileOptions options;
  options.durability = atomicio::Durability::process_crash_only;
  std::vector<ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p)
    children.push_back(ChildProcess::fork([&] {
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
          SafeFile file(path, atomicio::Timeout::infinite(), options);
          for (int i = 0; i < kIncrements; ++i) {
            Value doc = file.read().value_or(Value::object());  // lock released between read...
            doc["count"] = doc.value("count", 0) + 1;
            file.write(doc);  // ...and write
          }
        });
      for (auto& thread : threads) thread.join();
      return 0;
    }));
  for (auto& child : children) child.wait(std::chrono::seconds(240));
  CHECK(SafeFile(path).read().value()["count"] < kProcesses * kThreads * kIncrements);
}

TEST_CASE("a writer killed during commits never leaves a torn target", "[concurrency][process][crash]") {
  TempDir dir;
  auto path = dir / "state.json";
  std::mt19937 random(12345);
  for (int round = 0; round < 12; ++round) {
    const bool durable = round % 2 == 0;
    auto child = ChildProcess::fork([&] {
      atomicio::FileOptions options;
      options.durability = durable ? atomicio::Durability::full : atomicio::Durability::process_crash_only;
      SafeFile file(path, atomicio::Timeout::infinite(), options);
      for (long seq = 1;; ++seq) {
        // Documents of varying size (up to ~1 MB) whose parts must agree with each other.
        std::string payload(static_cast<std::size_t>((seq * 7919) % 1000000), static_cast<char>('a' + seq % 26));
        file.write(Value{{"seq", seq}, {"payload", payload}, {"check", seq}});
      }
      return 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 60));
    child.kill(SIGKILL);
    auto status = child.wait();
    CHECK(status.signal == SIGKILL);
    if (!std::filesystem::exists(path)) continue;  // killed before the first commit
    Value doc = Value::parse(slurp(path));  // throws (fails the test) if torn
    long seq = doc["seq"];
    CHECK(doc["check"] == seq);
    CHECK(doc["payload"].get<std::string>() ==
          std::string(static_cast<std::size_t>((seq * 7919) % 1000000), static_cast<char>('a' + seq % 26)));
    // Nothing but the target, its lock sidecar, and at most a named temp of the dead writer
    // (killed between link and rename), which the next commit's sweep collects.
    std::regex dead_temp("\\.state\\.json\\.atomicio-[0-9a-f]{24}-[0-9a-f]{16}\\.tmp");
    for (const auto& name : dir.entries())
      CHECK((name == "state.json" || name == "state.json.lock" || std::regex_match(name, dead_temp)));
  }
}
