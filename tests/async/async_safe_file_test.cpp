// AsyncSafeFile: SafeFile's operations and errors on every token style, a guard holding the lock
// across awaited operations, cancellation at step boundaries, and the counter the issue asks
// for: processes, each with threads (ThreadedSafeFile) and coroutines (AsyncSafeFile under
// locked()), incrementing one JSON file on every lock backend but `none`, while an unlocked
// reader checks that no read ever sees a torn file.
// No co_await inside CHECK/REQUIRE (see async_file_test.cpp).
#include "async/async_test_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_safe_file.hpp>
#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using atomicio::AsyncSafeFile;
using atomicio::LockMode;
using atomicio::Timeout;
using atomicio::Value;
using atomicio::test::TempDir;

namespace {

bool parses(const std::string& text) { return !Value::parse(text, nullptr, false).is_discarded(); }

}  // namespace

TEST_CASE("AsyncSafeFile reads, writes, updates and appends like SafeFile", "[async][safe_file][needs:codec.gzip]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile json(executor, dir / "state.json", 5s, {}, &atomicio::test::engine());
    auto missing = co_await json.async_read(asio::use_awaitable);
    CHECK_FALSE(missing.has_value());
    const Value written = Value::parse(R"({"a": 1, "list": [1]})");
    const Value merged = Value::parse(R"({"b": 2, "list": [2]})");
    co_await json.async_write(written, asio::use_awaitable);
    co_await json.async_update(merged, asio::use_awaitable);
    auto value = co_await json.async_read(asio::use_awaitable);
    REQUIRE(value.has_value());
    CHECK(*value == Value::parse(R"({"a": 1, "list": [1, 2], "b": 2})"));
    CHECK(atomicio::SafeFile(dir / "state.json").read() == value);

    AsyncSafeFile log(executor, dir / "events.log.gz", 5s, {}, &atomicio::test::engine());
    // Strings, not literals, in co_await expressions: g++ 12 rejects an array temporary there.
    const std::string first = "first\n", second = "second\n";
    co_await log.async_write_bytes(first, asio::use_awaitable);
    co_await log.async_append(second, asio::use_awaitable);
    auto bytes = co_await log.async_read_bytes(asio::use_awaitable);
    CHECK(bytes == std::optional<std::string>(first + second));
  });
}

TEST_CASE("AsyncSafeFile errors are SafeFile's, in every token style", "[async][safe_file][needs:format.json]") {
  TempDir dir;
  atomicio::test::spit(dir / "broken.json", "{\"a\": [1, 2,\n  oops]}");
  asio::io_context context;
  AsyncSafeFile broken(context.get_executor(), dir / "broken.json", 5s, {}, &atomicio::test::engine());
  // A callback.
  std::exception_ptr from_callback;
  broken.async_read([&](std::exception_ptr error, std::optional<Value>) { from_callback = error; });
  // use_future.
  auto future = broken.async_read(asio::use_future);
  context.run();
  REQUIRE(from_callback);
  try {
    std::rethrow_exception(from_callback);
  } catch (const atomicio::FileReadError& error) {
    CHECK(error.path() == dir / "broken.json");
    CHECK(error.line() == 2);
  }
  CHECK_THROWS_AS(future.get(), atomicio::FileReadError);
  // A coroutine: the awaited read throws it.
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, dir / "broken.json", 5s, {}, &atomicio::test::engine());
    bool thrown = false;
    try {
      (void)co_await file.async_read(asio::use_awaitable);
    } catch (const atomicio::FileReadError&) {
      thrown = true;
    }
    CHECK(thrown);
  });
}

TEST_CASE("a guard holds the lock across awaited operations; tasks and threads wait", "[async][safe_file]") {
  TempDir dir;
  const auto path = dir / "counter.json";
  constexpr int kCoroutines = 8, kRounds = 10, kThreadRounds = 20;
  asio::io_context context;
  AsyncSafeFile file(context.get_executor(), path, Timeout::infinite(), {}, &atomicio::test::engine());
  int failures = 0;
  for (int c = 0; c < kCoroutines; ++c)
    asio::co_spawn(context, [&]() -> asio::awaitable<void> {
      for (int round = 0; round < kRounds; ++round) {
        auto guard = co_await file.async_locked(LockMode::exclusive, asio::use_awaitable);
        auto value = (co_await guard.async_read(asio::use_awaitable)).value_or(Value::object());
        co_await atomicio::test::sleep_for(1ms);  // others run meanwhile and must wait
        value["count"] = value.value("count", 0) + 1;
        co_await guard.async_write(value, asio::use_awaitable);
      }
    }, [&](std::exception_ptr error) { failures += error ? 1 : 0; });
  std::thread thread([&] {
    atomicio::ThreadedSafeFile sync(path);
    for (int round = 0; round < kThreadRounds; ++round) {
      auto guard = sync.locked();
      auto value = sync.read().value_or(Value::object());
      value["count"] = value.value("count", 0) + 1;
      sync.write(value);
    }
  });
  context.run();
  thread.join();
  CHECK(failures == 0);
  CHECK(atomicio::SafeFile(path).read().value()["count"] == kCoroutines * kRounds + kThreadRounds);
}

