// File I/O through atomicio::AsyncFile against a pread/pwrite loop in the same binary (issue 10):
//   - SeqRead/<chunk>, SeqWrite/<chunk>: 1 GiB read or written in order in 64 KiB or 1 MiB chunks;
//   - RandRead4KiB: 65 536 reads of 4 KiB blocks at random block offsets in a 1 GiB file.
// Each has a `sync` row (one thread, pread/pwrite in a loop, one call in flight) and async rows on
// the io_uring and the thread-pool backends with `depth` operations in flight, each without and
// with (`+nowait`) the RWF_NOWAIT try on the initiating thread: callbacks on one
// io_context run by the benchmark thread, each completion issuing the next operation. The
// `bare_asio` rows do a few of them through a boost::asio::random_access_file on the same
// io_context, without atomicio, to tell Asio's io_uring cost from atomicio's own.
//
// Warm page cache throughout: the files are made, flushed and then only read or overwritten;
// each row reads its file once, untimed, before it starts, and the `cached` counter is the share
// of the read file still in the cache after the row. Writes overwrite an existing, cached 1 GiB
// file and are not fsynced in the timed part on either side: an fdatasync of 1 GiB takes 0.5 to
// 6 s on this disk and would hide what is compared. Each write iteration is followed by an
// untimed fdatasync (`fdatasync_s`), so every iteration starts from clean pages and no
// writeback runs under the next one.
//
// Rows are timed in wall-clock time (the pool's threads and the kernel work beside the
// benchmark thread); `cpu_per_wall` is the process's CPU time over that wall time, all threads.
#include "async_io_fixture.hpp"

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/io_engine.hpp>

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <boost/asio/read_at.hpp>
#include <boost/asio/write_at.hpp>

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::IoBackend;
using atomicio::IoEngine;
using atomicio::bench::async_io_files;
using atomicio::bench::checked_io;
using atomicio::bench::kFileSize;
using atomicio::bench::kRandomBlock;
using atomicio::bench::kRandomReads;

enum class Work { sequential_read, sequential_write, random_read };

// What one row does per iteration: `count` operations of `size` bytes, at `offsets` or, when
// it is null, one after another from 0.
struct Job {
  Work work;
  std::size_t size;
  std::size_t count;
  const std::vector<std::uint64_t>* offsets;

  std::uint64_t offset(std::size_t k) const { return offsets != nullptr ? (*offsets)[k] : k * std::uint64_t{size}; }
  bool writes() const { return work == Work::sequential_write; }
  std::int64_t bytes() const { return static_cast<std::int64_t>(size * count); }
};

Job job_of(Work work, std::size_t size) {
  if (work == Work::random_read) return {work, kRandomBlock, kRandomReads, &async_io_files().random_offsets};
  return {work, size, static_cast<std::size_t>(kFileSize / size), nullptr};
}

double process_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Process CPU and wall time of the timed parts of a row.
class CpuShare {
 public:
  template <class Body>
  void time(Body&& body) {
    const double cpu = process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    body();
    wall_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cpu_ += process_cpu_seconds() - cpu;
  }
  double cpu_per_wall() const { return wall_ > 0 ? cpu_ / wall_ : 0; }

 private:
  double cpu_ = 0;
  double wall_ = 0;
};

// Warms the row's file before its first iteration; reports the counters every row reports;
// for writes, flushes between iterations, untimed.
class RowFrame {
 public:
  RowFrame(benchmark::State& state, const Job& job) : state_(state), job_(job) {
    const auto& files = async_io_files();
    atomicio::bench::warm_page_cache(job.writes() ? files.write_path : files.read_path);
  }
  void after_iteration(int fd) {
    if (!job_.writes()) return;
    state_.PauseTiming();
    const auto start = std::chrono::steady_clock::now();
    checked_io(::fdatasync(fd), "fdatasync");
    flush_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state_.ResumeTiming();
  }
  void report(const CpuShare& share) {
    state_.SetBytesProcessed(state_.iterations() * job_.bytes());
    state_.SetItemsProcessed(state_.iterations() * static_cast<std::int64_t>(job_.count));
    state_.counters["cpu_per_wall"] = share.cpu_per_wall();
    if (job_.writes())
      state_.counters["fdatasync_s"] = flush_seconds_ / static_cast<double>(state_.iterations());
    else
      state_.counters["cached"] = atomicio::bench::cached_fraction(async_io_files().read_path);
  }

 private:
  benchmark::State& state_;
  const Job& job_;
  double flush_seconds_ = 0;
};

