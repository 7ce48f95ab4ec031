// Shared pieces of the benchmark programs: where they may create files, and a check for the
// bare-syscall baselines. Every program gets one scratch directory for its run, under the
// directory given by --scratch-dir=PATH (default $TMPDIR, else /tmp), removed when the run ends;
// pass a directory on the disk you care about, since fsync costs depend on the filesystem.
//
// Thread-safety: call from the benchmark's thread only.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace benchmark {
class State;
}

namespace atomicio::bench {

/// A fresh, empty directory under this run's scratch directory, named after `name` (unique per
/// call). Exits the program if it cannot be created.
std::filesystem::path fresh_dir(std::string_view name);

/// Returns `result`; when it is negative, prints `what` with errno and exits. For the baselines,
/// whose failure would make every number meaningless.
long checked(long result, const char* what);

/// An O_RDONLY|O_DIRECTORY descriptor of `dir` (for fsync and the *at calls); exits on failure.
int open_dir(const std::filesystem::path& dir);

/// `size` bytes of deterministic printable content.
std::string payload(std::size_t size);

/// Per-iteration wall-clock latencies, for operations whose mean is ruined by rare long stalls
/// (fsync behind someone else's journal commit).
class Latencies {
 public:
  using Clock = std::chrono::steady_clock;
  void add(Clock::duration sample) { samples_.push_back(sample); }
  /// Runs `operation` once and records how long it took.
  template <class Operation>
  void time(Operation&& operation) {
    const auto start = Clock::now();
    operation();
    add(Clock::now() - start);
  }
  /// The `quantile` (0..1) of the samples so far in microseconds; 0 when there are none.
  double quantile_us(double quantile);
  /// Adds counters `<prefix>p50_us` and `<prefix>p90_us` to `state`.
  void report(benchmark::State& state, const std::string& prefix = "");

 private:
  std::vector<Clock::duration> samples_;
};

}  // namespace atomicio::bench