TEST_CASE("a write cancelled while it waits for the lock leaves the old content and no temp", "[async][safe_file][needs:lock.ofd]") {
  TempDir dir;
  const auto path = dir / "data.json";
  atomicio::SafeFile(path).write(Value{{"version", 1}});
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, path, Timeout::infinite(), {}, &atomicio::test::engine());
    auto holder = co_await file.async_locked(LockMode::shared, asio::use_awaitable);
    asio::cancellation_signal signal;
    std::exception_ptr error;
    bool done = false;
    const Value second_version = Value::parse(R"({"version": 2})");
    file.async_write(second_version, asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                       error = e;
                       done = true;
                     }));
    co_await atomicio::test::sleep_for(20ms);
    CHECK_FALSE(done);
    signal.emit(asio::cancellation_type::terminal);
    co_await atomicio::test::sleep_for(20ms);
    REQUIRE(done);
    CHECK(atomicio::test::is_operation_aborted(error));
    holder.unlock();
    auto value = co_await file.async_read(asio::use_awaitable);
    CHECK(value == std::optional<Value>(Value::parse(R"({"version": 1})")));
  });
  CHECK(dir.entries() == std::vector<std::string>{"data.json", "data.json.lock"});
}

TEST_CASE("a lock timeout is LockTimeoutError; an immediate one AlreadyLockedError", "[async][safe_file]") {
  TempDir dir;
  const auto path = dir / "data.json";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile holder_file(executor, path, Timeout::infinite(), {}, &atomicio::test::engine());
    auto holder = co_await holder_file.async_locked(LockMode::exclusive, asio::use_awaitable);
    AsyncSafeFile patient(executor, path, 30ms, {}, &atomicio::test::engine());
    auto [timeout_error] = co_await patient.async_write(Value(1), asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(timeout_error), atomicio::LockTimeoutError);
    AsyncSafeFile impatient(executor, path, Timeout::immediate(), {}, &atomicio::test::engine());
    auto [busy_error, none] = co_await impatient.async_read(asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(busy_error), atomicio::AlreadyLockedError);
    CHECK_FALSE(none.has_value());
  });
}

TEST_CASE("processes of threads and coroutines increment one JSON file on every lock backend", "[async][safe_file][process][needs:lock.fcntl][needs:lock.flock][needs:lock.interprocess][needs:lock.lockfile][needs:lock.ofd]") {
  const std::string backend = GENERATE("ofd", "flock", "fcntl", "interprocess", "lockfile");
  INFO("backend " << backend);
  TempDir dir;
  const auto path = dir / "counter.json";
  constexpr int kProcesses = 4, kThreads = 2, kCoroutines = 8, kRounds = 4;
  atomicio::FileOptions options;
  options.lock_backend = backend;
  options.durability = atomicio::Durability::process_crash_only;  // the race, not the disk, is under test
  auto body = [&] {
    // A child of fork() makes its own engine: the parent's pool threads do not exist here.
    atomicio::IoEngine engine(atomicio::IoEngineOptions{.backend = atomicio::IoBackend::thread_pool});
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        try {
          atomicio::ThreadedSafeFile file(path, Timeout(120s), options);
          for (int round = 0; round < kRounds; ++round) {
            auto guard = file.locked();
            auto value = file.read().value_or(Value::object());
            value["count"] = value.value("count", 0) + 1;
            file.write(value);
          }
        } catch (...) {
          ++failures;
        }
      });
    asio::io_context context;
    AsyncSafeFile file(context.get_executor(), path, Timeout(120s), options, &engine);
    for (int c = 0; c < kCoroutines; ++c)
      asio::co_spawn(context, [&]() -> asio::awaitable<void> {
        for (int round = 0; round < kRounds; ++round) {
          auto guard = co_await file.async_locked(LockMode::exclusive, asio::use_awaitable);
          auto value = (co_await guard.async_read(asio::use_awaitable)).value_or(Value::object());
          value["count"] = value.value("count", 0) + 1;
          co_await guard.async_write(value, asio::use_awaitable);
        }
      }, [&](std::exception_ptr error) { failures += error ? 1 : 0; });
    context.run();
    for (auto& thread : threads) thread.join();
    return failures.load();
  };
  std::vector<atomicio::test::ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p) children.push_back(atomicio::test::ChildProcess::fork(body));
  // Started after the forks: a child forked from a process with threads may not start threads
  // of its own under ThreadSanitizer ("multi-threaded fork is not supported").
  std::atomic<bool> stop{false};
  std::atomic<long> torn{0}, reads{0};
  std::thread reader([&] {
    while (!stop) {
      std::string text;
      try {
        text = atomicio::test::slurp(path);
      } catch (...) {
        continue;  // not created yet
      }
      ++reads;
      if (!parses(text)) ++torn;
    }
  });
  for (auto& child : children) CHECK(child.wait(std::chrono::seconds(240)).code == 0);
  stop = true;
  reader.join();
  // Read through the same backend: a sidecar made by one family refuses the others.
  CHECK(atomicio::SafeFile(path, Timeout::infinite(), options).read().value()["count"] ==
        kProcesses * (kThreads + kCoroutines) * kRounds);
  CHECK(torn == 0);
  CHECK(reads > 0);
}