void sync_row(benchmark::State& state, Work work, std::size_t size) {
  const auto& files = async_io_files();
  const Job job = job_of(work, size);
  const int fd = job.writes() ? files.write_fd : files.read_fd;
  std::vector<char> buffer(job.size);
  atomicio::bench::fill_pattern(buffer.data(), buffer.size());
  CpuShare share;
  RowFrame frame(state, job);
  for (auto _ : state) {
    share.time([&] {
      for (std::size_t k = 0; k < job.count; ++k) {
        const auto offset = static_cast<off_t>(job.offset(k));
        const long done = job.writes() ? ::pwrite(fd, buffer.data(), buffer.size(), offset)
                                       : ::pread(fd, buffer.data(), buffer.size(), offset);
        if (static_cast<std::size_t>(checked_io(done, job.writes() ? "pwrite" : "pread")) != buffer.size())
          return state.SkipWithError("short transfer");
      }
    });
    frame.after_iteration(fd);
  }
  frame.report(share);
}

// AsyncFile's whole-buffer operations, and for the diagnostic rows the same through a bare
// Asio random_access_file (boost::asio::async_read_at / async_write_at), as Pump calls them.
struct AtomicioOps {
  AsyncFile& file;
  template <class Handler>
  void read(std::uint64_t offset, asio::mutable_buffer buffer, Handler&& handler) {
    file.async_read_at(offset, buffer, std::forward<Handler>(handler));
  }
  template <class Handler>
  void write(std::uint64_t offset, asio::const_buffer buffer, Handler&& handler) {
    file.async_write_at(offset, buffer, std::forward<Handler>(handler));
  }
};

struct BareAsioOps {
  asio::random_access_file& file;
  template <class Handler>
  void read(std::uint64_t offset, asio::mutable_buffer buffer, Handler&& handler) {
    asio::async_read_at(file, offset, buffer, std::forward<Handler>(handler));
  }
  template <class Handler>
  void write(std::uint64_t offset, asio::const_buffer buffer, Handler&& handler) {
    asio::async_write_at(file, offset, buffer, std::forward<Handler>(handler));
  }
};

// Keeps `depth` operations of `job` in flight on one file: each completion starts the next
// operation in its buffer slot until `count` have been started.
template <class Ops>
class Pump {
 public:
  Pump(Ops ops, const Job& job, std::size_t depth) : ops_(ops), job_(job), buffers_(depth, std::vector<char>(job.size)) {
    for (auto& buffer : buffers_) atomicio::bench::fill_pattern(buffer.data(), buffer.size());
  }

  // Runs one iteration's operations to the end on `context`; false (and `error`) on a failure.
  bool run(asio::io_context& context, std::string& error) {
    started_ = completed_ = transferred_ = 0;
    error_ = {};
    for (std::size_t slot = 0; slot < buffers_.size(); ++slot) start(slot);
    context.run();
    context.restart();
    if (error_) error = error_.message();
    else if (completed_ != job_.count || transferred_ != static_cast<std::uint64_t>(job_.bytes()))
      error = "short transfer";
    return error.empty();
  }

 private:
  void start(std::size_t slot) {
    if (started_ == job_.count || error_) return;
    const std::uint64_t offset = job_.offset(started_++);
    auto done = [this, slot](boost::system::error_code error, std::size_t bytes) {
      ++completed_;
      transferred_ += bytes;
      if (error && !error_) error_ = error;
      start(slot);
    };
    char* data = buffers_[slot].data();
    if (job_.writes())
      ops_.write(offset, asio::const_buffer(data, job_.size), std::move(done));
    else
      ops_.read(offset, asio::mutable_buffer(data, job_.size), std::move(done));
  }

  Ops ops_;
  const Job& job_;
  std::vector<std::vector<char>> buffers_;
  std::size_t started_ = 0;
  std::size_t completed_ = 0;
  std::uint64_t transferred_ = 0;
  boost::system::error_code error_;
};

template <class Ops>
void pump_rows(benchmark::State& state, asio::io_context& context, const Job& job, Ops ops, std::size_t depth,
               int fd) {
  Pump<Ops> pump(ops, job, depth);
  CpuShare share;
  RowFrame frame(state, job);
  std::string error;
  for (auto _ : state) {
    share.time([&] { pump.run(context, error); });
    if (!error.empty()) return state.SkipWithError(error.c_str());
    frame.after_iteration(fd);
  }
  frame.report(share);
}

// One engine per backend for the whole run, forced so that ATOMICIO_IO_BACKEND cannot change
// what a row measures. The pool keeps its default 4 threads, what a user gets.
IoEngine* engine_for(IoBackend backend, std::string& why) {
  if (backend == IoBackend::io_uring) {
    if (!IoEngine::io_uring_usable(&why)) return nullptr;
    static IoEngine uring({.backend = IoBackend::io_uring, .use_environment = false});
    return &uring;
  }
  static IoEngine pool({.backend = IoBackend::thread_pool, .use_environment = false});
  return &pool;
}

