// Small-file commit latency. Measures one complete replace of a 100 B and a 4 KiB file:
//   - through atomicio::AtomicWriter (construct, write, commit), and through SafeFile::write_bytes
//     (the same commit plus the exclusive lock, default backend, on a long-lived SafeFile);
//   - against the bare sequence a careful program would write by hand, in the same binary:
//     open(O_CREAT|O_EXCL temp) + write + fsync + close + rename + fsync(dir), with the
//     directory fd opened once outside the loop (the cheapest correct form).
// The same three again with Durability::process_crash_only, against a bare write + rename with
// no fsync. An untimed first commit creates the target, so every timed one replaces a file.
// The *_Interleaved rows run the three side by side in one loop (rotating their order), so
// that a disk whose latency drifts while the benchmark runs affects all three alike.
#include "bench_support.hpp"

#include <atomicio/atomic_writer.hpp>
#include <atomicio/safe_file.hpp>

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <stdio.h>

#include <cstdio>
#include <unistd.h>

#include <string>

namespace {

using atomicio::Durability;
using atomicio::bench::checked;
using atomicio::bench::Latencies;

class BareCommit {
 public:
  BareCommit(const std::filesystem::path& dir, bool durable)
      : dir_fd_(atomicio::bench::open_dir(dir)), durable_(durable) {}
  ~BareCommit() { ::close(dir_fd_); }
  BareCommit(const BareCommit&) = delete;
  BareCommit& operator=(const BareCommit&) = delete;