TEST_CASE("an async writer killed mid-commit leaves the old or the new content, whole", "[async][safe_file][process][needs:lock.ofd]") {
  TempDir dir;
  const auto path = dir / "big.json";
  // Two versions large enough that a commit takes a while (each about 4 MB).
  auto version = [](int which) {
    Value value = Value::object();
    value["version"] = which;
    value["payload"] = std::string(std::size_t{4} << 20, static_cast<char>('a' + which));
    return value;
  };
  atomicio::SafeFile(path).write(version(0));
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto child = atomicio::test::ChildProcess::fork([&] {
      atomicio::IoEngine engine(atomicio::IoEngineOptions{.backend = atomicio::IoBackend::thread_pool});
      asio::io_context context;
      AsyncSafeFile file(context.get_executor(), path, Timeout::infinite(), {}, &engine);
      asio::co_spawn(context, [&]() -> asio::awaitable<void> {
        for (int round = 1;; ++round) co_await file.async_write(version(round % 2 + 1), asio::use_awaitable);
      }, asio::detached);
      context.run();
      return 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 37 * attempt));
    child.kill(SIGKILL);
    child.wait();
    auto value = atomicio::SafeFile(path).read();
    REQUIRE(value.has_value());
    const int which = (*value)["version"].get<int>();
    CHECK((*value)["payload"].get<std::string>() == std::string(std::size_t{4} << 20, static_cast<char>('a' + which)));
  }
  // The next commit sweeps what a killed writer may have left (see ARCHITECTURE: temps).
  atomicio::SafeFile(path).write(version(0));
  CHECK(dir.entries() == std::vector<std::string>{"big.json", "big.json.lock"});
}

TEST_CASE("a read cancelled while it waits for the lock completes with operation_aborted", "[async][safe_file]") {
  TempDir dir;
  const auto path = dir / "data.json";
  atomicio::SafeFile(path).write(Value(1));
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, path, Timeout::infinite(), {}, &atomicio::test::engine());
    auto writer = co_await file.async_locked(LockMode::exclusive, asio::use_awaitable);
    asio::cancellation_signal signal;
    std::exception_ptr error;
    bool done = false;
    file.async_read(asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, std::optional<Value>) {
      error = e;
      done = true;
    }));
    co_await atomicio::test::sleep_for(20ms);
    CHECK_FALSE(done);
    signal.emit(asio::cancellation_type::terminal);
    co_await atomicio::test::sleep_for(20ms);
    REQUIRE(done);
    CHECK(atomicio::test::is_operation_aborted(error));
    CHECK(writer.owns_lock());
  });
}

TEST_CASE("a write cancelled after its commit started runs to its end", "[async][safe_file][needs:lock.ofd]") {
  // A format whose dumper says when the commit is under way and then waits for the test: the
  // cancellation lands in the middle of the commit, which must neither stop half way nor hide
  // that it happened.
  TempDir dir;
  const auto path = dir / "data.midcommit";
  std::promise<void> started_promise, go_promise;
  auto started = started_promise.get_future().share();
  auto go = go_promise.get_future().share();
  atomicio::register_format(
      ".midcommit", [](std::istream& in) { return Value::parse(in); },
      [started_promise = std::make_shared<std::promise<void>>(std::move(started_promise)), go](const Value& value,
                                                                                             std::ostream& out) {
        started_promise->set_value();
        go.wait();
        out << value.dump();
      });
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, path, Timeout::infinite(), {}, &atomicio::test::engine());
    asio::cancellation_signal signal;
    std::exception_ptr error = std::make_exception_ptr(std::runtime_error("not completed"));
    bool done = false;
    file.async_write(Value(2), asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                       error = e;
                       done = true;
                     }));
    while (started.wait_for(0s) != std::future_status::ready) co_await atomicio::test::sleep_for(1ms);
    signal.emit(asio::cancellation_type::terminal);
    go_promise.set_value();
    while (!done) co_await atomicio::test::sleep_for(1ms);
    CHECK_FALSE(error);
    auto value = co_await file.async_read(asio::use_awaitable);
    CHECK(value == std::optional<Value>(Value(2)));
  });
  atomicio::unregister_format(".midcommit");
  CHECK(dir.entries() == std::vector<std::string>{"data.midcommit", "data.midcommit.lock"});
}

