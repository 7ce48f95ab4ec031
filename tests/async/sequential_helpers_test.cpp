// AsyncReader, AsyncWriter and AsyncLineReader: aiofile's examples translated, writes started
// together, separators, long lines, every completion token style, and cancellation on a FIFO.
// A co_await never stands inside a Catch macro: g++ 12 evaluates it there more than once.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/async_line_reader.hpp>
#include <atomicio/async/async_reader.hpp>
#include <atomicio/async/async_writer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::AsyncLineReader;
using atomicio::AsyncReader;
using atomicio::AsyncWriter;
using atomicio::OpenMode;
using atomicio::test::TempDir;
using boost::system::error_code;

namespace {

asio::awaitable<AsyncFile> open(asio::any_io_executor executor, const std::filesystem::path& path, const char* mode) {
  co_return co_await AsyncFile::async_open(executor, path, OpenMode::parse(mode), atomicio::test::file_options(), asio::use_awaitable);
}

// Every line up to the end ("" is not included).
asio::awaitable<std::vector<std::string>> all_lines(AsyncLineReader& reader) {
  std::vector<std::string> lines;
  for (;;) {
    std::string line = co_await reader.async_read_line(asio::use_awaitable);
    if (line.empty()) co_return lines;
    lines.push_back(std::move(line));
  }
}

// An io_context run by a thread of its own, for use_future.
struct BackgroundContext {
  asio::io_context context;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(context);
  std::thread thread{[this] { context.run(); }};
  ~BackgroundContext() {
    guard.reset();
    thread.join();
  }
};

}  // namespace

TEST_CASE("aiofile's Reader and Writer example: Hello World read back in chunks of 8", "[async][sequential]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "hello.txt", "w+");
    AsyncWriter writer(file);
    AsyncReader reader(file, 8);
    auto hello = co_await writer.async_write("Hello", asio::use_awaitable);
    CHECK(hello == 5);
    auto space = co_await writer.async_write(" ", asio::use_awaitable);
    CHECK(space == 1);
    auto world = co_await writer.async_write("World", asio::use_awaitable);
    CHECK(world == 5);
    CHECK(writer.offset() == 11);
    co_await file.async_fsync(asio::use_awaitable);

    std::vector<std::string> chunks;
    for (;;) {
      std::string chunk = co_await reader.async_read_chunk(asio::use_awaitable);
      if (chunk.empty()) break;
      chunks.push_back(chunk);
    }
    CHECK(chunks == std::vector<std::string>{"Hello Wo", "rld"});
    CHECK(reader.offset() == 11);
    // The end stays the end, and a reader from an offset starts there.
    std::string at_end = co_await reader.async_read_chunk(asio::use_awaitable);
    CHECK(at_end.empty());
    AsyncReader from_six(file, 3, 6);
    auto chunk = co_await from_six.async_read_chunk(asio::use_awaitable);
    CHECK(chunk == "Wor");
  });
  CHECK(atomicio::test::slurp(dir / "hello.txt") == "Hello World");
}

TEST_CASE("aiofile's LineReader example, awaited through use_future on another thread", "[async][sequential]") {
  TempDir dir;
  atomicio::test::spit(dir / "hello.txt", "Hello World\n\nFrom async world");
  BackgroundContext background;
  AsyncFile file = AsyncFile::async_open(background.context.get_executor(), dir / "hello.txt", OpenMode::parse("r"),
                                         atomicio::test::file_options(), asio::use_future)
                       .get();
  AsyncLineReader reader(file);
  std::vector<std::string> lines;
  for (;;) {
    std::string line = reader.async_read_line(asio::use_future).get();
    if (line.empty()) break;
    lines.push_back(line);
  }
  CHECK(lines == std::vector<std::string>{"Hello World\n", "\n", "From async world"});
  CHECK(reader.offset() == 29);
}

TEST_CASE("writes started together without waiting land in the order they were started", "[async][sequential]") {
  TempDir dir;
  asio::io_context context;
  AsyncFile file;
  AsyncFile::async_open(context.get_executor(), dir / "out.txt", OpenMode::parse("w+"), atomicio::test::file_options(),
                        [&](std::exception_ptr error, AsyncFile opened) {
                          REQUIRE_FALSE(error);
                          file = std::move(opened);
                        });
  context.run();
  context.restart();

  AsyncWriter writer(file, 3);
  std::string expected;
  int finished = 0;
  for (int i = 0; i < 40; ++i) {
    std::string piece = std::to_string(i) + std::string(static_cast<std::size_t>(i % 7), '.') + "|";
    expected += piece;
    writer.async_write(piece, [&finished, size = piece.size()](error_code error, std::size_t written) {
      CHECK_FALSE(error);
      CHECK(written == size);
      ++finished;
    });
  }
  CHECK(writer.offset() == 3 + expected.size());  // reserved at once, before any completed
  context.run();
  CHECK(finished == 40);
  CHECK(atomicio::test::slurp(dir / "out.txt") == std::string(3, '\0') + expected);
}

