// The stream examples of aiofile's and aiomisc's READMEs (seeds 002 and 004), translated: each
// asserts what the Python program prints or checks. The compressed ones are checked against the
// real gzip, bzip2 and xz programs.
#include "async/async_test_support.hpp"
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_stream.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>

#include <random>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::AsyncStream;
using atomicio::CodecSelection;
using atomicio::OpenMode;
using atomicio::test::run_program;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

asio::awaitable<AsyncStream> open(asio::any_io_executor executor, const std::filesystem::path& path, const char* mode,
                                  atomicio::AsyncStreamOptions stream_options = atomicio::test::stream_options()) {
  co_return co_await AsyncStream::async_open(executor, path, OpenMode::parse(mode), stream_options, asio::use_awaitable);
}

std::string random_bytes(std::size_t size) {
  std::mt19937_64 generator(20240610);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(generator() & 0xff);
  return bytes;
}

}  // namespace

TEST_CASE("aiofile basic: w+, write twice, seek(0), read, then readline at the end reads nothing",
          "[async][stream][seed]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream afp = co_await open(executor, dir / "hello.txt", "w+");
    co_await afp.async_write("Hello ", asio::use_awaitable);
    co_await afp.async_write("world", asio::use_awaitable);
    afp.seek(0);
    std::string all = co_await afp.async_read(asio::use_awaitable);
    CHECK(all == "Hello world");

    // aiofile prints two empty lines here: the write leaves the cursor at the end of the file.
    co_await afp.async_write("Hello from\nasync world", asio::use_awaitable);
    std::string first = co_await afp.async_readline(asio::use_awaitable);
    std::string second = co_await afp.async_readline(asio::use_awaitable);
    CHECK(first.empty());
    CHECK(second.empty());
    CHECK(afp.tell() == 33);

    // From where that write began, the two lines are there, the last one as it is.
    afp.seek(11);
    first = co_await afp.async_readline(asio::use_awaitable);
    second = co_await afp.async_readline(asio::use_awaitable);
    std::string after = co_await afp.async_readline(asio::use_awaitable);
    CHECK(first == "Hello from\n");
    CHECK(second == "async world");
    CHECK(after.empty());
    co_await afp.async_close(asio::use_awaitable);
  });
  CHECK(slurp(dir / "hello.txt") == "Hello worldHello from\nasync world");
}

TEST_CASE("aiofile without a context manager: open w, write, close, and the file holds it", "[async][stream][seed]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream afp = co_await open(executor, dir / "tmp", "w");
    co_await afp.async_write("Hello", asio::use_awaitable);
    co_await afp.async_close(asio::use_awaitable);
    CHECK_FALSE(afp.is_open());
  });
  CHECK(slurp(dir / "tmp") == "Hello");
}

TEST_CASE("aiofile cat: the lines of several files make their concatenation", "[async][stream][seed]") {
  TempDir dir;
  const std::vector<std::string> contents = {"one\ntwo\nthree\n", "no newline at the end", "\n\nblank lines\n",
                                             std::string(100000, 'x') + "\nshort\n"};
  std::string expected;
  for (std::size_t i = 0; i < contents.size(); ++i) {
    spit(dir / ("f" + std::to_string(i)), contents[i]);
    expected += contents[i];
  }
  std::string out;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    for (std::size_t i = 0; i < contents.size(); ++i) {
      AsyncStream afp = co_await open(executor, dir / ("f" + std::to_string(i)), "r");
      for (std::string line; !(line = co_await afp.async_readline(asio::use_awaitable)).empty();) out += line;
      co_await afp.async_close(asio::use_awaitable);
    }
  });
  CHECK(out == expected);
}

TEST_CASE("aiofile cp: chunks of 65535 from a random source make an identical copy", "[async][stream][seed]") {
  TempDir dir;
  const std::string source = random_bytes((1 << 20) + 12345);
  spit(dir / "source", source);
  std::vector<std::size_t> sizes;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream src = co_await open(executor, dir / "source", "rb");
    AsyncStream dest = co_await open(executor, dir / "dest", "wb");
    for (std::string chunk; !(chunk = co_await src.async_read_chunk(65535, asio::use_awaitable)).empty();) {
      sizes.push_back(chunk.size());
      co_await dest.async_write(std::move(chunk), asio::use_awaitable);
    }
    co_await src.async_close(asio::use_awaitable);
    co_await dest.async_close(asio::use_awaitable);
  });
  CHECK(slurp(dir / "dest") == source);
  REQUIRE(sizes.size() == source.size() / 65535 + 1);
  CHECK(sizes.front() == 65535);
  CHECK(sizes.back() == source.size() % 65535);
}

