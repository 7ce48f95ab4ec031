// async_lock_file: one lock table for threads and tasks. Tasks on one thread exclude each other
// (the owner is the task), tasks and threads exclude each other, timeouts and cancellation are
// decided inside the operation (the grant/deadline race leaves the lock free or held by the one
// waiter that got it), and other processes are waited for without parking a thread.
// No co_await inside CHECK/REQUIRE (see async_file_test.cpp).
#include "async/async_test_support.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file_lock.hpp>
#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using atomicio::AsyncLockGuard;
using atomicio::LockMode;
using atomicio::Timeout;
using atomicio::test::TempDir;

namespace {

atomicio::AsyncLockOptions lock_options() {
  atomicio::AsyncLockOptions options;
  options.engine = &atomicio::test::engine();
  return options;
}

// True when a thread of this process can take the exclusive lock at once (and gives it back).
bool free_for_a_thread(const std::filesystem::path& path) {
  return std::async(std::launch::async, [&] { return atomicio::FileLock::try_lock(path).has_value(); }).get();
}

}  // namespace

TEST_CASE("two coroutines on one thread exclude each other", "[async][lock]") {
  TempDir dir;
  const auto path = dir / "shared.json";
  asio::io_context context;
  int inside = 0, most_inside = 0, entered = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    for (int round = 0; round < 5; ++round) {
      AsyncLockGuard guard = co_await atomicio::async_lock_file(context.get_executor(), path, LockMode::exclusive,
                                                                Timeout::infinite(), lock_options(), asio::use_awaitable);
      most_inside = std::max(most_inside, ++inside);
      ++entered;
      co_await atomicio::test::sleep_for(2ms);  // the other coroutine runs meanwhile and must wait
      --inside;
    }
  };
  std::exception_ptr failure;
  auto keep_first = [&](std::exception_ptr error) {
    if (error && !failure) failure = error;
  };
  asio::co_spawn(context, worker(), keep_first);
  asio::co_spawn(context, worker(), keep_first);
  context.run_for(30s);
  if (failure) std::rethrow_exception(failure);
  CHECK(entered == 10);
  CHECK(most_inside == 1);
  CHECK(free_for_a_thread(path));
}

TEST_CASE("shared holders overlap; an exclusive request waits for them", "[async][lock]") {
  TempDir dir;
  const auto path = dir / "shared.json";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto first = co_await atomicio::async_lock_file(executor, path, LockMode::shared, Timeout::infinite(), lock_options(),
                                                    asio::use_awaitable);
    auto second = co_await atomicio::async_lock_file(executor, path, LockMode::shared, Timeout::immediate(),
                                                     lock_options(), asio::use_awaitable);
    CHECK(first.owns_lock());
    CHECK(second.owns_lock());
    auto [error, none] = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, 30ms, lock_options(),
                                                            asio::as_tuple(asio::use_awaitable));
    REQUIRE(error);
    CHECK_THROWS_AS(std::rethrow_exception(error), atomicio::LockTimeoutError);
    CHECK_FALSE(none.owns_lock());
    first.unlock();
    second.unlock();
    auto exclusive = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, Timeout::immediate(),
                                                        lock_options(), asio::use_awaitable);
    CHECK(exclusive.owns_lock());
    CHECK(exclusive.mode() == LockMode::exclusive);
  });
}

TEST_CASE("a coroutine and a thread exclude each other, both ways", "[async][lock]") {
  TempDir dir;
  const auto path = dir / "data.json";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    // A task holds: a thread's immediate attempt fails, its waiting attempt gets in after the release.
    auto guard = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, Timeout::infinite(),
                                                    lock_options(), asio::use_awaitable);
    CHECK_FALSE(free_for_a_thread(path));
    std::atomic<bool> released{false}, thread_entered_early{false};
    auto thread = std::async(std::launch::async, [&] {
      atomicio::FileLock lock(path, LockMode::exclusive, Timeout(10s));
      thread_entered_early = !released.load();
      std::this_thread::sleep_for(50ms);  // now the thread holds while the task asks
    });
    co_await atomicio::test::sleep_for(20ms);
    released = true;
    guard.unlock();
    co_await atomicio::test::sleep_for(10ms);  // the thread is in
    auto [error, none] = co_await atomicio::async_lock_file(executor, path, LockMode::shared, Timeout::immediate(),
                                                            lock_options(), asio::as_tuple(asio::use_awaitable));
    REQUIRE(error);
    CHECK_THROWS_AS(std::rethrow_exception(error), atomicio::AlreadyLockedError);
    auto after = co_await atomicio::async_lock_file(executor, path, LockMode::shared, 10s, lock_options(),
                                                    asio::use_awaitable);
    CHECK(after.owns_lock());
    thread.get();
    CHECK_FALSE(thread_entered_early.load());
  });
}

