// AsyncStream's errors: the sync API's typed errors for damaged archives and OS failures, a
// missing codec plugin, and misuse (two operations at once, reading a write-only stream).
#include "async/async_test_support.hpp"
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_stream.hpp>
#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include <boost/asio/as_tuple.hpp>

#include <catch2/catch.hpp>

namespace asio = boost::asio;
using atomicio::AsyncStream;
using atomicio::CodecSelection;
using atomicio::FileReadError;
using atomicio::FileWriteError;
using atomicio::OpenMode;
using atomicio::test::run_program;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

std::string compressible_text() {
  std::string text;
  for (int i = 0; i < 40000; ++i) text += "record " + std::to_string(i * 7919 % 100003) + " of the archive\n";
  return text;
}

template <class Error, class Body>
Error caught(Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  }
  FAIL("no " << typeid(Error).name() << " was thrown");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("an awaited read of a corrupt .xz throws the FileReadError the sync read throws", "[async][stream][codec][needs:codec.xz]") {
  TempDir dir;
  const auto path = dir / "data.txt.xz";
  auto compressed = run_program({"xz", "-c"}, compressible_text());
  REQUIRE(compressed.status == 0);
  std::string damaged = compressed.out;
  damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x5A);
  spit(path, damaged);

  const FileReadError sync = caught<FileReadError>([&] { atomicio::SafeFile(path).read_bytes(); });
  INFO("sync: " << sync.what());
  std::exception_ptr async_failure;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await AsyncStream::async_open(executor, path, OpenMode::parse("r"), atomicio::test::stream_options(), asio::use_awaitable);
    try {
      co_await s.async_read(asio::use_awaitable);
    } catch (...) {
      async_failure = std::current_exception();
    }
  });
  REQUIRE(async_failure);
  const FileReadError async = caught<FileReadError>([&] { std::rethrow_exception(async_failure); });
  CHECK(std::string(async.what()) == sync.what());
  CHECK(async.operation() == sync.operation());
  CHECK(async.path() == sync.path());
  CHECK(async.code() == sync.code());
  CHECK(async.byte_offset() == sync.byte_offset());
  CHECK(async.byte_offset() > 0);
}

TEST_CASE("a truncated .gz is a FileReadError saying so", "[async][stream][codec][needs:codec.gzip]") {
  TempDir dir;
  const auto path = dir / "cut.txt.gz";
  auto compressed = run_program({"gzip", "-c"}, compressible_text());
  spit(path, compressed.out.substr(0, compressed.out.size() / 2));
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await AsyncStream::async_open(executor, path, OpenMode::parse("r"), atomicio::test::stream_options(), asio::use_awaitable);
    auto [error, text] = co_await s.async_read(asio::as_tuple(asio::use_awaitable));
    REQUIRE(error);
    auto failure = caught<FileReadError>([&, error = error] { std::rethrow_exception(error); });
    CHECK(failure.path() == path);
    CHECK(failure.operation() == "decompress");
    CHECK_THAT(failure.what(), Catch::Contains("truncated"));
  });
}

TEST_CASE("a codec with no plugin (.zst) is an UnsupportedFormatError before the file is created",
          "[async][stream][codec]") {
  TempDir dir;
  const auto path = dir / "out.txt";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto [error, stream] = co_await AsyncStream::async_open(executor, path, OpenMode::parse("w"),
                                                           atomicio::test::stream_options(CodecSelection::codec(".zst")),
                                                           asio::as_tuple(asio::use_awaitable));
    REQUIRE(error);
    CHECK_THROWS_AS(std::rethrow_exception(error), atomicio::UnsupportedFormatError);
    CHECK_FALSE(stream.is_open());
  });
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("OS failures are FileReadError and FileWriteError with the path and the OS code", "[async][stream]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto [missing, none] = co_await AsyncStream::async_open(executor, dir / "missing", OpenMode::parse("r"), atomicio::test::stream_options(),
                                                            asio::as_tuple(asio::use_awaitable));
    auto read_failure = caught<FileReadError>([&, missing = missing] { std::rethrow_exception(missing); });
    CHECK(read_failure.path() == dir / "missing");
    CHECK(read_failure.code() == std::errc::no_such_file_or_directory);

    // /dev/full accepts the open and fails every write with ENOSPC.
    AsyncStream full = co_await AsyncStream::async_open(executor, "/dev/full", OpenMode::parse("w"), atomicio::test::stream_options(),
                                                        asio::use_awaitable);
    auto [error, count] = co_await full.async_write("no room", asio::as_tuple(asio::use_awaitable));
    auto write_failure = caught<FileWriteError>([&, error = error] { std::rethrow_exception(error); });
    CHECK(write_failure.path() == "/dev/full");
    CHECK(write_failure.operation() == "write");
    CHECK(write_failure.code() == std::errc::no_space_on_device);
    CHECK(count == 0);
  });
}

TEST_CASE("a second operation while one is in flight fails with logic_error and the first completes",
          "[async][stream]") {
  TempDir dir;
  spit(dir / "text", "some content\n");
  asio::io_context context;
  AsyncStream s;
  AsyncStream::async_open(context.get_executor(), dir / "text", OpenMode::parse("r"), atomicio::test::stream_options(),
                          [&](std::exception_ptr error, AsyncStream opened) {
                            REQUIRE_FALSE(error);
                            s = std::move(opened);
                          });
  context.run();
  context.restart();
  std::string first;
  std::exception_ptr second;
  bool second_done = false;
  s.async_read([&](std::exception_ptr error, std::string text) {
    CHECK_FALSE(error);
    first = std::move(text);
  });
  s.async_readline([&](std::exception_ptr error, std::string text) {
    second = error;
    second_done = true;
    CHECK(text.empty());
  });
  CHECK_THROWS_AS(s.seek(0), std::logic_error);
  context.run();
  CHECK(first == "some content\n");
  REQUIRE(second_done);
  CHECK_THROWS_WITH(std::rethrow_exception(second), Catch::Contains("in flight"));
  CHECK_THROWS_AS(std::rethrow_exception(second), std::logic_error);
}

TEST_CASE("a write-only stream refuses reads and a read-only one writes", "[async][stream]") {
  TempDir dir;
  spit(dir / "r", "x");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream w = co_await AsyncStream::async_open(executor, dir / "w", OpenMode::parse("w"), atomicio::test::stream_options(),
                                                     asio::use_awaitable);
    auto [read_error, text] = co_await w.async_read(asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(read_error), std::logic_error);
    AsyncStream r = co_await AsyncStream::async_open(executor, dir / "r", OpenMode::parse("r"), atomicio::test::stream_options(),
                                                     asio::use_awaitable);
    auto [write_error, count] = co_await r.async_write("y", asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(write_error), std::logic_error);
    co_await r.async_close(asio::use_awaitable);
    auto [closed_error, nothing] = co_await r.async_read(asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_WITH(std::rethrow_exception(closed_error), Catch::Contains("closed"));
    co_await r.async_close(asio::use_awaitable);  // closing twice is fine
  });
}