AsyncFile open_on(asio::io_context& context, const std::filesystem::path& path, bool writing, IoEngine& engine,
                  bool nowait) {
  std::exception_ptr error;
  AsyncFile file;
  AsyncFile::async_open(context.get_executor(), path, atomicio::OpenMode::parse(writing ? "r+" : "r"),
                        atomicio::AsyncFileOptions{.engine = &engine, .nowait_first = nowait},
                        [&](std::exception_ptr e, AsyncFile opened) {
                          error = e;
                          file = std::move(opened);
                        });
  context.run();
  context.restart();
  if (error) std::rethrow_exception(error);
  return file;
}

// `nowait`: with the RWF_NOWAIT try first (the default); without it, every transfer goes to the
// backend, which is what the plain backend rows measure.
void async_row(benchmark::State& state, Work work, std::size_t size, IoBackend backend, bool nowait,
               std::size_t depth) {
  std::string why;
  IoEngine* engine = engine_for(backend, why);
  if (engine == nullptr) return state.SkipWithError(("io_uring unusable: " + why).c_str());
  const auto& files = async_io_files();
  const Job job = job_of(work, size);
  asio::io_context context(1);
  AsyncFile file = open_on(context, job.writes() ? files.write_path : files.read_path, job.writes(), *engine, nowait);
  if (file.backend() != backend) return state.SkipWithError(("file on " + file.backend_reason()).c_str());
  pump_rows(state, context, job, AtomicioOps{file}, depth, file.native_handle());
}

// The same operations through a bare boost::asio::random_access_file on the same io_context:
// what Asio's io_uring path costs without atomicio's type erasure and composed operation.
void bare_asio_row(benchmark::State& state, Work work, std::size_t size, std::size_t depth) {
  std::string why;
  if (!IoEngine::io_uring_usable(&why)) return state.SkipWithError(("io_uring unusable: " + why).c_str());
  const auto& files = async_io_files();
  const Job job = job_of(work, size);
  asio::io_context context(1);
  asio::random_access_file file(context, (job.writes() ? files.write_path : files.read_path).string(),
                                job.writes() ? asio::file_base::read_write : asio::file_base::read_only);
  pump_rows(state, context, job, BareAsioOps{file}, depth, file.native_handle());
}

std::string size_name(std::size_t size) {
  return size >= (std::size_t{1} << 20) ? std::to_string(size >> 20) + "MiB" : std::to_string(size >> 10) + "KiB";
}

// "io_uring", "thread_pool"; "+nowait" when the RWF_NOWAIT try runs first.
std::string backend_name(IoBackend backend, bool nowait) {
  return std::string(atomicio::to_string(backend)) + (nowait ? "+nowait" : "");
}

void register_rows() {
  constexpr int kIterations = 3;
  const IoBackend backends[] = {IoBackend::io_uring, IoBackend::thread_pool};
  auto add = [](const std::string& name, auto body) {
    benchmark::RegisterBenchmark(name.c_str(), body)->Iterations(kIterations)->UseRealTime()->Unit(benchmark::kMillisecond);
  };
  for (Work work : {Work::sequential_read, Work::sequential_write}) {
    for (std::size_t size : {std::size_t{64} << 10, std::size_t{1} << 20}) {
      const std::string prefix = std::string(work == Work::sequential_read ? "SeqRead/" : "SeqWrite/") + size_name(size);
      add(prefix + "/sync", [=](benchmark::State& state) { sync_row(state, work, size); });
      for (IoBackend backend : backends)
        for (bool nowait : {false, true})
          for (std::size_t depth : {std::size_t{1}, std::size_t{4}})
            add(prefix + "/" + backend_name(backend, nowait) + "/depth:" + std::to_string(depth),
                [=](benchmark::State& state) { async_row(state, work, size, backend, nowait, depth); });
    }
  }
  add("RandRead4KiB/sync", [](benchmark::State& state) { sync_row(state, Work::random_read, kRandomBlock); });
  for (IoBackend backend : backends)
    for (bool nowait : {false, true})
      for (std::size_t depth : {std::size_t{1}, std::size_t{32}})
        add("RandRead4KiB/" + backend_name(backend, nowait) + "/depth:" + std::to_string(depth),
            [=](benchmark::State& state) { async_row(state, Work::random_read, kRandomBlock, backend, nowait, depth); });
  for (std::size_t depth : {std::size_t{1}, std::size_t{32}})
    add("RandRead4KiB/bare_asio/depth:" + std::to_string(depth),
        [=](benchmark::State& state) { bare_asio_row(state, Work::random_read, kRandomBlock, depth); });
  add("SeqRead/64KiB/bare_asio/depth:1",
      [](benchmark::State& state) { bare_asio_row(state, Work::sequential_read, std::size_t{64} << 10, 1); });
}

}  // namespace

int main(int argc, char** argv) {
  register_rows();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Made before the first row so that the setup's writes and flush are not timed; the same
  // call inside the rows then returns the files already made.
  benchmark::AddCustomContext("bench_dir", async_io_files().dir.string());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