TEST_CASE("a deferred write takes its range when it is launched, not when it is made", "[async][sequential]") {
  TempDir dir;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "out.txt", "w+");
    AsyncWriter writer(file);
    auto later = writer.async_write("second", asio::deferred);
    CHECK(writer.offset() == 0);
    auto first = co_await writer.async_write("first ", asio::use_awaitable);
    CHECK(first == 6);
    auto second = co_await std::move(later)(asio::use_awaitable);
    CHECK(second == 6);
    CHECK(writer.offset() == 12);
    auto [error, chunk] = co_await AsyncReader(file).async_read_chunk(asio::as_tuple(asio::use_awaitable));
    CHECK_FALSE(error);
    CHECK(chunk == "first second");
  });
}

TEST_CASE("lines end in separators of any length, also split between chunks", "[async][sequential]") {
  TempDir dir;
  struct Case {
    std::string separator, content;
    std::vector<std::string> lines;
  };
  const std::vector<Case> cases = {
      {"\r\n", "one\r\ntwo\nstill two\r\n\r\nlast", {"one\r\n", "two\nstill two\r\n", "\r\n", "last"}},
      {"--", "a--b---c----", {"a--", "b--", "-c--", "--"}},
      {"<sep>", "x<sep><sep>y<se<sep>", {"x<sep>", "<sep>", "y<se<sep>"}},
      {"\n", "", {}},
      {"\n", "\n\n", {"\n", "\n"}},
  };
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    for (const Case& c : cases)
      for (std::size_t chunk : {1u, 2u, 3u, 4u, 7u, 4096u}) {
        INFO("separator '" << c.separator << "', chunk size " << chunk);
        atomicio::test::spit(dir / "lines.txt", c.content);
        AsyncFile file = co_await open(executor, dir / "lines.txt", "r");
        AsyncLineReader reader(file, c.separator, chunk);
        auto lines = co_await all_lines(reader);
        CHECK(lines == c.lines);
        CHECK(reader.offset() == c.content.size());
      }
  });
}

TEST_CASE("a line spanning many chunks comes back whole", "[async][sequential]") {
  TempDir dir;
  std::string long_line;
  for (int i = 0; long_line.size() < 100000; ++i) long_line += std::to_string(i) + ' ';
  long_line += '\n';
  atomicio::test::spit(dir / "long.txt", "head\n" + long_line + "tail");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "long.txt", "r");
    AsyncLineReader reader(file, "\n", 1000);
    const std::vector<std::string> expected{"head\n", long_line, "tail"};
    auto lines = co_await all_lines(reader);
    CHECK(lines == expected);
  });
}

TEST_CASE("a line longer than max_line fails with message_size and the reader stays before it", "[async][sequential]") {
  TempDir dir;
  // max_line 8 counts the separator: "12345678" and "1234567\n" fit, "12345678\n" does not.
  atomicio::test::spit(dir / "lines.txt", "1234567\n123456789\nok\n");
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "lines.txt", "r");
    AsyncLineReader reader(file, "\n", 3, 0, 8);
    auto first_line = co_await reader.async_read_line(asio::use_awaitable);
    CHECK(first_line == "1234567\n");
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto [error, line] = co_await reader.async_read_line(asio::as_tuple(asio::use_awaitable));
      CHECK(error == asio::error::message_size);
      CHECK(line.empty());
      CHECK(reader.offset() == 8);
    }
    // A reader past the long line goes on; a last line of exactly max_line bytes is fine.
    AsyncLineReader after(file, "\n", 3, 18, 3);
    const std::vector<std::string> ok{"ok\n"};
    auto ok_lines = co_await all_lines(after);
    CHECK(ok_lines == ok);
    atomicio::test::spit(dir / "exact.txt", "12345678");
    AsyncFile exact_file = co_await open(executor, dir / "exact.txt", "r");
    AsyncLineReader exact(exact_file, "\n", 5, 0, 8);
    const std::vector<std::string> whole{"12345678"};
    auto whole_lines = co_await all_lines(exact);
    CHECK(whole_lines == whole);
  });
}

TEST_CASE("a too long line fails before its end arrives, so its memory stays bounded", "[async][sequential]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "fifo", "r");
    int writer = ::open((dir / "fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(writer >= 0);
    // No separator ever comes: a reader that waited for it would wait forever.
    std::string endless(300, 'x');
    REQUIRE(::write(writer, endless.data(), endless.size()) == static_cast<ssize_t>(endless.size()));
    AsyncLineReader reader(file, "\n", 16, 0, 100);
    auto [error, line] = co_await reader.async_read_line(asio::as_tuple(asio::use_awaitable));
    CHECK(error == asio::error::message_size);
    CHECK(line.empty());
    ::close(writer);
  });
}

