// AsyncStream: cursor and seek, reads and lines, append, codecs and their errors (the same as the
// sync API's), every completion token style, one operation at a time, cancellation.
#include "async/async_test_support.hpp"
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_stream.hpp>
#include <atomicio/errors.hpp>

#include <boost/asio/as_tuple.hpp>

#include <catch2/catch.hpp>

namespace asio = boost::asio;
using atomicio::AsyncStream;
using atomicio::CodecSelection;
using atomicio::FileReadError;
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

std::string numbered_lines(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "line number " + std::to_string(i) + "\n";
  return text;
}

}  // namespace

TEST_CASE("a plain stream reads from its cursor, seeks anywhere and tells where it is", "[async][stream]") {
  TempDir dir;
  const std::string content = numbered_lines(20000);
  spit(dir / "plain.txt", content);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto stream_options = atomicio::test::stream_options();
    stream_options.chunk_size = 4096;
    AsyncStream s = co_await open(executor, dir / "plain.txt", "r", stream_options);
    std::string text = co_await s.async_read(4, asio::use_awaitable);
    CHECK(text == content.substr(0, 4));
    CHECK(s.tell() == 4);
    s.seek(150000);
    text = co_await s.async_read(10, asio::use_awaitable);
    CHECK(text == content.substr(150000, 10));
    s.seek(2);
    text = co_await s.async_read(3, asio::use_awaitable);
    CHECK(text == content.substr(2, 3));
    text = co_await s.async_read(100000, asio::use_awaitable);
    CHECK(text == content.substr(5, 100000));
    CHECK(s.tell() == 100005);
    text = co_await s.async_read(asio::use_awaitable);
    CHECK(text == content.substr(100005));
    CHECK(s.tell() == content.size());
    s.seek(content.size() + 100);
    text = co_await s.async_read(asio::use_awaitable);
    CHECK(text.empty());
    CHECK(s.tell() == content.size() + 100);
  });
}

TEST_CASE("a compressed read stream seeks back by decoding again from the start", "[async][stream][codec][needs:codec.gzip]") {
  TempDir dir;
  const std::string content = numbered_lines(50000);
  auto compressed = run_program({"gzip", "-c"}, content);
  REQUIRE(compressed.status == 0);
  spit(dir / "data.txt.gz", compressed.out);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto stream_options = atomicio::test::stream_options();
    stream_options.chunk_size = 4096;
    AsyncStream s = co_await open(executor, dir / "data.txt.gz", "r", stream_options);
    std::string text = co_await s.async_read(100, asio::use_awaitable);
    CHECK(text == content.substr(0, 100));
    s.seek(500000);
    CHECK(s.tell() == 500000);
    text = co_await s.async_read(10, asio::use_awaitable);
    CHECK(text == content.substr(500000, 10));
    // Far behind what is kept: a fresh decoder from the file's start.
    s.seek(5);
    text = co_await s.async_readline(asio::use_awaitable);
    CHECK(text == content.substr(5, content.find('\n') + 1 - 5));
    s.seek(400000);
    text = co_await s.async_read(asio::use_awaitable);
    CHECK(text == content.substr(400000));
    // Past the end: the read finds the end and the cursor stops there.
    s.seek(content.size() + 50);
    text = co_await s.async_read(asio::use_awaitable);
    CHECK(text.empty());
    CHECK(s.tell() == content.size());
    co_await s.async_close(asio::use_awaitable);
  });
}

TEST_CASE("a compressed write stream refuses to seek and to be read", "[async][stream][codec][needs:codec.xz]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await open(executor, dir / "out.txt.xz", "w+");
    co_await s.async_write("some text\n", asio::use_awaitable);
    CHECK_THROWS_AS(s.seek(0), std::logic_error);
    auto [error, text] = co_await s.async_read(asio::as_tuple(asio::use_awaitable));
    REQUIRE(error);
    CHECK_THROWS_AS(std::rethrow_exception(error), std::logic_error);
    CHECK(s.tell() == 10);
    co_await s.async_close(asio::use_awaitable);
    CHECK_THROWS_AS(s.seek(0), std::logic_error);
  });
  CHECK(run_program({"xz", "-dc", (dir / "out.txt.xz").string()}).out == "some text\n");
}

TEST_CASE("readline: custom separators, separators across reads, the last line as it is", "[async][stream]") {
  TempDir dir;
  spit(dir / "semi", "a;b;;c");
  spit(dir / "crlf", "first\r\nsecond\r\nthird");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto stream_options = atomicio::test::stream_options();
    stream_options.chunk_size = 3;
    AsyncStream semi = co_await open(executor, dir / "semi", "r", stream_options);
    std::vector<std::string> pieces;
    for (std::string piece; !(piece = co_await semi.async_readline(";", asio::use_awaitable)).empty();)
      pieces.push_back(piece);
    CHECK(pieces == std::vector<std::string>{"a;", "b;", ";", "c"});

    AsyncStream crlf = co_await open(executor, dir / "crlf", "r", stream_options);
    std::vector<std::string> lines;
    for (std::string line; !(line = co_await crlf.async_readline("\r\n", asio::use_awaitable)).empty();)
      lines.push_back(line);
    CHECK(lines == std::vector<std::string>{"first\r\n", "second\r\n", "third"});
    std::string after = co_await crlf.async_readline("\r\n", asio::use_awaitable);
    CHECK(after.empty());

    auto [error, text] = co_await crlf.async_readline("", asio::as_tuple(asio::use_awaitable));
    CHECK_THROWS_AS(std::rethrow_exception(error), std::invalid_argument);
  });
}