TEST_CASE("a cancelled wait completes with operation_aborted and holds nothing", "[async][lock]") {
  TempDir dir;
  const auto path = dir / "data.json";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto holder = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, Timeout::infinite(),
                                                     lock_options(), asio::use_awaitable);
    asio::cancellation_signal signal;
    std::exception_ptr error;
    bool done = false, owned = true;
    atomicio::async_lock_file(executor, path, LockMode::exclusive, Timeout::infinite(), lock_options(),
                              asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, AsyncLockGuard g) {
                                error = e;
                                owned = g.owns_lock();
                                done = true;
                              }));
    co_await atomicio::test::sleep_for(20ms);
    CHECK_FALSE(done);
    signal.emit(asio::cancellation_type::terminal);
    co_await atomicio::test::sleep_for(20ms);
    REQUIRE(done);
    REQUIRE(error);
    CHECK(atomicio::test::is_operation_aborted(error));
    CHECK_FALSE(owned);
    holder.unlock();
    CHECK(free_for_a_thread(path));  // the cancelled waiter did not take the released lock
  });
}

TEST_CASE("the grant/deadline race: 1,000 runs leave the lock free or held by the one waiter", "[async][lock]") {
  TempDir dir;
  const auto path = dir / "race.json";
  int granted = 0, timed_out = 0, wrong = 0;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    for (int run = 0; run < 1000; ++run) {
      auto holder = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, Timeout::infinite(),
                                                       lock_options(), asio::use_awaitable);
      // The release lands from 50 µs before to 50 µs after the waiter's 1 ms deadline.
      const auto offset = std::chrono::microseconds(run % 101 - 50);
      asio::steady_timer release(executor, 1ms + offset);
      release.async_wait([&](boost::system::error_code) { holder.unlock(); });
      auto [error, guard] = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, 1ms, lock_options(),
                                                               asio::as_tuple(asio::use_awaitable));
      if (holder.owns_lock()) co_await release.async_wait(asio::as_tuple(asio::use_awaitable));
      if (error) {
        ++timed_out;
        if (guard.owns_lock() || !free_for_a_thread(path)) ++wrong;
      } else {
        ++granted;
        if (!guard.owns_lock() || free_for_a_thread(path)) ++wrong;  // held by this waiter alone
        guard.unlock();
        if (!free_for_a_thread(path)) ++wrong;
      }
    }
  });
  INFO(granted << " granted, " << timed_out << " timed out");
  CHECK(wrong == 0);
  CHECK(granted + timed_out == 1000);
}

TEST_CASE("a task waits for another process without parking a thread, then times out or gets in", "[async][lock][needs:lock.ofd]") {
  TempDir dir;
  const auto path = dir / "data.json";
  int ready[2], release_pipe[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release_pipe) == 0);
  auto child = atomicio::test::ChildProcess::fork([&] {
    atomicio::FileLock lock(path, LockMode::exclusive);
    char byte = 'x';
    if (::write(ready[1], &byte, 1) != 1) return 2;
    if (::read(release_pipe[0], &byte, 1) != 1) return 3;
    return 0;
  });
  char byte;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  // Eight tasks wait on an engine whose pool has one thread; a job posted to that pool meanwhile
  // runs at once, which it could not if a wait parked the thread in the backend.
  atomicio::IoEngine one_thread(atomicio::IoEngineOptions{.backend = atomicio::IoBackend::thread_pool,
                                                          .pool_threads = 1, .use_environment = false});
  auto options = lock_options();
  options.engine = &one_thread;
  asio::io_context context;
  int timeouts = 0, naming_the_other_process = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int task = 0; task < 8; ++task)
    atomicio::async_lock_file(context.get_executor(), path, LockMode::exclusive, 150ms, options,
                              [&](std::exception_ptr error, AsyncLockGuard) {
                                try {
                                  if (error) std::rethrow_exception(error);
                                } catch (const atomicio::LockTimeoutError& e) {
                                  ++timeouts;
                                  // The first waits for the other process, the rest queue behind it.
                                  if (std::string(e.what()).find("another process") != std::string::npos)
                                    ++naming_the_other_process;
                                } catch (...) {
                                }
                              });
  std::promise<std::chrono::steady_clock::time_point> ran;
  asio::post(context, [&] {
    asio::post(one_thread.pool(), [&] { ran.set_value(std::chrono::steady_clock::now()); });
  });
  context.run_for(10s);
  CHECK(timeouts == 8);
  CHECK(naming_the_other_process >= 1);
  CHECK(ran.get_future().get() - start < 100ms);

  bool got_it = false;
  context.restart();
  atomicio::async_lock_file(context.get_executor(), path, LockMode::exclusive, 10s, options,
                            [&](std::exception_ptr error, AsyncLockGuard guard) { got_it = !error && guard.owns_lock(); });
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    char go = 'g';
    (void)::write(release_pipe[1], &go, 1);
  });
  context.run_for(20s);
  releaser.join();
  CHECK(got_it);
  CHECK(child.wait().code == 0);
  for (int fd : {ready[0], ready[1], release_pipe[0], release_pipe[1]}) ::close(fd);
}

