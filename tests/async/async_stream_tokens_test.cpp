// AsyncStream with every completion token style, cancellation of a read waiting on a FIFO, and
// files io_uring does not serve (a FIFO, procfs) read through streams on the pool.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_stream.hpp>
#include <atomicio/errors.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <thread>

namespace asio = boost::asio;
using atomicio::AsyncStream;
using atomicio::IoBackend;
using atomicio::OpenMode;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

// The writer threads' side of a FIFO. Catch's assertions are not for other threads: a failed
// open aborts the program; a failed write (the reader gone after a failed test, with SIGPIPE
// ignored) stops writing, and the reader's checks report the missing lines.
int open_for_writing(const std::filesystem::path& fifo) {
  int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) std::abort();
  return fd;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// Releases and joins a writer thread however the test ends.
struct WriterGuard {
  std::promise<void>& release;
  std::thread& writer;
  bool released = false;
  void go() {
    released = true;
    release.set_value();
  }
  ~WriterGuard() {
    if (!released) release.set_value();
    if (writer.joinable()) writer.join();
  }
};

}  // namespace

TEST_CASE("every token style: callback, use_future on another thread, awaitable, deferred, as_tuple",
          "[async][stream][tokens]") {
  TempDir dir;
  spit(dir / "text", "alpha\nbeta\ngamma\n");

  asio::io_context context;
  auto work = asio::make_work_guard(context);
  std::thread runner([&] { context.run(); });
  std::future<AsyncStream> opened =
      AsyncStream::async_open(context.get_executor(), dir / "text", OpenMode::parse("r"), atomicio::test::stream_options(), asio::use_future);
  AsyncStream s = opened.get();
  CHECK(s.async_readline(asio::use_future).get() == "alpha\n");
  auto missing = AsyncStream::async_open(context.get_executor(), dir / "missing", OpenMode::parse("r"), atomicio::test::stream_options(),
                                         asio::use_future);
  CHECK_THROWS_AS(missing.get(), atomicio::FileReadError);
  work.reset();
  runner.join();

  asio::io_context loop;
  s = AsyncStream();
  AsyncStream::async_open(loop.get_executor(), dir / "text", OpenMode::parse("r"), atomicio::test::stream_options(),
                          [&](std::exception_ptr error, AsyncStream stream) {
                            CHECK_FALSE(error);
                            s = std::move(stream);
                          });
  loop.run();
  loop.restart();
  std::string line;
  s.async_readline([&](std::exception_ptr error, std::string text) {
    CHECK_FALSE(error);
    line = std::move(text);
  });
  loop.run();
  loop.restart();
  CHECK(line == "alpha\n");

  auto deferred = s.async_readline(asio::deferred);
  CHECK(line == "alpha\n");  // nothing happens until it is launched
  std::move(deferred)([&](std::exception_ptr error, std::string text) {
    CHECK_FALSE(error);
    line = std::move(text);
  });
  loop.run();
  loop.restart();
  CHECK(line == "beta\n");

  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        std::string third = co_await s.async_readline(asio::use_awaitable);
        CHECK(third == "gamma\n");
        auto [error, end] = co_await s.async_readline(asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(error);
        CHECK(end.empty());
        auto [close_error] = co_await s.async_close(asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(close_error);
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  loop.run();
}

TEST_CASE("a cancelled readline on a FIFO keeps what it read and the stream goes on", "[async][stream][cancel]") {
  TempDir dir;
  const auto fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  ::signal(SIGPIPE, SIG_IGN);
  std::promise<void> go;
  std::thread writer;
  WriterGuard guard{go, writer};
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await AsyncStream::async_open(executor, fifo, OpenMode::parse("r"), atomicio::test::stream_options(), asio::use_awaitable);
    CHECK(s.file().backend() == IoBackend::thread_pool);
    CHECK_THAT(s.file().backend_reason(), Catch::Contains("FIFO"));
    writer = std::thread([&fifo, ready = go.get_future()]() mutable {
      int fd = open_for_writing(fifo);
      write_all(fd, "first\npar");
      ready.get();
      write_all(fd, "tial\nlast");
      ::close(fd);
    });
    std::string line = co_await s.async_readline(asio::use_awaitable);
    CHECK(line == "first\n");

    // Nothing more comes until the cancellation: the readline waits on the pool.
    asio::cancellation_signal cancel;
    asio::post(executor, [&] { cancel.emit(asio::cancellation_type::terminal); });
    auto [error, partial] = co_await s.async_readline(
        asio::bind_cancellation_slot(cancel.slot(), asio::as_tuple(asio::use_awaitable)));
    REQUIRE(error);
    try {
      std::rethrow_exception(error);
    } catch (const boost::system::system_error& aborted) {
      CHECK(aborted.code() == asio::error::operation_aborted);
    }
    CHECK(partial.empty());
    CHECK(s.tell() == 6);

    guard.go();
    line = co_await s.async_readline(asio::use_awaitable);
    CHECK(line == "partial\n");
    line = co_await s.async_readline(asio::use_awaitable);
    CHECK(line == "last");
    line = co_await s.async_readline(asio::use_awaitable);
    CHECK(line.empty());
    CHECK(s.tell() == 18);
    CHECK_THROWS_AS(s.seek(0), std::logic_error);
    co_await s.async_close(asio::use_awaitable);
  });
}

TEST_CASE("a FIFO's lines come through a stream opened r", "[async][stream][fifo]") {
  TempDir dir;
  const auto fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  ::signal(SIGPIPE, SIG_IGN);
  std::string expected;
  for (int i = 0; i < 2000; ++i) expected += "written by the other thread, line " + std::to_string(i) + "\n";
  std::thread writer;
  std::promise<void> unused;
  WriterGuard guard{unused, writer};
  std::string received;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await AsyncStream::async_open(executor, fifo, OpenMode::parse("r"), atomicio::test::stream_options(), asio::use_awaitable);
    writer = std::thread([&] {
      int fd = open_for_writing(fifo);
      for (std::size_t at = 0; at < expected.size(); at += 1000)
        write_all(fd, expected.substr(at, 1000));
      ::close(fd);
    });
    for (std::string line; !(line = co_await s.async_readline(asio::use_awaitable)).empty();) received += line;
    CHECK(s.file().backend() == IoBackend::thread_pool);
    CHECK_THAT(s.file().backend_reason(), Catch::Contains("FIFO"));
  });
  CHECK(received == expected);
}

TEST_CASE("/proc/self/status reads through a stream on the pool", "[async][stream][procfs]") {
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await AsyncStream::async_open(executor, "/proc/self/status", OpenMode::parse("r"), atomicio::test::stream_options(),
                                                     asio::use_awaitable);
    CHECK(s.file().backend() == IoBackend::thread_pool);
    CHECK_THAT(s.file().backend_reason(), Catch::Contains("procfs"));
    std::string first = co_await s.async_readline(asio::use_awaitable);
    CHECK_THAT(first, Catch::StartsWith("Name:"));
    std::string rest = co_await s.async_read(asio::use_awaitable);
    CHECK_THAT(rest, Catch::Contains("\nPid:\t" + std::to_string(::getpid()) + "\n"));
    co_await s.async_close(asio::use_awaitable);
  });
}
