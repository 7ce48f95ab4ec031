// The caller's event loop keeps running while 256 MiB are written and fsynced through the async
// API: a 1 ms timer on the same io_context goes on firing.
//
// The bounds: no gap between two firings exceeds 250 ms, and while the fsync is in flight (when
// it takes 50 ms or more) the timer fires at least once per 25 ms on average. An fsync made on
// the loop's thread stops the timer for its whole length, so it fires zero times during it and
// the second check fails (on this project's 2-core VM, ext4, the 256 MiB fsync took 180-260 ms
// and the timer fired 80-180 times during it); a write made there stalls it too. What remains
// for a correct implementation is scheduler jitter, up to about 60 ms seen here with other
// builds running, within both bounds. A faster disk makes the second check vacuous, never false.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>

#include <boost/asio/steady_timer.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

TEST_CASE("a 1 ms timer keeps firing while 256 MiB are written and fsynced", "[async][slow]") {
  atomicio::test::TempDir dir;
  constexpr std::size_t kChunk = 1 << 20;
  constexpr std::size_t kChunks = 256;
  constexpr std::size_t kInFlight = 8;
  const std::string chunk(kChunk, 'x');

  asio::io_context context;
  std::vector<Clock::time_point> ticks;
  bool finished = false;
  Clock::time_point fsync_start, fsync_end;
  std::exception_ptr failure;

  asio::steady_timer timer(context);
  std::function<void()> tick = [&] {
    ticks.push_back(Clock::now());
    if (finished) return;
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait([&](boost::system::error_code) { tick(); });
  };
  tick();

  atomicio::AsyncFileOptions options = atomicio::test::file_options();
  asio::co_spawn(context, [&]() -> asio::awaitable<void> {
    auto file = co_await atomicio::AsyncFile::async_open(context.get_executor(), dir / "big", atomicio::OpenMode::parse("w"),
                                                         options, asio::use_awaitable);
    std::size_t started = 0, completed = 0;
    boost::system::error_code first_error;
    asio::steady_timer wait(context);
    std::function<void()> start_next = [&] {
      std::size_t index = started++;
      file.async_write_at(index * kChunk, asio::buffer(chunk), [&](boost::system::error_code error, std::size_t) {
        if (error && !first_error) first_error = error;
        ++completed;
        if (started < kChunks) start_next();
      });
    };
    for (std::size_t i = 0; i < kInFlight; ++i) start_next();
    while (completed < kChunks) {
      wait.expires_after(std::chrono::milliseconds(1));
      co_await wait.async_wait(asio::use_awaitable);
    }
    REQUIRE_FALSE(first_error);
    fsync_start = Clock::now();
    co_await file.async_fsync(asio::use_awaitable);
    fsync_end = Clock::now();
    auto size = co_await file.async_size(asio::use_awaitable);
    CHECK(size == kChunk * kChunks);
    finished = true;
  }, [&](std::exception_ptr error) { failure = error; finished = true; });
  context.run();
  if (failure) std::rethrow_exception(failure);

  REQUIRE(ticks.size() > 2);
  Clock::duration max_gap{};
  for (std::size_t i = 1; i < ticks.size(); ++i) max_gap = std::max(max_gap, ticks[i] - ticks[i - 1]);
  auto fsync_time = fsync_end - fsync_start;
  auto during_fsync = std::count_if(ticks.begin(), ticks.end(),
                                    [&](Clock::time_point t) { return t > fsync_start && t < fsync_end; });
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  INFO("max gap " << duration_cast<milliseconds>(max_gap).count() << " ms; fsync "
                  << duration_cast<milliseconds>(fsync_time).count() << " ms with " << during_fsync
                  << " ticks during it; " << ticks.size() << " ticks in all");
  CHECK(max_gap < milliseconds(250));
  if (fsync_time >= milliseconds(50)) CHECK(during_fsync >= duration_cast<milliseconds>(fsync_time).count() / 25);
}
