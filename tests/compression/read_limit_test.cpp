// The memory bound of a whole-content read (FileOptions::max_decoded_size): it applies to
// uncompressed files as to decompressed content, a file known to be too large is refused before
// it is read, and a refused read peaks near the limit rather than at twice it.
#include "posix/file_system.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

FileOptions limited_to(std::uint64_t bytes) {
  FileOptions options;
  options.max_decoded_size = bytes;
  return options;
}

// The message of the FileReadError `body` throws; fails the test if it throws nothing.
template <class Body>
FileReadError read_error(Body&& body) {
  try {
    body();
  } catch (const FileReadError& error) {
    return error;
  }
  FAIL("no FileReadError");
  throw std::logic_error("unreachable");
}

// A file of `size` bytes that takes no disk space.
void make_sparse(const fs::path& path, std::uint64_t size) {
  std::ofstream(path).close();
  fs::resize_file(path, size);
}

// Makes the file whose path ends in `suffix` look like a /proc file or a device: stat reports
// size 0, and reading it yields zeros, up to `available` bytes.
class EndlessFile final : public detail::FileSystem {
 public:
  EndlessFile(std::string suffix, std::size_t available) : suffix_(std::move(suffix)), available_(available) {}
  int fstat(int fd, struct stat* out) override {
    int result = FileSystem::fstat(fd, out);
    if (result == 0 && is_target(fd)) out->st_size = 0;
    return result;
  }
  ssize_t read(int fd, void* buffer, std::size_t size) override {
    if (!is_target(fd)) return FileSystem::read(fd, buffer, size);
    std::size_t n = std::min(size, available_ - served_);
    std::memset(buffer, 0, n);
    served_ += n;
    return static_cast<ssize_t>(n);
  }
  std::size_t served() const noexcept { return served_; }

 private:
  bool is_target(int fd) const {
    std::error_code error;
    fs::path target = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), error);
    return !error && target.string().ends_with(suffix_);
  }
  std::string suffix_;
  std::size_t available_;
  std::size_t served_ = 0;
};

long max_rss_kib() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

TEST_CASE("the default read limit is 256 MiB", "[limits]") {
  CHECK(FileOptions{}.max_decoded_size == std::uint64_t{256} << 20);
}

TEST_CASE("an uncompressed file larger than the read limit is refused before it is read", "[limits]") {
  TempDir dir;
  const fs::path huge = dir / "huge.json";
  const std::uint64_t limit = FileOptions{}.max_decoded_size;
  make_sparse(huge, limit + 1);
  SafeFile file(huge);
  FileReadError error = read_error([&] { file.read(); });
  CHECK(error.path() == huge);
  CHECK_THAT(error.what(), Catch::Contains("the file is " + std::to_string(limit + 1) + " bytes"));
  CHECK_THAT(error.what(), Catch::Contains("exceeds the limit of " + std::to_string(limit) + " bytes"));
  CHECK_THAT(error.what(), Catch::Contains("FileOptions::max_decoded_size"));
  CHECK_THROWS_AS(file.read_bytes(), FileReadError);
  CHECK_THROWS_AS(file.update(Value{{"a", 1}}), FileReadError);
  CHECK(fs::file_size(huge) == limit + 1);  // update changed nothing

  // A smaller limit is honoured to the byte.
  const fs::path small = dir / "small.txt";
  make_sparse(small, 4096);
  CHECK(SafeFile(small, Timeout::infinite(), limited_to(4096)).read_bytes()->size() == 4096);
  FileReadError over = read_error([&] { SafeFile(small, Timeout::infinite(), limited_to(4095)).read_bytes(); });
  CHECK_THAT(over.what(), Catch::Contains("exceeds the limit of 4095 bytes"));
}

TEST_CASE("a file whose size stat does not tell is read only up to the read limit", "[limits]") {
  TempDir dir;
  const fs::path zero = dir / "zero.json";
  spit(zero, "");
  EndlessFile endless("/zero.json", 64 << 20);
  detail::ScopedFileSystem installed(endless);
  FileReadError error = read_error([&] { SafeFile(zero, Timeout::infinite(), limited_to(1 << 20)).read(); });
  CHECK(error.path() == zero);
  CHECK_THAT(error.what(), Catch::Contains("exceeds the limit of 1048576 bytes"));
  CHECK(endless.served() <= (1u << 20) + 1);  // it stopped reading one byte past the limit
}

TEST_CASE("a refused gzip bomb peaks near the read limit, not at twice it", "[limits][codec]") {
  constexpr std::uint64_t kLimit = std::uint64_t{64} << 20;
  TempDir dir;
  const fs::path bomb = dir / "bomb.txt.gz";
  {
    ContentWriter writer = SafeFile(bomb).open_writer();
    const std::string zeros(1 << 20, '\0');
    for (int i = 0; i < 160; ++i) writer.write(zeros);  // 160 MiB decoded, 160 KiB stored
    writer.commit();
  }
  const fs::path report = dir / "peak";
  // In a child so the high-water mark is this read's alone: a forked child's ru_maxrss starts
  // at its resident size, not at the parent's peak.
  ChildProcess child = ChildProcess::fork([&] {
    const long before = max_rss_kib();
    bool refused = false;
    try {
      SafeFile(bomb, Timeout::infinite(), limited_to(kLimit)).read_bytes();
    } catch (const FileReadError& error) {
      refused = std::string(error.what()).find("exceeds the limit of " + std::to_string(kLimit)) != std::string::npos;
    }
    std::ofstream(report) << (max_rss_kib() - before) << "\n";
    return refused ? 0 : 3;
  });
  ExitStatus status = child.wait();
  REQUIRE(status.exited);
  CHECK(status.code == 0);  // refused with the limit named
  long grown_kib = -1;
  std::ifstream(report) >> grown_kib;
  INFO("peak resident growth " << grown_kib << " KiB for a limit of " << kLimit / 1024 << " KiB");
  REQUIRE(grown_kib > 0);
  CHECK(static_cast<double>(grown_kib) * 1024 < 1.3 * static_cast<double>(kLimit));
}