TEST_CASE("readline stops at max_line with a FileReadError and the stream goes on", "[async][stream]") {
  TempDir dir;
  const std::string longline(40, 'L');
  spit(dir / "long", "short\n" + longline + "\nafter\n");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    auto stream_options = atomicio::test::stream_options();
    stream_options.max_line = 16;
    stream_options.chunk_size = 5;
    AsyncStream s = co_await open(executor, dir / "long", "r", stream_options);
    std::string line = co_await s.async_readline(asio::use_awaitable);
    CHECK(line == "short\n");
    try {
      co_await s.async_readline(asio::use_awaitable);
      FAIL("a 41-byte line passed a limit of 16");
    } catch (const FileReadError& error) {
      CHECK(error.path() == dir / "long");
      CHECK_THAT(error.what(), Catch::Contains("max_line"));
      CHECK(error.byte_offset() == 6);
    }
    CHECK(s.tell() == 6);
    std::string skipped = co_await s.async_read(41, asio::use_awaitable);
    CHECK(skipped == longline + "\n");
    line = co_await s.async_readline(asio::use_awaitable);
    CHECK(line == "after\n");
  });
}

TEST_CASE("chunks come in the size asked for, the last one shorter, then nothing", "[async][stream]") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 100; ++i) content += static_cast<char>('a' + i % 26);
  spit(dir / "chunks", content);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await open(executor, dir / "chunks", "r");
    std::string joined;
    std::vector<std::size_t> sizes;
    for (std::string chunk; !(chunk = co_await s.async_read_chunk(7, asio::use_awaitable)).empty();) {
      sizes.push_back(chunk.size());
      joined += chunk;
    }
    CHECK(joined == content);
    CHECK(sizes.size() == 15);
    CHECK(sizes.back() == 2);
  });
}

TEST_CASE("append mode writes at the end whatever the cursor", "[async][stream]") {
  TempDir dir;
  spit(dir / "log", "abc");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await open(executor, dir / "log", "a+");
    CHECK(s.tell() == 3);
    co_await s.async_write("def", asio::use_awaitable);
    CHECK(s.tell() == 6);
    s.seek(0);
    std::string all = co_await s.async_read(asio::use_awaitable);
    CHECK(all == "abcdef");
    s.seek(1);
    co_await s.async_write("XY", asio::use_awaitable);
    CHECK(s.tell() == 8);
    co_await s.async_close(asio::use_awaitable);
  });
  CHECK(slurp(dir / "log") == "abcdefXY");
}

TEST_CASE("appending to a .gz adds a member that gzip reads after the first", "[async][stream][codec][needs:codec.gzip]") {
  TempDir dir;
  const auto path = dir / "log.gz";
  spit(path, run_program({"gzip", "-c"}, "first\n").out);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream s = co_await open(executor, path, "a");
    co_await s.async_write("second\n", asio::use_awaitable);
    co_await s.async_close(asio::use_awaitable);
    AsyncStream r = co_await open(executor, path, "r");
    std::string all = co_await r.async_read(asio::use_awaitable);
    CHECK(all == "first\nsecond\n");
  });
  CHECK(run_program({"gzip", "-dc", path.string()}).out == "first\nsecond\n");
}

TEST_CASE("large pieces are encoded and decoded on the pool; flush and fsync write what is gathered",
          "[async][stream][codec][needs:codec.xz]") {
  TempDir dir;
  const auto path = dir / "big.bin.xz";
  std::string content;
  for (unsigned i = 0; content.size() < (3u << 20); ++i) content += "piece " + std::to_string(i * 2654435761u) + ";";
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncStream w = co_await open(executor, path, "w");
    std::size_t taken = co_await w.async_write(content, asio::use_awaitable);
    CHECK(taken == content.size());
    co_await w.async_flush(asio::use_awaitable);
    const auto flushed = std::filesystem::file_size(path);
    CHECK(flushed > 0);  // xz has emitted blocks of a 3 MiB input before its end
    co_await w.async_write("tail", asio::use_awaitable);
    co_await w.async_fsync(asio::use_awaitable);
    co_await w.async_close(asio::use_awaitable);
    CHECK(std::filesystem::file_size(path) > flushed);

    auto read_options = atomicio::test::stream_options();
    read_options.chunk_size = 1 << 20;
    AsyncStream r = co_await open(executor, path, "r", read_options);
    CHECK(r.codecs() == ".xz");
    std::string head = co_await r.async_read(1000, asio::use_awaitable);
    CHECK(head == content.substr(0, 1000));
    std::string rest = co_await r.async_read(asio::use_awaitable);
    CHECK(head + rest == content + "tail");
  });
  CHECK(run_program({"xz", "-dc", path.string()}).out == content + "tail");
}
