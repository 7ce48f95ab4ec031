// The fork harness behind run_contended(). Children report through one shared anonymous mapping
// (their acquisition counts, end times and per-acquisition waits), so nothing is copied through
// pipes; the pipes only line the children up: each says it is ready (its lock object is built,
// plugins loaded), then they all start when the parent closes the "go" pipe.
#include "contended_lock_run.hpp"

#include "bench_support.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <vector>

namespace atomicio::bench {

namespace {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC: one time line for every process

constexpr std::size_t kSamplesPerProcess = std::size_t{1} << 20;
constexpr std::uint32_t kHandoff = std::uint32_t{1} << 31;
constexpr std::uint32_t kMaxWait = kHandoff - 1;  // 2.1 s

struct ProcessReport {
  std::uint64_t acquisitions;
  std::uint64_t handoffs;                // acquisitions that followed another process's
  std::int64_t cpu_ns;                   // CPU time the process spent in its loop
  Clock::rep last_release;               // Clock ticks since its epoch
  std::uint32_t wait[kSamplesPerProcess];  // ns, saturated at kMaxWait; kHandoff marks hand-offs
};

// The shared mapping: this header, then one ProcessReport per child.
struct alignas(64) SharedReports {
  Clock::rep start;  // set by the parent just before it releases the children
  ProcessReport& process(int index) { return reinterpret_cast<ProcessReport*>(this + 1)[index]; }
  const ProcessReport& process(int index) const { return reinterpret_cast<const ProcessReport*>(this + 1)[index]; }
};

std::size_t mapping_size(int processes) {
  return sizeof(SharedReports) + sizeof(ProcessReport) * static_cast<std::size_t>(processes);
}

// The file under the lock: how many acquisitions there were, and which process made the last.
struct Counter {
  std::uint64_t value;
  std::int64_t last_holder;
};

// Increments the counter; true when the previous holder was another process (a hand-off).
bool increment_counter(int fd) {
  Counter counter{};
  if (::pread(fd, &counter, sizeof counter, 0) != static_cast<ssize_t>(sizeof counter)) checked(-1, "read counter");
  const bool handed_over = counter.last_holder != ::getpid();
  ++counter.value;
  counter.last_holder = ::getpid();
  if (::pwrite(fd, &counter, sizeof counter, 0) != static_cast<ssize_t>(sizeof counter)) checked(-1, "write counter");
  return handed_over;
}

std::chrono::nanoseconds process_cpu_time() {
  timespec now{};
  checked(::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now), "clock_gettime");
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

[[noreturn]] void run_child(SharedReports& shared, ProcessReport& report, int ready_fd, int go_fd,
                            const std::filesystem::path& counter_file, std::chrono::milliseconds duration,
                            const ContenderFactory& make_contender) {
  try {
    std::unique_ptr<Contender> contender = make_contender();
    const int counter_fd = static_cast<int>(checked(::open(counter_file.c_str(), O_RDWR | O_CLOEXEC), "open counter"));
    checked(::write(ready_fd, "r", 1), "write ready pipe");
    ::close(ready_fd);
    char ignored;
    checked(::read(go_fd, &ignored, 1), "read go pipe");  // returns 0 once the parent closes it
    const Clock::time_point deadline = Clock::time_point(Clock::duration(shared.start)) + duration;
    const auto cpu_before = process_cpu_time();
    std::uint64_t count = 0;
    std::uint64_t handoffs = 0;
    Clock::time_point released = Clock::now();
    for (Clock::time_point before = released; before < deadline; before = Clock::now()) {
      contender->acquire();
      const auto waited = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - before).count();
      const bool handed_over = increment_counter(counter_fd);
      contender->release();
      if (handed_over) ++handoffs;
      if (count < kSamplesPerProcess)
        report.wait[count] = static_cast<std::uint32_t>(std::min<std::int64_t>(waited, kMaxWait)) | (handed_over ? kHandoff : 0);
      ++count;
    }
    released = Clock::now();
    report.acquisitions = count;
    report.handoffs = handoffs;
    report.cpu_ns = (process_cpu_time() - cpu_before).count();
    report.last_release = released.time_since_epoch().count();
    ::close(counter_fd);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: contending process failed: %s\n", error.what());
    ::_exit(3);
  }
  // _exit: the child must not run the parent's atexit handlers or flush its stdio buffers.
  ::_exit(0);
}

void wait_for_children(const std::vector<pid_t>& children) {
  bool all_fine = true;
  for (pid_t child : children) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0)
      if (errno != EINTR) checked(-1, "waitpid");
    all_fine = all_fine && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!all_fine) {
    std::fprintf(stderr, "bench: a contending process failed; the numbers would be meaningless\n");
    std::exit(2);
  }
}

