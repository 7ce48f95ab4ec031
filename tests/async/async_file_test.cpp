// AsyncFile: files at offsets on every backend, every completion token style, cancellation.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>
#include <atomicio/errors.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::OpenMode;
using atomicio::test::TempDir;

namespace {

atomicio::AsyncFileOptions options() {
  atomicio::AsyncFileOptions result;
  result.engine = &atomicio::test::engine();
  return result;
}

}  // namespace

TEST_CASE("the engine runs the backend this run asks for", "[async]") {
  CHECK(atomicio::test::engine().backend() == atomicio::test::expected_backend());
  INFO(atomicio::test::engine().backend_reason());
  if (atomicio::test::backend_variant() == "blocked")
    CHECK(atomicio::test::engine().backend_reason().find("Operation not permitted") != std::string::npos);
}

TEST_CASE("ten concurrent writes at ten offsets, then fsync, read back as one", "[async]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await AsyncFile::async_open(executor, dir / "hello.txt", OpenMode::parse("w+"), options(),
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
