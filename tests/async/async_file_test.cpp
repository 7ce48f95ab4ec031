// AsyncFile: files at offsets on every backend, every completion token style, cancellation.
// No co_await inside CHECK/REQUIRE: g++ 12 evaluates a co_await in Catch's unevaluated
// `false && (expr)` tail too, which would run the operation twice.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>
#include <atomicio/errors.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read_at.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <thread>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::OpenMode;
using atomicio::test::TempDir;

TEST_CASE("the engine runs the backend this run asks for", "[async]") {
  CHECK(atomicio::test::engine().backend() == atomicio::test::expected_backend());
  INFO(atomicio::test::engine().backend_reason());
  if (atomicio::test::backend_variant() == "blocked")
    CHECK(atomicio::test::engine().backend_reason().find("Operation not permitted") != std::string::npos);
}

TEST_CASE("ten concurrent writes at ten offsets, then fsync, read back as one", "[async]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await AsyncFile::async_open(executor, dir / "hello.txt", OpenMode::parse("w+"), atomicio::test::file_options(),
                                                     asio::use_awaitable);
    CHECK(file.backend() == atomicio::test::expected_backend());
    const std::string payload = "Hello world\n";
    std::vector<std::future<std::size_t>> writes;
    int finished = 0;
    for (std::size_t i = 0; i < 10; ++i)
      file.async_write_at(i * payload.size(), payload, [&](boost::system::error_code error, std::size_t n) {
        CHECK_FALSE(error);
        CHECK(n == payload.size());
        ++finished;
      });
    asio::steady_timer timer(executor);
    while (finished < 10) {
      timer.expires_after(std::chrono::milliseconds(1));
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_await file.async_fsync(asio::use_awaitable);
    std::string all = co_await file.async_read_at(0, payload.size() * 10, asio::use_awaitable);
    std::string expected;
    for (int i = 0; i < 10; ++i) expected += payload;
    CHECK(all == expected);
  });
}

TEST_CASE("aiofile's low-level example: write at 0 and at 7 leaves a hole of zeros", "[async]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await AsyncFile::async_open(executor, dir / "hello.txt", OpenMode::parse("w+"), atomicio::test::file_options(),
                                                     asio::use_awaitable);
    co_await file.async_write_at(0, std::string("Hello "), asio::use_awaitable);
    co_await file.async_write_at(7, std::string("world"), asio::use_awaitable);
    co_await file.async_fsync(asio::use_awaitable);
    std::string content = co_await file.async_read_at(0, 100, asio::use_awaitable);
    CHECK(content == std::string("Hello \0world", 12));
    auto awaited1 = co_await file.async_size(asio::use_awaitable);
    CHECK(awaited1 == 12);
  });
}

