// The scratch directory and main() shared by commit_bench, lock_bench and json_bench. main()
// takes --scratch-dir=PATH out of the command line before Google Benchmark sees it.
#include "bench_support.hpp"

#include <benchmark/benchmark.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

std::string payload(std::size_t size) {
  std::string text(size, ' ');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 26);
  if (size > 0) text.back() = '\n';
  return text;
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
