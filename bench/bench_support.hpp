// Shared pieces of the benchmark programs: where they may create files, the bare-syscall
// helpers of the baselines, and the timing of compared operations (Latencies, Interleaved).
// Every program gets one scratch directory for its run, under the
// directory given by --scratch-dir=PATH (default $TMPDIR, else /tmp), removed when the run ends;
// pass a directory on the disk you care about, since fsync costs depend on the filesystem.
//
// Thread-safety: call from the benchmark's thread only.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
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

/// A fresh_dir() held open (open_dir()) for the *at calls; the descriptor closes with it.
class OpenDirectory {
 public:
  explicit OpenDirectory(std::string_view name);
  OpenDirectory(const OpenDirectory&) = delete;
  OpenDirectory& operator=(const OpenDirectory&) = delete;
  ~OpenDirectory();
  const std::filesystem::path& path() const noexcept { return path_; }
  int fd() const noexcept { return fd_; }

 private:
  std::filesystem::path path_;
  int fd_;
};

/// The whole content of the file at `path` (std::ifstream); exits on failure.
std::string slurp(const std::filesystem::path& path);

/// Writes `bytes` to a new temporary file in the directory `dir_fd` and renames it over `name`:
/// the bare replace, without fsync (the baseline of Durability::process_crash_only).
void replace_without_fsync(int dir_fd, const std::string& name, std::string_view bytes);

/// `size` bytes of deterministic printable content.
std::string payload(std::size_t size);

/// CPU time used so far by the calling thread (CLOCK_THREAD_CPUTIME_ID).
std::chrono::nanoseconds thread_cpu_time();

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

/// Operations compared with each other, timed in the same iterations: each iteration runs every
/// operation once, starting one further along the list than the iteration before, and times
/// each in the thread's CPU time. When other jobs on the machine slow it down for a while, all
/// the operations see the same slowdown, and the per-iteration ratios cancel most of it.
class Interleaved {
 public:
  void add(std::string name, std::function<void()> operation);
  /// Runs every operation once untimed (first-use costs), then the benchmark's iterations.
  void run(benchmark::State& state);
  /// Adds counters `<name>_ms`, each operation's median CPU time in milliseconds, and for each
  /// pair (a, b) `<a>_per_<b>`, the median over the iterations of a's time divided by b's.
  void report(benchmark::State& state, const std::vector<std::pair<std::string, std::string>>& ratios);

 private:
  struct Operation {
    std::string name;
    std::function<void()> run;
    std::vector<double> seconds;  // one per iteration
  };
  const Operation& find(const std::string& name) const;
  std::vector<Operation> operations_;
};

}  // namespace atomicio::bench