TEST_CASE("threads and coroutines in several processes increment one counter, nothing lost", "[async][lock][needs:lock.ofd]") {
  TempDir dir;
  const auto path = dir / "counter.txt";
  atomicio::test::spit(path, "0");
  constexpr int kProcesses = 3, kThreads = 2, kCoroutines = 4, kRounds = 15;
  auto increment = [&] {
    std::ifstream in(path);
    long value = 0;
    in >> value;
    in.close();
    std::ofstream out(path, std::ios::trunc);
    out << value + 1;
  };
  auto body = [&] {
    // A child of fork() makes its own engine: the parent's pool threads do not exist here.
    atomicio::IoEngine engine(atomicio::IoEngineOptions{.backend = atomicio::IoBackend::thread_pool});
    atomicio::AsyncLockOptions options;
    options.engine = &engine;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        for (int round = 0; round < kRounds; ++round) {
          atomicio::FileLock lock(path, LockMode::exclusive, Timeout(60s));
          increment();
        }
      });
    asio::io_context context;
    int failures = 0;
    for (int c = 0; c < kCoroutines; ++c)
      asio::co_spawn(context, [&]() -> asio::awaitable<void> {
        for (int round = 0; round < kRounds; ++round) {
          auto guard = co_await atomicio::async_lock_file(context.get_executor(), path, LockMode::exclusive, 60s, options,
                                                          asio::use_awaitable);
          increment();
          co_await atomicio::test::sleep_for(0ms);  // other tasks run while this one holds
        }
      }, [&](std::exception_ptr error) { failures += error ? 1 : 0; });
    context.run();
    for (auto& thread : threads) thread.join();
    return failures == 0 ? 0 : 4;
  };
  std::vector<atomicio::test::ChildProcess> children;
  for (int p = 0; p < kProcesses; ++p) children.push_back(atomicio::test::ChildProcess::fork(body));
  for (auto& child : children) CHECK(child.wait().code == 0);
  CHECK(atomicio::test::slurp(path) == std::to_string(kProcesses * (kThreads + kCoroutines) * kRounds));
}

TEST_CASE("a lock timeout fires at its deadline, within a stated tolerance", "[async][lock]") {
  // Bound: not before the deadline (the operation must have waited it out), and within 500 ms
  // after it: the deadline timer fires on this loop, which has nothing else to do; 500 ms is
  // there for a CI machine under load, not for the mechanism.
  TempDir dir;
  const auto path = dir / "data.json";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto holder = co_await atomicio::async_lock_file(executor, path, LockMode::exclusive, Timeout::infinite(),
                                                     lock_options(), asio::use_awaitable);
    for (auto limit : {20ms, 100ms}) {
      const auto start = std::chrono::steady_clock::now();
      auto [error, none] = co_await atomicio::async_lock_file(executor, path, LockMode::shared, limit, lock_options(),
                                                              asio::as_tuple(asio::use_awaitable));
      const auto waited = std::chrono::steady_clock::now() - start;
      CHECK(error);
      CHECK(waited >= limit);
      CHECK(waited < limit + 500ms);
    }
  });
}

TEST_CASE("an io_context destroyed with lock waits pending leaves nothing held", "[async][lock]") {
  // The waits' handlers are dropped unrun with the io_context; what the lock table gave them (a
  // queued request, a grant that lands afterwards) must be given back, or the next holder
  // would wait for ever. The release comes after the destruction: a grant landing during it
  // would post into a dying io_context, which Asio does not allow (see async_file_lock.hpp).
  TempDir dir;
  const auto path = dir / "data.json";
  for (int round = 0; round < 10; ++round) {
    std::promise<void> release_promise;
    auto release = release_promise.get_future().share();
    std::promise<void> held_promise;
    auto holder = std::async(std::launch::async, [&, release] {
      atomicio::FileLock lock(path, LockMode::exclusive);
      held_promise.set_value();
      release.wait();
    });
    held_promise.get_future().wait();
    {
      asio::io_context context;
      for (int task = 0; task < 3; ++task)
        atomicio::async_lock_file(context.get_executor(), path, task == 0 ? LockMode::exclusive : LockMode::shared,
                                  Timeout::infinite(), lock_options(), [](std::exception_ptr, AsyncLockGuard) {});
      context.run_for(std::chrono::milliseconds(100 + round % 5));  // the waits are queued
    }
    release_promise.set_value();
    holder.get();
    // The grant, if one came, was given back: a thread gets the lock within the limit.
    bool free_again = false;
    try {
      atomicio::FileLock lock(path, LockMode::exclusive, Timeout(5s));
      free_again = true;
    } catch (const atomicio::LockError&) {
    }
    CHECK(free_again);
  }
}
