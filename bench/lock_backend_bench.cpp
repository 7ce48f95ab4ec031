// Every lock backend next to the system calls it is built on, in the same binary: exclusive
// acquire + release of one file's lock, uncontended and with 1, 2, 4 and 8 processes contending.
//
//   atomicio, per backend (ofd, flock, fcntl, interprocess, lockfile, none):
//     FileLock           a FileLock constructed and destroyed per round (LockOptions{.backend})
//     ThreadedSafeFile   ThreadedSafeFile::locked() on a long-lived file object, the steady
//                        state of SafeFile's own operations (its lock table entry stays alive)
//   bare, on a lock file opened once (uncontended / contended form):
//     ofd           fcntl(F_OFD_SETLK / F_OFD_SETLKW, F_WRLCK) + fcntl(F_OFD_SETLK, F_UNLCK)
//     flock         flock(LOCK_EX) + flock(LOCK_UN)
//     fcntl         fcntl(F_SETLK / F_SETLKW, F_WRLCK) + fcntl(F_SETLK, F_UNLCK)
//     interprocess  the same fcntl calls, and boost::interprocess::file_lock lock() + unlock()
//     lockfile      open(O_CREAT|O_EXCL|O_WRONLY) + write of a short owner record + close, then
//                   unlink; contended, a taken lock is retried after a fixed 50 µs sleep, or
//                   with the backoff the backend uses (the SDK's: 50 µs doubling to 10 ms)
//
// Uncontended/<backend>/<way> rows loop one way in CPU time (nothing waits). The
// Uncontended/<backend>/Interleaved row times batches of rounds of every way in each iteration,
// rotating their order, so drift on this shared machine hits them all alike; its counters are
// `<way>_us` (median CPU time per round) and `<way>_per_<bare way>` (median per-iteration ratio).
// Contended rows fork the processes (contended_lock_run.hpp) and report acquisitions per second
// over all of them, their CPU time per acquisition (what the machine's other load does not
// change), hand-offs between processes per second, acquire latency (wall clock) and
// `exact`: 1 when the counter every holder incremented under the lock ended equal to the number
// of acquisitions. The `none` backend excludes no other process, so its contended rows lose
// updates (exact=0): the control showing that the check can fail.
#include "bench_support.hpp"
#include "contended_lock_run.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include <benchmark/benchmark.h>
#include <boost/interprocess/sync/file_lock.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using atomicio::bench::checked;
using atomicio::bench::Contender;

constexpr std::chrono::milliseconds kContendedFor{500};

// A lock file for the advisory calls, created empty and kept open, as the backends do.
int open_lock_file(const fs::path& path) {
  return static_cast<int>(checked(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666), "open lock file"));
}

fs::path lock_file_of(const fs::path& target) { return fs::path(target.string() + ".lock"); }

int set_record_lock(int fd, int command, short type) {
  struct flock request {};
  request.l_type = type;
  request.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  int result;
  do result = ::fcntl(fd, command, &request);
  while (result < 0 && errno == EINTR);
  return result;
}

class RecordLock final : public Contender {
 public:
  RecordLock(const fs::path& target, int lock_command, int unlock_command)
      : fd_(open_lock_file(lock_file_of(target))), lock_(lock_command), unlock_(unlock_command) {}
  ~RecordLock() override { ::close(fd_); }
  void acquire() override { checked(set_record_lock(fd_, lock_, F_WRLCK), "lock"); }
  void release() override { checked(set_record_lock(fd_, unlock_, F_UNLCK), "unlock"); }

 private:
  int fd_, lock_, unlock_;
};

class Flock final : public Contender {
 public:
  explicit Flock(const fs::path& target) : fd_(open_lock_file(lock_file_of(target))) {}
  ~Flock() override { ::close(fd_); }
  void acquire() override {
    int result;
    do result = ::flock(fd_, LOCK_EX);
    while (result < 0 && errno == EINTR);
    checked(result, "flock LOCK_EX");
  }
  void release() override { checked(::flock(fd_, LOCK_UN), "flock LOCK_UN"); }

 private:
  int fd_;
};

class BoostFileLock final : public Contender {
 public:
  explicit BoostFileLock(const fs::path& target) : lock_(existing_lock_file(target).c_str()) {}
  void acquire() override { lock_.lock(); }
  void release() override { lock_.unlock(); }