TEST_CASE("every completion token style gets the result and the error", "[async][tokens]") {
  TempDir dir;
  atomicio::test::spit(dir / "data", "0123456789");
  asio::io_context context;
  auto executor = context.get_executor();

  SECTION("plain callback") {
    std::string got;
    boost::system::error_code open_error_seen;
    AsyncFile::async_open(executor, dir / "data", OpenMode::read_only(), atomicio::test::file_options(),
                          [&](std::exception_ptr error, AsyncFile opened) {
                            REQUIRE_FALSE(error);
                            auto file = std::make_shared<AsyncFile>(std::move(opened));
                            file->async_read_at(2, 3, [&, file](boost::system::error_code e, std::string s) {
                              CHECK_FALSE(e);
                              got = s;
                              // A write to a read-only file fails with EBADF, as an error_code.
                              file->async_write_at(0, std::string("x"), [&, file](boost::system::error_code e2, std::size_t) {
                                open_error_seen = e2;
                              });
                            });
                          });
    context.run();
    CHECK(got == "234");
    CHECK(open_error_seen == boost::system::errc::bad_file_descriptor);
  }

  SECTION("use_future, with the io_context running on another thread") {
    auto guard = asio::make_work_guard(context);
    std::thread runner([&] { context.run(); });
    AsyncFile file = AsyncFile::async_open(executor, dir / "data", OpenMode::read_only(), atomicio::test::file_options(), asio::use_future).get();
    CHECK(file.async_read_at(5, 100, asio::use_future).get() == "56789");
    CHECK(file.async_size(asio::use_future).get() == 10);
    CHECK_THROWS_AS(file.async_write_at(0, std::string("x"), asio::use_future).get(), boost::system::system_error);
    CHECK_THROWS_AS(
        AsyncFile::async_open(executor, dir / "missing", OpenMode::read_only(), atomicio::test::file_options(), asio::use_future).get(),
        atomicio::FileReadError);
    guard.reset();
    runner.join();
  }

  SECTION("deferred runs only when launched") {
    auto operation = AsyncFile::async_open(executor, dir / "created-later", OpenMode::parse("w"), atomicio::test::file_options(), asio::deferred);
    context.run();
    context.restart();
    CHECK_FALSE(std::filesystem::exists(dir / "created-later"));
    bool done = false;
    std::move(operation)([&](std::exception_ptr error, AsyncFile) {
      CHECK_FALSE(error);
      done = true;
    });
    context.run();
    CHECK(done);
    CHECK(std::filesystem::exists(dir / "created-later"));
  }

  SECTION("as_tuple and use_awaitable in a coroutine") {
    asio::co_spawn(context, [&]() -> asio::awaitable<void> {
      auto [error, file] = co_await AsyncFile::async_open(executor, dir / "missing", OpenMode::read_only(), atomicio::test::file_options(),
                                                          asio::as_tuple(asio::use_awaitable));
      REQUIRE(error);
      try {
        std::rethrow_exception(error);
      } catch (const atomicio::FileReadError& e) {
        CHECK(e.path() == dir / "missing");
        CHECK(e.operation() == "open");
        CHECK(e.code() == std::errc::no_such_file_or_directory);
      }
      AsyncFile data = co_await AsyncFile::async_open(executor, dir / "data", OpenMode::read_only(), atomicio::test::file_options(),
                                                       asio::use_awaitable);
      auto [read_error, text] = co_await data.async_read_at(8, 10, asio::as_tuple(asio::use_awaitable));
      CHECK_FALSE(read_error);
      CHECK(text == "89");
      CHECK_THROWS_AS(co_await data.async_truncate(0, asio::use_awaitable), boost::system::system_error);
    }, asio::detached);
    context.run();
    CHECK(atomicio::test::slurp(dir / "data") == "0123456789");
  }
}

TEST_CASE("open modes mean what they mean to open(2)", "[async][modes]") {
  TempDir dir;
  atomicio::test::spit(dir / "existing", "old content");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto open = [&](const std::string& name, const char* mode) {
      return AsyncFile::async_open(executor, dir / name, OpenMode::parse(mode), atomicio::test::file_options(), asio::use_awaitable);
    };
    // "x" refuses an existing file: FileWriteError with EEXIST and the path.
    try {
      co_await open("existing", "x");
      FAIL("x opened an existing file");
    } catch (const atomicio::FileWriteError& e) {
      CHECK(e.code() == std::errc::file_exists);
      CHECK(e.path() == dir / "existing");
    }
    // "r+" keeps the content and writes in place.
    {
      AsyncFile file = co_await open("existing", "r+");
      co_await file.async_write_at(0, std::string("OLD"), asio::use_awaitable);
    }
    // "a" writes at the end whatever the offset says.
    {
      AsyncFile file = co_await open("existing", "a");
      co_await file.async_write_at(0, std::string("!"), asio::use_awaitable);
      co_await file.async_close(asio::use_awaitable);
    }
    CHECK(atomicio::test::slurp(dir / "existing") == "OLD content!");
    // "w" truncates; "x" creates.
    {
      AsyncFile file = co_await open("existing", "w");
      auto awaited2 = co_await file.async_size(asio::use_awaitable);
      CHECK(awaited2 == 0);
      AsyncFile fresh = co_await open("fresh", "x");
      CHECK(fresh.is_open());
    }
    CHECK(std::filesystem::exists(dir / "fresh"));
    // "r" does not create.
    CHECK_THROWS_AS(co_await open("never", "r"), atomicio::FileReadError);
    CHECK_FALSE(std::filesystem::exists(dir / "never"));
  });
  CHECK_THROWS_AS(OpenMode::parse("rw"), std::invalid_argument);
  CHECK_THROWS_AS(OpenMode::parse(""), std::invalid_argument);
  CHECK(OpenMode::parse("rb+").read);
  CHECK(OpenMode::parse("rb+").write);
}