  void operator()(const std::string& data) const {
    const int fd = static_cast<int>(checked(
        ::openat(dir_fd_, ".target.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "open temp"));
    checked(::write(fd, data.data(), data.size()), "write");
    if (durable_) checked(::fsync(fd), "fsync");
    checked(::close(fd), "close");
    checked(::renameat(dir_fd_, ".target.tmp", dir_fd_, "target"), "rename");
    if (durable_) checked(::fsync(dir_fd_), "fsync dir");
  }

 private:
  int dir_fd_;
  bool durable_;
};

void writer_commit(const std::filesystem::path& target, Durability durability, const std::string& data) {
  atomicio::AtomicWriter writer(target, {durability, atomicio::WriteMode::replace});
  writer.write(data);
  writer.commit();
}

atomicio::SafeFile make_safe_file(Durability durability) {
  atomicio::FileOptions options;
  options.durability = durability;
  return atomicio::SafeFile(atomicio::bench::fresh_dir("safefile") / "target", atomicio::Timeout::infinite(),
                            options);
}

std::string payload_for(const benchmark::State& state) {
  return atomicio::bench::payload(static_cast<std::size_t>(state.range(0)));
}

void bare(benchmark::State& state, bool durable) {
  const std::string data = payload_for(state);
  const BareCommit commit(atomicio::bench::fresh_dir("bare"), durable);
  commit(data);  // untimed: the target exists from here on, as in the other rows
  Latencies latencies;
  for (auto _ : state) latencies.time([&] { commit(data); });
  latencies.report(state);
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void atomic_writer(benchmark::State& state, Durability durability) {
  const std::string data = payload_for(state);
  const auto target = atomicio::bench::fresh_dir("writer") / "target";
  writer_commit(target, durability, data);  // untimed: creates the target, sweeps the directory once
  Latencies latencies;
  for (auto _ : state) latencies.time([&] { writer_commit(target, durability, data); });
  latencies.report(state);
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void safe_file(benchmark::State& state, Durability durability) {
  const std::string data = payload_for(state);
  atomicio::SafeFile file = make_safe_file(durability);
  file.write_bytes(data);  // untimed: also loads the lock plugin and resolves the lock entry
  Latencies latencies;
  for (auto _ : state) latencies.time([&] { file.write_bytes(data); });
  latencies.report(state);
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// Reports each variant's percentiles and the ratios of the medians to the bare one.
void interleaved(benchmark::State& state, Durability durability) {
  const std::string data = payload_for(state);
  const BareCommit bare_commit(atomicio::bench::fresh_dir("bare"), durability == Durability::full);
  const auto writer_target = atomicio::bench::fresh_dir("writer") / "target";
  atomicio::SafeFile file = make_safe_file(durability);
  bare_commit(data);  // untimed first commits, as in the separate rows
  writer_commit(writer_target, durability, data);
  file.write_bytes(data);
  Latencies bare_latencies, writer_latencies, file_latencies;
  int round = 0;
  for (auto _ : state) {
    for (int step = 0; step < 3; ++step) {
      switch ((round + step) % 3) {
        case 0: bare_latencies.time([&] { bare_commit(data); }); break;
        case 1: writer_latencies.time([&] { writer_commit(writer_target, durability, data); }); break;
        default: file_latencies.time([&] { file.write_bytes(data); }); break;
      }
    }
    ++round;
  }
  bare_latencies.report(state, "bare_");
  writer_latencies.report(state, "writer_");
  file_latencies.report(state, "safefile_");
  const double bare_p50 = bare_latencies.quantile_us(0.5);
  state.counters["writer_x"] = writer_latencies.quantile_us(0.5) / bare_p50;
  state.counters["safefile_x"] = file_latencies.quantile_us(0.5) / bare_p50;
}

// Every commit sweeps its directory for dead writers' temps (readdir, and for a name shaped like
// a temp an open, statx and check). These rows commit 100 B without fsync, so the sweep is most
// of what differs, into a directory that already holds range(0) other files: plain names, or
// names shaped like temps (the sweep's worst case: each is opened and checked).
void crowded_directory(benchmark::State& state, bool temp_shaped) {
  const std::string data = atomicio::bench::payload(100);
  const auto dir = atomicio::bench::fresh_dir(temp_shaped ? "crowded_temps" : "crowded");
  for (long i = 0; i < state.range(0); ++i) {
    char name[80];
    if (temp_shaped)
      std::snprintf(name, sizeof name, ".f%ld.atomicio-%024lx-%016lx.tmp", i, i, i);
    else
      std::snprintf(name, sizeof name, "file-%08ld.json", i);
    const int fd = static_cast<int>(checked(
        ::open((dir / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "create entry"));
    ::close(fd);
  }
  const auto target = dir / "target";
  writer_commit(target, Durability::process_crash_only, data);
  Latencies latencies;
  for (auto _ : state) latencies.time([&] { writer_commit(target, Durability::process_crash_only, data); });
  latencies.report(state);
}

void BM_NoFsync_AtomicWriter_CrowdedDir(benchmark::State& state) { crowded_directory(state, false); }
void BM_NoFsync_AtomicWriter_TempShapedDir(benchmark::State& state) { crowded_directory(state, true); }

void BM_Durable_Bare(benchmark::State& state) { bare(state, true); }
void BM_Durable_AtomicWriter(benchmark::State& state) { atomic_writer(state, Durability::full); }
void BM_Durable_SafeFileWriteBytes(benchmark::State& state) { safe_file(state, Durability::full); }
void BM_Durable_Interleaved(benchmark::State& state) { interleaved(state, Durability::full); }
void BM_NoFsync_Bare(benchmark::State& state) { bare(state, false); }
void BM_NoFsync_AtomicWriter(benchmark::State& state) {
  atomic_writer(state, Durability::process_crash_only);
}
void BM_NoFsync_SafeFileWriteBytes(benchmark::State& state) {
  safe_file(state, Durability::process_crash_only);
}
void BM_NoFsync_Interleaved(benchmark::State& state) { interleaved(state, Durability::process_crash_only); }

}  // namespace

// Wall-clock time, since a commit mostly waits on fsync. fsync latency has a long tail on a busy
// disk, so besides the mean (Time) each run reports the median and 90th percentile of its
// iterations (p50_us, p90_us); compare medians. Fixed iteration counts keep runs short.
#define ATOMICIO_COMMIT_BENCH(function, iterations) \
  BENCHMARK(function)                                   \
      ->Arg(100)                                         \
      ->Arg(4096)                                        \
      ->Unit(benchmark::kMicrosecond)                    \
      ->UseRealTime()                                    \
      ->Iterations(iterations)
ATOMICIO_COMMIT_BENCH(BM_Durable_Bare, 200);
ATOMICIO_COMMIT_BENCH(BM_Durable_AtomicWriter, 200);
ATOMICIO_COMMIT_BENCH(BM_Durable_SafeFileWriteBytes, 200);
ATOMICIO_COMMIT_BENCH(BM_Durable_Interleaved, 100);  // three commits per iteration
ATOMICIO_COMMIT_BENCH(BM_NoFsync_Bare, 1000);
ATOMICIO_COMMIT_BENCH(BM_NoFsync_AtomicWriter, 1000);
ATOMICIO_COMMIT_BENCH(BM_NoFsync_SafeFileWriteBytes, 1000);
ATOMICIO_COMMIT_BENCH(BM_NoFsync_Interleaved, 500);
BENCHMARK(BM_NoFsync_AtomicWriter_CrowdedDir)
    ->Arg(0)->Arg(1000)->Arg(10000)->Arg(100000)
    ->Unit(benchmark::kMicrosecond)->UseRealTime()->Iterations(200);
BENCHMARK(BM_NoFsync_AtomicWriter_TempShapedDir)
    ->Arg(1000)->Arg(10000)
    ->Unit(benchmark::kMicrosecond)->UseRealTime()->Iterations(100);
