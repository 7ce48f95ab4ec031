// Streaming keeps memory bounded by buffers, not by the size of the data: a fresh process
// writes and reads back 256 MiB through gzip and reports its peak resident set size.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

using namespace atomicio;
using namespace atomicio::test;

namespace {

constexpr std::uint64_t kStreamedBytes = 256ull << 20;
constexpr long kPeakLimitKiB = 96 * 1024;

// VmHWM of this process in KiB, from /proc/self/status.
long peak_resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A byte pattern that is not all zeros, so the codec has some work and corruption would show.
char pattern_at(std::uint64_t position) { return static_cast<char>('a' + (position / 4099) % 26); }

}  // namespace

// Runs only inside the child spawned below (hidden tag); the directory comes through the
// environment.
TEST_CASE("streaming child", "[.streaming-child]") {
  const char* directory = std::getenv("ATOMICIO_STREAMING_DIR");
  REQUIRE(directory != nullptr);
  SafeFile file(std::filesystem::path(directory) / "big.bin.gz");
  {
    ContentWriter writer = file.open_writer();
    std::string piece(64 * 1024, '\0');
    for (std::uint64_t written = 0; written < kStreamedBytes; written += piece.size()) {
      for (std::size_t i = 0; i < piece.size(); ++i) piece[i] = pattern_at(written + i);
      writer.write(piece);
    }
    CHECK(writer.bytes_written() == kStreamedBytes);
    writer.commit();
  }
  std::uint64_t position = 0;
  bool intact = true;
  REQUIRE(file.read_stream([&](std::string_view piece) {
    for (char c : piece) intact = intact && c == pattern_at(position++);
  }));
  CHECK(intact);
  CHECK(position == kStreamedBytes);
  const long peak = peak_resident_kib();
  INFO("peak resident set: " << peak << " KiB");
  CHECK(peak > 0);
  CHECK(peak < kPeakLimitKiB);
}

TEST_CASE("writing and reading 256 MiB through gzip stays within a bounded resident set", "[codec][streaming]") {
  TempDir dir;
  ChildProcess child = ChildProcess::spawn({"/proc/self/exe", "[.streaming-child]"},
                                           {"ATOMICIO_STREAMING_DIR=" + dir.path().string()});
  ExitStatus status = child.wait(std::chrono::seconds(240));
  CHECK(status.exited);
  CHECK(status.code == 0);
  CHECK(std::filesystem::file_size(dir / "big.bin.gz") < kStreamedBytes / 10);
}

TEST_CASE("a ContentWriter rolls back when dropped, and refuses use after a failure", "[codec][streaming]") {
  TempDir dir;
  const auto path = dir / "stream.txt.xz";
  SafeFile file(path);
  file.write_bytes("old");
  {
    ContentWriter writer = file.open_writer();
    writer.write("never committed");
  }
  CHECK(file.read_bytes() == "old");
  {
    ContentWriter writer = file.open_writer(WriteMode::append);
    writer.write(" and new");
    writer.commit();
    CHECK_THROWS_AS(writer.write("late"), FileWriteError);
  }
  CHECK(file.read_bytes() == "old and new");
  CHECK(dir.entries() == std::vector<std::string>{"stream.txt.xz", "stream.txt.xz.lock"});
}