TEST_CASE("the end of the file: eof for a partial read, a short count for a whole read", "[async]") {
  TempDir dir;
  atomicio::test::spit(dir / "f", "abc");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await AsyncFile::async_open(executor, dir / "f", OpenMode::read_only(), atomicio::test::file_options(),
                                                     asio::use_awaitable);
    std::array<char, 8> buffer{};
    auto [error, n] = co_await file.async_read_some_at(3, asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    CHECK(error == asio::error::eof);
    CHECK(n == 0);
    std::size_t whole = co_await file.async_read_at(1, asio::buffer(buffer), asio::use_awaitable);
    CHECK(whole == 2);
    CHECK(std::string(buffer.data(), 2) == "bc");
    // AsyncFile is an Asio random-access device: Asio's own composed reads work on it.
    std::array<char, 3> exact{};
    std::size_t got = co_await asio::async_read_at(file, 0, asio::buffer(exact), asio::use_awaitable);
    CHECK(got == 3);
    CHECK(std::string(exact.data(), 3) == "abc");
  });
}

TEST_CASE("size, truncate, fdatasync and close", "[async]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await AsyncFile::async_open(executor, dir / "f", OpenMode::parse("w+"), atomicio::test::file_options(),
                                                     asio::use_awaitable);
    co_await file.async_write_at(0, std::string(1000, 'x'), asio::use_awaitable);
    co_await file.async_fdatasync(asio::use_awaitable);
    co_await file.async_truncate(10, asio::use_awaitable);
    auto awaited3 = co_await file.async_size(asio::use_awaitable);
    CHECK(awaited3 == 10);
    co_await file.async_truncate(4096, asio::use_awaitable);  // grows with a hole
    std::string tail = co_await file.async_read_at(4000, 1000, asio::use_awaitable);
    CHECK(tail == std::string(96, '\0'));
    co_await file.async_close(asio::use_awaitable);
    CHECK_FALSE(file.is_open());
    auto [error, n] = co_await file.async_read_at(0, 1, asio::as_tuple(asio::use_awaitable));
    CHECK(error == asio::error::bad_descriptor);
    CHECK(n.empty());
  });
  CHECK(std::filesystem::file_size(dir / "f") == 4096);
}

TEST_CASE("an adopted descriptor is read and written, and closed with the object", "[async]") {
  TempDir dir;
  int fd = ::open((dir / "adopted").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = AsyncFile::adopt(executor, fd, dir / "adopted", atomicio::test::file_options());
    CHECK(file.native_handle() == fd);
    CHECK(file.backend() == atomicio::test::expected_backend());
    co_await file.async_write_at(0, std::string("Hello from\nasync world"), asio::use_awaitable);
    auto awaited4 = co_await file.async_read_at(0, 10, asio::use_awaitable);
    CHECK(awaited4 == "Hello from");
    co_await file.async_close(asio::use_awaitable);
  });
  CHECK(::fcntl(fd, F_GETFD) == -1);  // closed by async_close
  CHECK_THROWS_AS(AsyncFile::adopt(asio::system_executor(), -1), std::system_error);
}

TEST_CASE("a read waiting on a FIFO is cancelled through its slot, and the FIFO stays usable", "[async][cancel]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile reader = co_await AsyncFile::async_open(executor, dir / "fifo", OpenMode::read_only(), atomicio::test::file_options(),
                                                       asio::use_awaitable);
    CHECK(reader.backend() == atomicio::IoBackend::thread_pool);
    CHECK(reader.backend_reason().find("FIFO") != std::string::npos);
    CHECK_FALSE(reader.seekable());
    int writer = ::open((dir / "fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(writer >= 0);

    asio::cancellation_signal signal;
    asio::steady_timer timer(executor);
    timer.expires_after(std::chrono::milliseconds(30));
    timer.async_wait([&](boost::system::error_code) { signal.emit(asio::cancellation_type::terminal); });
    auto [error, data] = co_await reader.async_read_at(
        0, 5, asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
    CHECK(error == asio::error::operation_aborted);
    CHECK(data.empty());

    REQUIRE(::write(writer, "hello", 5) == 5);
    ::close(writer);
    auto awaited5 = co_await reader.async_read_at(0, 100, asio::use_awaitable);
    CHECK(awaited5 == "hello");
  });
}

