// Offsets above 4 GiB in a sparse file: AsyncWriter, AsyncReader, AsyncLineReader and
// AsyncFile's own reads and writes must carry 64-bit offsets all the way to the system (a
// 32-bit truncation would put "hello" at 1 GiB + 17 and read zeros back here). A co_await never
// stands inside a Catch macro: g++ 12 evaluates it there more than once.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/async_line_reader.hpp>
#include <atomicio/async/async_reader.hpp>
#include <atomicio/async/async_writer.hpp>

#include <boost/asio/as_tuple.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::OpenMode;
using atomicio::test::TempDir;

namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

// Read with pread(2) directly: a check that does not go through the code under test.
std::string pread_at(const std::filesystem::path& path, std::uint64_t offset, std::size_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  std::string data(size, '\0');
  ssize_t n = ::pread(fd, data.data(), size, static_cast<off_t>(offset));
  ::close(fd);
  REQUIRE(n >= 0);
  data.resize(static_cast<std::size_t>(n));
  return data;
}

}  // namespace

TEST_CASE("offsets above 4 GiB reach the file and come back, in a sparse file", "[async][large]") {
  TempDir dir;
  const auto path = dir / "sparse.bin";
  const std::uint64_t first = 5 * kGiB + 17;
  const std::uint64_t second = 6 * kGiB + 3;
  {
    // Some filesystems cap a file's size below 6 GiB; only they may skip this test.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    int result = ::ftruncate(fd, static_cast<off_t>(second + 6));
    int error = errno;
    ::close(fd);
    if (result != 0 && error == EFBIG) {
      WARN("this filesystem refuses files above 4 GiB (EFBIG): offsets above 4 GiB not tested");
      return;
    }
    REQUIRE(result == 0);
    REQUIRE(::truncate(path.c_str(), 0) == 0);
  }
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file =
        co_await AsyncFile::async_open(executor, path, OpenMode::parse("w+"),
                                       atomicio::test::file_options(), asio::use_awaitable);
    atomicio::AsyncWriter writer(file, first);
    auto [error, written] = co_await writer.async_write("hello", asio::as_tuple(asio::use_awaitable));
    REQUIRE_FALSE(error);
    CHECK(written == 5);
    CHECK(writer.offset() == first + 5);
    auto more = co_await writer.async_write(" there\n", asio::use_awaitable);
    CHECK(more == 7);
    auto at_second = co_await file.async_write_at(second, std::string("world\n"), asio::use_awaitable);
    CHECK(at_second == 6);
    co_await file.async_fsync(asio::use_awaitable);

    auto size = co_await file.async_size(asio::use_awaitable);
    CHECK(size == second + 6);
    auto near_first = co_await file.async_read_at(first, 12, asio::use_awaitable);
    CHECK(near_first == "hello there\n");
    auto near_second = co_await file.async_read_at(second, 100, asio::use_awaitable);
    CHECK(near_second == "world\n");
  });

  // Read back through a file opened anew, so nothing the writer did is in the way.
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    AsyncFile file =
        co_await AsyncFile::async_open(executor, path, OpenMode::parse("r+"),
                                       atomicio::test::file_options(), asio::use_awaitable);
    atomicio::AsyncReader reader(file, 8, first);
    auto chunk = co_await reader.async_read_chunk(asio::use_awaitable);
    CHECK(chunk == "hello th");
    CHECK(reader.offset() == first + 8);
    atomicio::AsyncReader tail(file, 8, second - 2);
    auto tail_chunk = co_await tail.async_read_chunk(asio::use_awaitable);
    CHECK(tail_chunk == std::string(2, '\0') + "world\n");
    std::string tail_end = co_await tail.async_read_chunk(asio::use_awaitable);
    CHECK(tail_end.empty());
    CHECK(tail.offset() == second + 6);

    atomicio::AsyncLineReader lines(file, "\n", 4, first);
    auto line = co_await lines.async_read_line(asio::use_awaitable);
    CHECK(line == "hello there\n");
    CHECK(lines.offset() == first + 12);
    atomicio::AsyncLineReader last(file, "\n", 4, second);
    auto last_line = co_await last.async_read_line(asio::use_awaitable);
    CHECK(last_line == "world\n");
    CHECK(last.offset() == second + 6);

    CHECK(pread_at(path, first, 12) == "hello there\n");
    CHECK(pread_at(path, second, 6) == "world\n");
    CHECK(pread_at(path, first - kGiB * 4, 5) == std::string(5, '\0'));

    co_await file.async_truncate(0, asio::use_awaitable);
    auto truncated_size = co_await file.async_size(asio::use_awaitable);
    CHECK(truncated_size == 0);
  });
}