TEST_CASE("a streaming writer holds the lock until its commit; a streaming read gets the pieces", "[async][safe_file][needs:codec.gzip]") {
  TempDir dir;
  const auto path = dir / "big.txt.gz";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, path, Timeout::infinite(), {}, &atomicio::test::engine());
    auto writer = co_await file.async_open_writer(atomicio::WriteMode::replace, asio::use_awaitable);
    std::string expected;
    for (int i = 0; i < 200; ++i) {
      std::string line = "line " + std::to_string(i) + " " + std::string(1000, static_cast<char>('a' + i % 26)) + "\n";
      expected += line;
      co_await writer.async_write(line, asio::use_awaitable);
    }
    // Until the commit the file does not exist, and another writer cannot get in.
    CHECK_FALSE(std::filesystem::exists(path));
    AsyncSafeFile impatient(executor, path, Timeout::immediate(), {}, &atomicio::test::engine());
    auto [busy] = co_await impatient.async_write_bytes(std::string("x"), asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(busy), atomicio::AlreadyLockedError);
    co_await writer.async_commit(asio::use_awaitable);

    std::string streamed;
    std::size_t pieces = 0, largest = 0;
    bool exists = co_await file.async_read_stream(
        [&](std::string_view piece) {
          streamed.append(piece);
          ++pieces;
          largest = std::max(largest, piece.size());
        },
        asio::use_awaitable);
    CHECK(exists);
    CHECK(streamed == expected);
    CHECK(pieces > 1);
    CHECK(largest <= 64 * 1024);
    // The lock is free again: an immediate write gets in.
    co_await impatient.async_write_bytes(expected, asio::use_awaitable);
  });
}

TEST_CASE("an aborted streaming writer leaves the old content, no temp, and the lock free", "[async][safe_file][needs:lock.ofd]") {
  TempDir dir;
  const auto path = dir / "data.txt";
  atomicio::test::spit(path, "old");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, path, Timeout::infinite(), {}, &atomicio::test::engine());
    {
      auto writer = co_await file.async_open_writer(atomicio::WriteMode::replace, asio::use_awaitable);
      co_await writer.async_write(std::string("new content"), asio::use_awaitable);
    }  // destroyed uncommitted: rolled back on the pool
    AsyncSafeFile patient(executor, path, 5s, {}, &atomicio::test::engine());
    auto bytes = co_await patient.async_read_bytes(asio::use_awaitable);
    CHECK(bytes == std::optional<std::string>(std::string("old")));
  });
  CHECK(dir.entries() == std::vector<std::string>{"data.txt", "data.txt.lock"});
}

TEST_CASE("AsyncSafeFile operations work with deferred", "[async][safe_file]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, dir / "x.json", 5s, {}, &atomicio::test::engine());
    auto write = file.async_write(Value(42), asio::deferred);
    CHECK_FALSE(std::filesystem::exists(dir / "x.json"));  // nothing runs until awaited
    co_await std::move(write)(asio::use_awaitable);
    auto read = file.async_read(asio::deferred);
    auto value = co_await std::move(read)(asio::use_awaitable);
    CHECK(value == std::optional<Value>(Value(42)));
  });
}

TEST_CASE("a guard that holds nothing refuses operations instead of locking anew", "[async][safe_file]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncSafeFile file(executor, dir / "x.json", 5s, {}, &atomicio::test::engine());
    auto guard = co_await file.async_locked(LockMode::exclusive, asio::use_awaitable);
    guard.unlock();
    CHECK_FALSE(guard.owns_lock());
    auto [after_unlock, none] = co_await guard.async_read(asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(after_unlock), std::logic_error);
    atomicio::AsyncSafeFileGuard empty;
    auto [from_empty] = co_await empty.async_write(Value(1), asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(from_empty), std::logic_error);
    CHECK_FALSE(std::filesystem::exists(dir / "x.json"));
  });
}
