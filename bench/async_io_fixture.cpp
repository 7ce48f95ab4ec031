// Makes async_io_bench's two 1 GiB files once per process and removes them at exit.
#include "async_io_fixture.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <system_error>

namespace atomicio::bench {

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "async_io_bench: %s\n", what.c_str());
  std::exit(2);
}

std::filesystem::path parent_dir() {
  const char* dir = std::getenv("ATOMICIO_BENCH_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/var/tmp";
}

std::filesystem::path& made_dir() {
  static std::filesystem::path dir;
  return dir;
}

void remove_made_dir() {
  std::error_code ignored;  // a leftover in /var/tmp is a nuisance, not a reason to fail the run
  if (!made_dir().empty()) std::filesystem::remove_all(made_dir(), ignored);
}

// Writes kFileSize bytes of the pattern and flushes them, so that no row pays for writing back
// the setup's dirty pages; the pages stay cached.
void make_file(const std::filesystem::path& path) {
  const int fd = static_cast<int>(checked_io(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "create"));
  std::vector<char> chunk(std::size_t{1} << 20);
  fill_pattern(chunk.data(), chunk.size());
  for (std::uint64_t offset = 0; offset < kFileSize; offset += chunk.size()) {
    const auto written = checked_io(::pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(offset)), "pwrite");
    if (static_cast<std::size_t>(written) != chunk.size()) die("short write making " + path.string());
  }
  checked_io(::fdatasync(fd), "fdatasync");
  ::close(fd);
}

AsyncIoFiles make_files() {
  std::string pattern = (parent_dir() / "atomicio-async-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    die("cannot create a directory under " + parent_dir().string() + ": " + std::strerror(errno));
  made_dir() = pattern;
  std::atexit(remove_made_dir);

  AsyncIoFiles files;
  files.dir = pattern;
  files.read_path = files.dir / "read.bin";
  files.write_path = files.dir / "write.bin";
  make_file(files.read_path);
  make_file(files.write_path);
  files.read_fd = static_cast<int>(checked_io(::open(files.read_path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
  files.write_fd = static_cast<int>(checked_io(::open(files.write_path.c_str(), O_WRONLY | O_CLOEXEC), "open"));

  std::mt19937_64 random(20261122);
  std::uniform_int_distribution<std::uint64_t> block(0, kFileSize / kRandomBlock - 1);
  files.random_offsets.resize(kRandomReads);
  for (auto& offset : files.random_offsets) offset = block(random) * kRandomBlock;
  return files;
}

}  // namespace

const AsyncIoFiles& async_io_files() {
  static const AsyncIoFiles files = make_files();
  return files;
}

void warm_page_cache(const std::filesystem::path& path) {
  const int fd = static_cast<int>(checked_io(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
  std::vector<char> chunk(std::size_t{1} << 20);
  for (std::uint64_t offset = 0; offset < kFileSize; offset += chunk.size())
    checked_io(::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(offset)), "pread");
  ::close(fd);
}

double cached_fraction(const std::filesystem::path& path) {
  const int fd = static_cast<int>(checked_io(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
  void* map = ::mmap(nullptr, kFileSize, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) die(std::string("mmap: ") + std::strerror(errno));
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((kFileSize + page - 1) / page);
  checked_io(::mincore(map, kFileSize, resident.data()), "mincore");
  ::munmap(map, kFileSize);
  std::size_t cached = 0;
  for (unsigned char flags : resident) cached += flags & 1u;
  return static_cast<double>(cached) / static_cast<double>(resident.size());
}

void fill_pattern(char* buffer, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) buffer[i] = static_cast<char>('a' + i % 26);
}

long checked_io(long result, const char* what) {
  if (result < 0) die(std::string(what) + ": " + std::strerror(errno));
  return result;
}

}  // namespace atomicio::bench
