// The scratch directory, file helpers, timing and main() shared by the benchmark programs but
// value_bench. main() takes --scratch-dir=PATH out of the command line before Google Benchmark
// sees it.
#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace atomicio::bench {

namespace {

std::filesystem::path& run_dir() {
  static std::filesystem::path dir;
  return dir;
}

std::filesystem::path default_parent() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(2);
}

}  // namespace

std::filesystem::path fresh_dir(std::string_view name) {
  static int counter = 0;
  std::filesystem::path dir = run_dir() / (std::string(name) + "-" + std::to_string(++counter));
  std::error_code error;
  if (!std::filesystem::create_directories(dir, error))
    die("cannot create " + dir.string() + ": " + error.message());
  return dir;
}

long checked(long result, const char* what) {
  if (result < 0) die(std::string(what) + ": " + std::strerror(errno));
  return result;
}

int open_dir(const std::filesystem::path& dir) {
  return static_cast<int>(checked(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open directory"));
}

OpenDirectory::OpenDirectory(std::string_view name) : path_(fresh_dir(name)), fd_(open_dir(path_)) {}

OpenDirectory::~OpenDirectory() { ::close(fd_); }

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) die("cannot read " + path.string());
  return bytes;
}

void replace_without_fsync(int dir_fd, const std::string& name, std::string_view bytes) {
  const std::string temp = "." + name + ".tmp";
  const int fd = static_cast<int>(
      checked(::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "open temp"));
  for (std::size_t done = 0; done < bytes.size();)
    done += static_cast<std::size_t>(checked(::write(fd, bytes.data() + done, bytes.size() - done), "write"));
  checked(::close(fd), "close");
  checked(::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()), "rename");
}

std::string payload(std::size_t size) {
  std::string text(size, ' ');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 26);
  if (size > 0) text.back() = '\n';
  return text;
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  checked(::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now), "clock_gettime");
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

double Latencies::quantile_us(double quantile) {
  if (samples_.empty()) return 0;
  std::sort(samples_.begin(), samples_.end());
  const auto at = static_cast<std::size_t>(quantile * static_cast<double>(samples_.size() - 1));
  return std::chrono::duration<double, std::micro>(samples_[at]).count();
}

void Latencies::report(benchmark::State& state, const std::string& prefix) {
  state.counters[prefix + "p50_us"] = quantile_us(0.5);
  state.counters[prefix + "p90_us"] = quantile_us(0.9);
}

namespace {

double median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const std::size_t half = samples.size() / 2;
  return samples.size() % 2 == 1 ? samples[half] : (samples[half - 1] + samples[half]) / 2;
}

}  // namespace

void Interleaved::add(std::string name, std::function<void()> operation) {
  operations_.push_back(Operation{std::move(name), std::move(operation), {}});
}

void Interleaved::run(benchmark::State& state) {
  for (Operation& operation : operations_) operation.run();
  std::size_t first = 0;
  for (auto _ : state) {
    for (std::size_t k = 0; k < operations_.size(); ++k) {
      Operation& operation = operations_[(first + k) % operations_.size()];
      const auto start = thread_cpu_time();
      operation.run();
      operation.seconds.push_back(std::chrono::duration<double>(thread_cpu_time() - start).count());
    }
    first = (first + 1) % operations_.size();
  }
}

const Interleaved::Operation& Interleaved::find(const std::string& name) const {
  for (const Operation& operation : operations_)
    if (operation.name == name) return operation;
  die("no interleaved operation named " + name);
}

void Interleaved::report(benchmark::State& state, const std::vector<std::pair<std::string, std::string>>& ratios) {
  for (const Operation& operation : operations_)
    state.counters[operation.name + "_ms"] = median(operation.seconds) * 1e3;
  for (const auto& [numerator, denominator] : ratios) {
    const Operation& a = find(numerator);
    const Operation& b = find(denominator);
    std::vector<double> quotients;
    for (std::size_t i = 0; i < a.seconds.size() && i < b.seconds.size(); ++i)
      quotients.push_back(a.seconds[i] / b.seconds[i]);
    state.counters[numerator + "_per_" + denominator] = median(quotients);
  }
}

}  // namespace atomicio::bench

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  fs::path parent = atomicio::bench::default_parent();
  std::vector<char*> rest;
  constexpr std::string_view kFlag = "--scratch-dir=";
  for (int i = 0; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (i > 0 && arg.starts_with(kFlag)) parent = arg.substr(kFlag.size());
    else rest.push_back(argv[i]);
  }
  std::string pattern = (parent / "atomicio-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    atomicio::bench::die("cannot create a directory under " + parent.string() + ": " + std::strerror(errno));
  atomicio::bench::run_dir() = fs::canonical(pattern);

  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_count, rest.data())) return 1;
  benchmark::AddCustomContext("scratch_dir", atomicio::bench::run_dir().string());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::error_code ignored;  // Leftovers in /tmp are harmless; failing the run over them is not.
  fs::remove_all(atomicio::bench::run_dir(), ignored);
  return 0;
}