TEST_CASE("a job still queued on the pool is cancelled before it runs", "[async][cancel]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  atomicio::test::spit(dir / "plain", "plain");
  atomicio::IoEngineOptions one_thread;
  one_thread.backend = atomicio::IoBackend::thread_pool;
  one_thread.pool_threads = 1;
  one_thread.use_environment = false;
  atomicio::IoEngine engine(one_thread);
  atomicio::AsyncFileOptions on_engine;
  on_engine.engine = &engine;
  on_engine.nowait_first = false;  // the plain read must queue on the pool, not finish at once
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile fifo = co_await AsyncFile::async_open(executor, dir / "fifo", OpenMode::read_only(), on_engine,
                                                     asio::use_awaitable);
    AsyncFile plain = co_await AsyncFile::async_open(executor, dir / "plain", OpenMode::read_only(), on_engine,
                                                      asio::use_awaitable);
    // The pool's one thread waits on the FIFO; the plain read queues behind it.
    asio::cancellation_signal fifo_signal, plain_signal;
    boost::system::error_code fifo_error, plain_error;
    std::string plain_data = "untouched";
    int done = 0;
    fifo.async_read_at(0, 1, asio::bind_cancellation_slot(fifo_signal.slot(), [&](boost::system::error_code e, std::string) {
      fifo_error = e;
      ++done;
    }));
    plain.async_read_at(0, 5, asio::bind_cancellation_slot(plain_signal.slot(), [&](boost::system::error_code e, std::string s) {
      plain_error = e;
      plain_data = s;
      ++done;
    }));
    plain_signal.emit(asio::cancellation_type::terminal);
    fifo_signal.emit(asio::cancellation_type::terminal);
    asio::steady_timer timer(executor);
    while (done < 2) {
      timer.expires_after(std::chrono::milliseconds(1));
      co_await timer.async_wait(asio::use_awaitable);
    }
    CHECK(fifo_error == asio::error::operation_aborted);
    CHECK(plain_error == asio::error::operation_aborted);
    CHECK(plain_data.empty());
    // Nothing is left in a bad state: the same file reads normally afterwards.
    auto awaited6 = co_await plain.async_read_at(0, 5, asio::use_awaitable);
    CHECK(awaited6 == "plain");
  });
}

TEST_CASE("a /proc file is read on the pool, which says why", "[async]") {
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile status = co_await AsyncFile::async_open(executor, "/proc/self/status", OpenMode::read_only(), atomicio::test::file_options(),
                                                       asio::use_awaitable);
    CHECK(status.backend() == atomicio::IoBackend::thread_pool);
    INFO(status.backend_reason());
    if (atomicio::test::engine().backend() == atomicio::IoBackend::io_uring)
      CHECK(status.backend_reason().find("procfs") != std::string::npos);
    std::string text = co_await status.async_read_at(0, 1 << 16, asio::use_awaitable);
    CHECK(text.find("Pid:") != std::string::npos);
  });
}

TEST_CASE("the environment chooses the backend, and a forced io_uring that cannot work says why", "[async][engine]") {
  ::setenv("ATOMICIO_IO_BACKEND", "thread_pool", 1);
  {
    atomicio::IoEngine engine;
    CHECK(engine.backend() == atomicio::IoBackend::thread_pool);
    CHECK(engine.backend_reason().find("ATOMICIO_IO_BACKEND=thread_pool") != std::string::npos);
  }
  ::setenv("ATOMICIO_IO_BACKEND", "fastest", 1);
  CHECK_THROWS_AS(atomicio::IoEngine(), std::invalid_argument);
  ::unsetenv("ATOMICIO_IO_BACKEND");

  atomicio::IoEngineOptions forced;
  forced.backend = atomicio::IoBackend::io_uring;
  if (atomicio::test::backend_variant() == "blocked") {
    try {
      atomicio::IoEngine engine(forced);
      FAIL("io_uring was forced under a filter that blocks it");
    } catch (const std::system_error& e) {
      CHECK(std::string(e.what()).find("Operation not permitted") != std::string::npos);
    }
  } else if (atomicio::IoEngine::io_uring_usable()) {
    atomicio::IoEngine engine(forced);
    CHECK(engine.backend() == atomicio::IoBackend::io_uring);
  }
  CHECK(atomicio::parse_io_backend("io_uring") == atomicio::IoBackend::io_uring);
  CHECK_FALSE(atomicio::parse_io_backend("uring"));
}