TEST_CASE("a second read started while one is in flight fails with already_started", "[async][sequential]") {
  TempDir dir;
  atomicio::test::spit(dir / "data.txt", "abc\ndef\n");
  asio::io_context context;
  AsyncFile file = AsyncFile::adopt(context.get_executor(), ::open((dir / "data.txt").c_str(), O_RDONLY | O_CLOEXEC),
                                    "data.txt", atomicio::test::file_options());
  AsyncLineReader lines(file);
  AsyncReader chunks(file, 2);
  std::vector<std::string> got;
  int refused = 0;
  auto record = [&](error_code error, std::string text) {
    if (error == asio::error::already_started && text.empty())
      ++refused;
    else if (!error)
      got.push_back(text);
  };
  lines.async_read_line(record);
  lines.async_read_line(record);
  chunks.async_read_chunk(record);
  chunks.async_read_chunk(record);
  context.run();
  CHECK(refused == 2);
  // The two reads that ran complete in either order, also before or after the refusals.
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"ab", "abc\n"});
  CHECK(lines.offset() == 4);
  CHECK(chunks.offset() == 2);
}

TEST_CASE("a cancelled read of a silent FIFO aborts and the next read gets the data", "[async][sequential]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "fifo", "r");
    // Opened after the read side, so the reader sees a writer and waits instead of seeing the end.
    int writer = ::open((dir / "fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(writer >= 0);
    asio::cancellation_signal signal;
    asio::steady_timer timer(executor, std::chrono::milliseconds(20));
    timer.async_wait([&](error_code) { signal.emit(asio::cancellation_type::all); });

    AsyncReader reader(file);
    auto [error, chunk] = co_await reader.async_read_chunk(
        asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
    CHECK(error == asio::error::operation_aborted);
    CHECK(chunk.empty());
    CHECK(reader.offset() == 0);

    REQUIRE(::write(writer, "data", 4) == 4);
    auto data = co_await reader.async_read_chunk(asio::use_awaitable);
    CHECK(data == "data");
    CHECK(reader.offset() == 4);
    ::close(writer);
    std::string end = co_await reader.async_read_chunk(asio::use_awaitable);
    CHECK(end.empty());
  });
}

TEST_CASE("a cancelled line read keeps the part of the line it had and returns it whole next time",
          "[async][sequential]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file = co_await open(executor, dir / "fifo", "r");
    int writer = ::open((dir / "fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(writer >= 0);
    REQUIRE(::write(writer, "abc", 3) == 3);
    asio::cancellation_signal signal;
    asio::steady_timer timer(executor, std::chrono::milliseconds(50));
    timer.async_wait([&](error_code) { signal.emit(asio::cancellation_type::all); });

    AsyncLineReader reader(file, "\n", 2);
    auto [error, line] = co_await reader.async_read_line(
        asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
    CHECK(error == asio::error::operation_aborted);
    CHECK(line.empty());
    CHECK(reader.offset() == 0);

    REQUIRE(::write(writer, "def\nxyz", 7) == 7);
    auto whole = co_await reader.async_read_line(asio::use_awaitable);
    CHECK(whole == "abcdef\n");
    CHECK(reader.offset() == 7);
    ::close(writer);
    auto last = co_await reader.async_read_line(asio::use_awaitable);
    CHECK(last == "xyz");
    std::string end = co_await reader.async_read_line(asio::use_awaitable);
    CHECK(end.empty());
  });
}

TEST_CASE("a helper on a closed file completes with bad_descriptor", "[async][sequential]") {
  AsyncFile closed;
  AsyncReader reader(closed);
  AsyncWriter writer(closed);
  AsyncLineReader lines(closed);
  // Completions bound to a context run here: a closed helper has no executor of its own.
  asio::io_context context;
  error_code read_error, write_error, line_error;
  reader.async_read_chunk(asio::bind_executor(context, [&](error_code e, std::string) { read_error = e; }));
  writer.async_write("x", asio::bind_executor(context, [&](error_code e, std::size_t) { write_error = e; }));
  lines.async_read_line(asio::bind_executor(context, [&](error_code e, std::string) { line_error = e; }));
  context.run();
  CHECK(read_error == asio::error::bad_descriptor);
  CHECK(write_error == asio::error::bad_descriptor);
  CHECK(line_error == asio::error::bad_descriptor);
  CHECK(reader.offset() == 0);
  CHECK(lines.offset() == 0);
}