TEST_CASE("aiofile opened fp: a stream over an adopted descriptor writes and reads lines", "[async][stream][seed]") {
  TempDir dir;
  const auto path = dir / "test.txt";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    AsyncStream afp = AsyncStream::adopt(AsyncFile::adopt(executor, fd, path, atomicio::test::file_options()),
                                         atomicio::test::stream_options());
    CHECK(afp.tell() == 0);
    co_await afp.async_write("Hello from\nasync world", asio::use_awaitable);
    // aiofile prints an empty line: the cursor is past what was written.
    std::string line = co_await afp.async_readline(asio::use_awaitable);
    CHECK(line.empty());
    afp.seek(0);
    line = co_await afp.async_readline(asio::use_awaitable);
    CHECK(line == "Hello from\n");
    co_await afp.async_close(asio::use_awaitable);
  });
  CHECK(slurp(path) == "Hello from\nasync world");
}

TEST_CASE("aiomisc io: write three pieces, seek(0), read 'Hello world'", "[async][stream][seed]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream afp = co_await open(executor, dir / "test.txt", "w+");
    co_await afp.async_write("Hello", asio::use_awaitable);
    co_await afp.async_write(" ", asio::use_awaitable);
    co_await afp.async_write("world", asio::use_awaitable);
    afp.seek(0);
    std::string text = co_await afp.async_read(asio::use_awaitable);
    CHECK(text == "Hello world");
    co_await afp.async_close(asio::use_awaitable);
  });
}

TEST_CASE("aiomisc compression: 10,000 lines into test.txt as gzip, bz2 and xz, read back by the real programs",
          "[async][stream][seed][codec][needs:codec.bz2][needs:codec.gzip][needs:codec.xz]") {
  const std::vector<std::pair<std::string, std::string>> codecs = {{".gz", "gzip"}, {".bz2", "bzip2"}, {".xz", "xz"}};
  for (const auto& [suffix, program] : codecs) {
    DYNAMIC_SECTION(suffix) {
      TempDir dir;
      const auto path = dir / "test.txt";
      atomicio::test::run_with_context([&, suffix = suffix](asio::any_io_executor executor) -> asio::awaitable<void> {
        AsyncStream afp = co_await open(executor, path, "w+", atomicio::test::stream_options(CodecSelection::codec(suffix)));
        CHECK(afp.codecs() == suffix);
        for (int i = 0; i < 10000; ++i) co_await afp.async_write("Hello World\n", asio::use_awaitable);
        CHECK(afp.tell() == 120000);
        co_await afp.async_close(asio::use_awaitable);
      });
      const auto size = std::filesystem::file_size(path);
      INFO(program << ": " << size << " bytes");
      CHECK(size < 10000);
      auto result = run_program({program, "-dc", path.string()});
      CHECK(result.status == 0);
      std::string expected;
      for (int i = 0; i < 10000; ++i) expected += "Hello World\n";
      CHECK(result.out.size() == 120000);
      CHECK(result.out == expected);
    }
  }
}

TEST_CASE("a file named x.gz is gzip by its name", "[async][stream][seed][codec][needs:codec.gzip]") {
  TempDir dir;
  const auto path = dir / "x.gz";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream afp = co_await open(executor, path, "w");
    CHECK(afp.codecs() == ".gz");
    co_await afp.async_write("by its name\n", asio::use_awaitable);
    co_await afp.async_close(asio::use_awaitable);
  });
  auto result = run_program({"gzip", "-dc", path.string()});
  CHECK(result.status == 0);
  CHECK(result.out == "by its name\n");
}

TEST_CASE("a file written by the real gzip reads back line by line", "[async][stream][seed][codec][needs:codec.gzip]") {
  TempDir dir;
  std::vector<std::string> expected;
  std::string content;
  for (int i = 0; i < 10000; ++i) {
    expected.push_back("line " + std::to_string(i) + " of the gzip program's file\n");
    content += expected.back();
  }
  auto compressed = run_program({"gzip", "-c"}, content);
  REQUIRE(compressed.status == 0);
  spit(dir / "lines.txt.gz", compressed.out);
  std::vector<std::string> lines;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream afp = co_await open(executor, dir / "lines.txt.gz", "r");
    for (std::string line; !(line = co_await afp.async_readline(asio::use_awaitable)).empty();) lines.push_back(line);
    CHECK(afp.tell() == content.size());
    co_await afp.async_close(asio::use_awaitable);
  });
  CHECK(lines == expected);
}