 private:
  static fs::path existing_lock_file(const fs::path& target) {  // file_lock opens only existing files
    ::close(open_lock_file(lock_file_of(target)));
    return lock_file_of(target);
  }
  boost::interprocess::file_lock lock_;
};

// The lock file sequence a careful tool writes, without atomicio's owner checks.
class BareLockFile final : public Contender {
 public:
  enum class Retry { fixed_50us, backoff };
  BareLockFile(const fs::path& target, Retry retry)
      : path_(lock_file_of(target)), record_("pid " + std::to_string(::getpid()) + "\n"), retry_(retry) {}
  void acquire() override {
    auto pause = std::chrono::microseconds(50);
    while (!try_create()) {
      std::this_thread::sleep_for(pause);
      if (retry_ == Retry::backoff && pause < std::chrono::milliseconds(10)) pause *= 2;
    }
  }
  void release() override { checked(::unlink(path_.c_str()), "unlink lock file"); }

 private:
  bool try_create() {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) return false;
    checked(fd, "create lock file");
    checked(::write(fd, record_.data(), record_.size()), "write lock file");
    checked(::close(fd), "close lock file");
    return true;
  }
  fs::path path_;
  std::string record_;
  Retry retry_;
};

class PerRoundFileLock final : public Contender {
 public:
  PerRoundFileLock(fs::path target, const char* backend) : target_(std::move(target)), options_{.backend = backend} {}
  void acquire() override { held_.emplace(target_, atomicio::LockMode::exclusive, atomicio::Timeout::infinite(), options_); }
  void release() override { held_.reset(); }

 private:
  fs::path target_;
  atomicio::LockOptions options_;
  std::optional<atomicio::FileLock> held_;
};

class ThreadedSafeFileGuard final : public Contender {
 public:
  ThreadedSafeFileGuard(const fs::path& target, const char* backend)
      : file_(target, atomicio::Timeout::infinite(), atomicio::FileOptions{.lock_backend = backend}) {}
  void acquire() override { held_.emplace(file_.locked()); }
  void release() override { held_.reset(); }

 private:
  atomicio::ThreadedSafeFile file_;
  std::optional<atomicio::FileLock> held_;
};

// ---- the rows ----------------------------------------------------------------------------

using MakeContender = std::function<std::unique_ptr<Contender>(const fs::path& target)>;

template <class T, class... Args>
MakeContender make(Args... args) {
  return [=](const fs::path& target) { return std::make_unique<T>(target, args...); };
}

// A way of taking the lock; each gets its own directory, so no two ways share a lock file.
struct Way {
  std::string name;
  MakeContender make;
  bool bare = false;
  bool uncontended = true;
  bool contended = true;
};

fs::path fresh_target(const std::string& way) { return atomicio::bench::fresh_dir(way) / "target"; }

void uncontended(benchmark::State& state, const Way& way) {
  const std::unique_ptr<Contender> lock = way.make(fresh_target(way.name));
  for (auto _ : state) {
    lock->acquire();
    lock->release();
  }
}

void uncontended_interleaved(benchmark::State& state, const std::vector<Way>& ways, int rounds) {
  atomicio::bench::Interleaved group;
  std::vector<std::unique_ptr<Contender>> locks;
  std::vector<std::pair<std::string, std::string>> ratios;
  for (const Way& way : ways) {
    if (!way.uncontended) continue;
    Contender* lock = locks.emplace_back(way.make(fresh_target(way.name))).get();
    group.add(way.name, [lock, rounds] {
      for (int i = 0; i < rounds; ++i) {
        lock->acquire();
        lock->release();
      }
    });
    for (const Way& bare : ways)
      if (!way.bare && bare.bare && bare.uncontended) ratios.emplace_back(way.name, bare.name);
  }
  group.run(state);
  group.report(state, ratios);
  // A batch's median in ms is, divided by its rounds, a round's in ms: * 1e3 gives µs.
  for (const Way& way : ways) {
    if (!way.uncontended) continue;
    const std::string batch = way.name + "_ms";
    state.counters[way.name + "_us"] = state.counters[batch] * 1e3 / rounds;
    state.counters.erase(batch);
  }
}

