// Uncontended lock round trips (acquire then release, exclusive, one thread). Measures
//   - atomicio::FileLock constructed and destroyed per round, with the "ofd" and "none" backends;
//   - ThreadedSafeFile::locked() on a long-lived file object (how SafeFile's own operations lock),
//     with the same two backends;
// against, in the same binary, the bare calls on a sidecar fd kept open: fcntl(F_OFD_SETLK,
// F_WRLCK) + fcntl(F_OFD_SETLK, F_UNLCK), and flock(LOCK_EX) + flock(LOCK_UN). A third baseline,
// open + OFD lock + unlock + close of the sidecar per round, prices a lock that keeps no fd.
#include "bench_support.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <string>

namespace {

using atomicio::bench::checked;

int set_ofd_lock(int fd, short type) {
  struct flock request {};
  request.l_type = type;
  request.l_whence = SEEK_SET;
  return ::fcntl(fd, F_OFD_SETLK, &request);
}

int open_sidecar(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  return static_cast<int>(checked(fd, "open sidecar"));
}

void BM_Bare_OfdLock(benchmark::State& state) {
  const int fd = open_sidecar(atomicio::bench::fresh_dir("ofd") / "target.lock");
  for (auto _ : state) {
    checked(set_ofd_lock(fd, F_WRLCK), "F_OFD_SETLK F_WRLCK");
    checked(set_ofd_lock(fd, F_UNLCK), "F_OFD_SETLK F_UNLCK");
  }
  ::close(fd);
}

void BM_Bare_Flock(benchmark::State& state) {
  const int fd = open_sidecar(atomicio::bench::fresh_dir("flock") / "target.lock");
  for (auto _ : state) {
    checked(::flock(fd, LOCK_EX), "flock LOCK_EX");
    checked(::flock(fd, LOCK_UN), "flock LOCK_UN");
  }
  ::close(fd);
}

void BM_Bare_OpenOfdLockClose(benchmark::State& state) {
  const auto sidecar = atomicio::bench::fresh_dir("ofd-open") / "target.lock";
  for (auto _ : state) {
    const int fd = open_sidecar(sidecar);
    checked(set_ofd_lock(fd, F_WRLCK), "F_OFD_SETLK F_WRLCK");
    checked(set_ofd_lock(fd, F_UNLCK), "F_OFD_SETLK F_UNLCK");
    ::close(fd);
  }
}

void file_lock(benchmark::State& state, const char* backend) {
  const auto target = atomicio::bench::fresh_dir(backend) / "target";
  const atomicio::LockOptions options{backend, nullptr};
  for (auto _ : state) {
    atomicio::FileLock lock(target, atomicio::LockMode::exclusive, atomicio::Timeout::infinite(), options);
    benchmark::DoNotOptimize(lock);
  }
}

void threaded_safe_file_locked(benchmark::State& state, const char* backend) {
  const auto target = atomicio::bench::fresh_dir(backend) / "target";
  atomicio::FileOptions options;
  options.lock_backend = backend;
  const atomicio::ThreadedSafeFile file(target, atomicio::Timeout::infinite(), options);
  for (auto _ : state) {
    atomicio::FileLock lock = file.locked();
    benchmark::DoNotOptimize(lock);
  }
}

void BM_FileLock_Ofd(benchmark::State& state) { file_lock(state, "ofd"); }
void BM_FileLock_None(benchmark::State& state) { file_lock(state, "none"); }
void BM_ThreadedSafeFileLocked_Ofd(benchmark::State& state) { threaded_safe_file_locked(state, "ofd"); }
void BM_ThreadedSafeFileLocked_None(benchmark::State& state) { threaded_safe_file_locked(state, "none"); }

}  // namespace

// CPU time (the default): nothing here waits, so it is the figure least disturbed by other load.
BENCHMARK(BM_Bare_OfdLock);
BENCHMARK(BM_Bare_Flock);
BENCHMARK(BM_Bare_OpenOfdLockClose);
BENCHMARK(BM_FileLock_Ofd);
BENCHMARK(BM_FileLock_None);
BENCHMARK(BM_ThreadedSafeFileLocked_Ofd);
BENCHMARK(BM_ThreadedSafeFileLocked_None);