// The `quantile` (0..1) of `samples` in microseconds (reorders them); 0 when there are none.
double quantile_us(std::vector<std::uint32_t>& samples, double quantile) {
  if (samples.empty()) return 0;
  auto at = samples.begin() + static_cast<std::ptrdiff_t>(quantile * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), at, samples.end());
  return *at / 1e3;
}

void summarize_waits(const SharedReports& shared, int processes, ContendedResult& result) {
  std::vector<std::uint32_t> waits;
  std::vector<std::uint32_t> handoff_waits;
  for (int i = 0; i < processes; ++i) {
    const ProcessReport& report = shared.process(i);
    const auto kept = std::min<std::uint64_t>(report.acquisitions, kSamplesPerProcess);
    for (std::uint64_t k = 0; k < kept; ++k) {
      waits.push_back(report.wait[k] & kMaxWait);
      if ((report.wait[k] & kHandoff) != 0) handoff_waits.push_back(report.wait[k] & kMaxWait);
    }
  }
  if (waits.empty()) return;
  double sum = 0;
  for (std::uint32_t wait : waits) sum += wait;
  result.mean_wait_us = sum / static_cast<double>(waits.size()) / 1e3;
  result.p50_wait_us = quantile_us(waits, 0.50);
  result.p99_wait_us = quantile_us(waits, 0.99);
  result.p50_handoff_wait_us = quantile_us(handoff_waits, 0.50);
  result.p90_handoff_wait_us = quantile_us(handoff_waits, 0.90);
}

}  // namespace

ContendedResult run_contended(int processes, std::chrono::milliseconds duration,
                              const std::filesystem::path& counter_file, const ContenderFactory& make_contender) {
  {
    const int fd = static_cast<int>(checked(::open(counter_file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), "create counter"));
    const Counter zero{0, 0};
    checked(::pwrite(fd, &zero, sizeof zero, 0), "write counter");
    ::close(fd);
  }
  const std::size_t size = mapping_size(processes);
  void* mapping = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) checked(-1, "mmap");
  auto& shared = *::new (mapping) SharedReports{};

  int ready[2];
  int go[2];
  checked(::pipe2(ready, O_CLOEXEC), "pipe");
  checked(::pipe2(go, O_CLOEXEC), "pipe");
  std::fflush(nullptr);  // or the children would inherit and write out buffered output again
  std::vector<pid_t> children;
  for (int i = 0; i < processes; ++i) {
    const pid_t child = static_cast<pid_t>(checked(::fork(), "fork"));
    if (child == 0) {
      ::close(ready[0]);
      ::close(go[1]);  // or the go pipe would never reach end-of-file in this child
      run_child(shared, shared.process(i), ready[1], go[0], counter_file, duration, make_contender);
    }
    children.push_back(child);
  }
  ::close(ready[1]);
  char byte;
  while (checked(::read(ready[0], &byte, 1), "read ready pipe") > 0) {
  }  // end-of-file: every child is ready (or dead, which waitpid reports)
  ::close(ready[0]);
  shared.start = Clock::now().time_since_epoch().count();
  ::close(go[1]);
  wait_for_children(children);
  ::close(go[0]);

  ContendedResult result;
  Clock::rep last = shared.start;
  std::uint64_t fewest = UINT64_MAX;
  for (int i = 0; i < processes; ++i) {
    result.acquisitions += shared.process(i).acquisitions;
    result.handoffs += shared.process(i).handoffs;
    result.cpu_seconds += static_cast<double>(shared.process(i).cpu_ns) / 1e9;
    last = std::max(last, shared.process(i).last_release);
    fewest = std::min(fewest, shared.process(i).acquisitions);
  }
  result.seconds = std::chrono::duration<double>(Clock::duration(last - shared.start)).count();
  if (result.acquisitions > 0)
    result.fewest_share = static_cast<double>(fewest) * processes / static_cast<double>(result.acquisitions);
  summarize_waits(shared, processes, result);
  ::munmap(mapping, size);

  const int fd = static_cast<int>(checked(::open(counter_file.c_str(), O_RDONLY | O_CLOEXEC), "open counter"));
  Counter counter{};
  checked(::pread(fd, &counter, sizeof counter, 0), "read counter");
  result.counter = counter.value;
  ::close(fd);
  return result;
}

}  // namespace atomicio::bench