void contended(benchmark::State& state, const Way& way) {
  const int processes = static_cast<int>(state.range(0));
  const fs::path target = fresh_target(way.name);
  atomicio::bench::ContendedResult result;
  for (auto _ : state) {
    result = atomicio::bench::run_contended(processes, kContendedFor, target.parent_path() / "counter",
                                            [&] { return way.make(target); });
    state.SetIterationTime(result.seconds);
  }
  state.counters["acq_per_s"] = result.acquisitions_per_second();
  state.counters["handoffs_per_s"] = result.seconds > 0 ? static_cast<double>(result.handoffs) / result.seconds : 0;
  state.counters["cpu_us_per_acq"] =
      result.acquisitions > 0 ? result.cpu_seconds * 1e6 / static_cast<double>(result.acquisitions) : 0;
  state.counters["wait_mean_us"] = result.mean_wait_us;
  state.counters["wait_p50_us"] = result.p50_wait_us;
  state.counters["wait_p99_us"] = result.p99_wait_us;
  state.counters["handoff_wait_p50_us"] = result.p50_handoff_wait_us;
  state.counters["handoff_wait_p90_us"] = result.p90_handoff_wait_us;
  state.counters["fewest_share"] = result.fewest_share;
  state.counters["exact"] = result.exact() ? 1 : 0;
  state.counters["lost_updates"] = static_cast<double>(result.acquisitions - result.counter);
}

std::vector<Way> bare_ways(const std::string& backend) {
  using Retry = BareLockFile::Retry;
  auto record_lock = [](int lock, int unlock) { return make<RecordLock>(lock, unlock); };
  if (backend == "ofd")
    return {{"bare_F_OFD_SETLK", record_lock(F_OFD_SETLK, F_OFD_SETLK), true, true, false},
            {"bare_F_OFD_SETLKW", record_lock(F_OFD_SETLKW, F_OFD_SETLK), true, false, true}};
  if (backend == "flock") return {{"bare_flock", make<Flock>(), true}};
  if (backend == "fcntl" || backend == "interprocess") {
    std::vector<Way> ways{{"bare_F_SETLK", record_lock(F_SETLK, F_SETLK), true, true, false},
                          {"bare_F_SETLKW", record_lock(F_SETLKW, F_SETLK), true, false, true}};
    if (backend == "interprocess") ways.push_back({"bare_boost_file_lock", make<BoostFileLock>(), true});
    return ways;
  }
  if (backend == "lockfile")
    return {{"bare_O_EXCL_create_unlink", make<BareLockFile>(Retry::fixed_50us), true, true, false},
            {"bare_sleep_50us", make<BareLockFile>(Retry::fixed_50us), true, false, true},
            {"bare_backoff", make<BareLockFile>(Retry::backoff), true, false, true}};
  return {};  // none: nothing to compare with but the other backends
}

std::vector<Way> ways_of(const char* backend) {
  std::vector<Way> ways = bare_ways(backend);
  ways.push_back({"FileLock", make<PerRoundFileLock>(backend)});
  ways.push_back({"ThreadedSafeFile", make<ThreadedSafeFileGuard>(backend)});
  return ways;
}

constexpr const char* kBackends[] = {"ofd", "flock", "fcntl", "interprocess", "lockfile", "none"};

[[maybe_unused]] const bool registered = [] {
  for (const char* backend : kBackends) {
    const std::vector<Way> ways = ways_of(backend);
    const std::string prefix = "Uncontended/" + std::string(backend) + "/";
    for (const Way& way : ways)
      if (way.uncontended)
        benchmark::RegisterBenchmark((prefix + way.name).c_str(), [way](benchmark::State& state) { uncontended(state, way); });
    // Rounds per batch: about 10 ms of work, so each timing's clock reads cost nothing.
    const int rounds = std::string(backend) == "lockfile" ? 200 : 1000;
    benchmark::RegisterBenchmark((prefix + "Interleaved").c_str(), [ways, rounds](benchmark::State& state) {
      uncontended_interleaved(state, ways, rounds);
    });
  }
  for (const char* backend : kBackends)
    for (const Way& way : ways_of(backend))
      if (way.contended)
        benchmark::RegisterBenchmark(("Contended/" + std::string(backend) + "/" + way.name).c_str(),
                                     [way](benchmark::State& state) { contended(state, way); })
            ->ArgName("processes")
            ->Arg(1)->Arg(2)->Arg(4)->Arg(8)
            ->Iterations(1)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
