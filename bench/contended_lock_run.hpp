// Several processes taking turns on one lock, for lock_backend_bench: forks `processes`
// children that each, for a fixed time, acquire the lock, increment a counter kept in a file,
// and release it. Returns how many acquisitions they made, how often the lock passed from one
// process to another, how long each acquire waited, and whether the counter ended exact: a lock that lets two holders in loses increments, so every
// throughput figure comes with the proof that the lock worked.
//
// Thread-safety: call from the benchmark's thread only, with no other threads running (fork).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

namespace atomicio::bench {

/// One process's way of taking and dropping the lock. Built in the child after fork, so every
/// descriptor, file object or lock table entry it opens is the child's own.
class Contender {
 public:
  virtual ~Contender() = default;
  /// Blocks until this process holds the lock exclusively.
  virtual void acquire() = 0;
  virtual void release() = 0;
};

using ContenderFactory = std::function<std::unique_ptr<Contender>()>;

struct ContendedResult {
  std::uint64_t acquisitions = 0;  ///< by all processes together
  double seconds = 0;              ///< from the start signal until the last process's last release
  /// CPU time all processes spent in their loops: unlike throughput per wall-clock second, the
  /// CPU time per acquisition does not depend on how much of the machine other jobs leave.
  double cpu_seconds = 0;
  double mean_wait_us = 0;         ///< acquire latency: the time acquire() took
  double p50_wait_us = 0;
  double p99_wait_us = 0;
  /// The wait of acquisitions that followed another process's: how long a process waited when
  /// the lock really was someone else's (the quantiles of all waits are mostly re-acquisitions
  /// of a lock nobody else took meanwhile).
  double p50_handoff_wait_us = 0;
  double p90_handoff_wait_us = 0;
  /// Acquisitions that followed another process's: how often the lock really changed hands
  /// (a releasing process that re-acquires at once, before any waiter runs, makes none).
  std::uint64_t handoffs = 0;
  std::uint64_t counter = 0;       ///< the shared counter's final value; == acquisitions when exact
  double fewest_share = 0;         ///< the least active process's acquisitions / the mean per process
  double acquisitions_per_second() const { return seconds > 0 ? static_cast<double>(acquisitions) / seconds : 0; }
  bool exact() const { return counter == acquisitions; }
};

/// Runs `processes` children, each looping acquire / increment the counter in `counter_file`
/// (created here, starting at 0) / release until `duration` has passed since they were all
/// released together. Waits for them all. Exits the program when a child fails (a lock error
/// would make every number meaningless). Latencies come from at most the first 2^20
/// acquisitions of each process.
ContendedResult run_contended(int processes, std::chrono::milliseconds duration,
                              const std::filesystem::path& counter_file, const ContenderFactory& make_contender);

}  // namespace atomicio::bench
