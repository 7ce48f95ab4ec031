// Reading and writing a ~20 MB JSON document (an array of records with strings, integers,
// doubles, booleans, nested objects and arrays; generated deterministically, pretty-printed with
// 2-space indent as format.json writes it). Reading: SafeFile::read (shared lock, raw read,
// parse through the format.json plugin into atomicio::Value) against std::ifstream + json::parse,
// once into nlohmann::json and once into atomicio::Value. Writing: SafeFile::write (exclusive
// lock, format.json serializer, durable commit) against Value::dump(2) into a string written to
// a temp file with fsync + rename + fsync(dir), the same durability by hand. The Slurp, ReadBytes
// and DumpAtomicWriter rows split the totals into I/O and (de)serialization.
#include "bench_support.hpp"
#include "sample_document.hpp"

#include <atomicio/atomic_writer.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/value.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace {

using atomicio::Value;
using atomicio::bench::checked;

constexpr int kRecords = 42000;

const Value& document() {
  static const Value doc = atomicio::bench::sample_records(kRecords);
  return doc;
}

// The fixture for the read benchmarks, written once by SafeFile so the bytes are format.json's.
const std::filesystem::path& fixture() {
  static const std::filesystem::path path = [] {
    auto file = atomicio::bench::fresh_dir("fixture") / "data.json";
    atomicio::SafeFile(file).write(document());
    return file;
  }();
  return path;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

// Runs `operation` once untimed (first-use costs: plugin loading, the allocator settling on
// the sizes, the target coming to exist), then once per iteration, and rates the iterations
// by the size of `file`, read afterwards.
template <class Operation>
void run(benchmark::State& state, const std::filesystem::path& file, Operation&& operation) {
  operation();
  for (auto _ : state) operation();
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(std::filesystem::file_size(file)));
}

// The least a reader can do: open, fstat, one read() of the whole file.
std::string posix_slurp(const std::filesystem::path& path) {
  const int fd = static_cast<int>(checked(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
  struct stat info {};
  checked(::fstat(fd, &info), "fstat");
  std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
  for (std::size_t done = 0; done < bytes.size();)
    done += static_cast<std::size_t>(checked(::read(fd, bytes.data() + done, bytes.size() - done), "read"));
  ::close(fd);
  return bytes;
}

void BM_Read_PosixSlurp(benchmark::State& state) {
  run(state, fixture(), [] { benchmark::DoNotOptimize(posix_slurp(fixture())); });
}

void BM_Read_IfstreamSlurp(benchmark::State& state) {
  run(state, fixture(), [] { benchmark::DoNotOptimize(slurp(fixture())); });
}

void BM_Read_IfstreamNlohmannParse(benchmark::State& state) {
  run(state, fixture(), [] { benchmark::DoNotOptimize(nlohmann::json::parse(slurp(fixture()))); });
}

void BM_Read_IfstreamValueParse(benchmark::State& state) {
  run(state, fixture(), [] { benchmark::DoNotOptimize(Value::parse(slurp(fixture()))); });
}

void BM_Read_SafeFileReadBytes(benchmark::State& state) {
  const atomicio::SafeFile file(fixture());
  run(state, fixture(), [&] { benchmark::DoNotOptimize(file.read_bytes()); });
}

void BM_Read_SafeFileRead(benchmark::State& state) {
  const atomicio::SafeFile file(fixture());
  std::optional<Value> value;
  run(state, fixture(), [&] {
    value = file.read();
    benchmark::DoNotOptimize(value);
  });
  state.counters["same_document"] = value == document() ? 1 : 0;
}

void write_all(int fd, const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();)
    done += static_cast<std::size_t>(checked(::write(fd, bytes.data() + done, bytes.size() - done), "write"));
}

void BM_Write_DumpFsyncRename(benchmark::State& state) {
  const auto dir = atomicio::bench::fresh_dir("bare-write");
  const int dir_fd = atomicio::bench::open_dir(dir);
  run(state, dir / "data.json", [&] {
    const std::string text = document().dump(2);
    const int fd = static_cast<int>(checked(
        ::openat(dir_fd, ".data.json.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), "open temp"));
    write_all(fd, text);
    write_all(fd, "\n");  // format.json ends the file with a newline; same bytes on both sides
    checked(::fsync(fd), "fsync");
    checked(::close(fd), "close");
    checked(::renameat(dir_fd, ".data.json.tmp", dir_fd, "data.json"), "rename");
    checked(::fsync(dir_fd), "fsync dir");
  });
  ::close(dir_fd);
}

void BM_Write_DumpAtomicWriter(benchmark::State& state) {
  const auto target = atomicio::bench::fresh_dir("writer") / "data.json";
  run(state, target, [&] {
    atomicio::AtomicWriter writer(target);
    writer.write(document().dump(2));
    writer.write("\n");
    writer.commit();
  });
}

void BM_Write_SafeFileWrite(benchmark::State& state) {
  const auto target = atomicio::bench::fresh_dir("safefile") / "data.json";
  atomicio::SafeFile file(target);
  run(state, target, [&] { file.write(document()); });
  state.counters["same_bytes_as_dump2"] = slurp(target) == document().dump(2) + "\n" ? 1 : 0;
}

}  // namespace

// A few iterations each: one iteration moves ~20 MB, so the run stays well under two minutes.
// Reads (page-cache hits, CPU-bound) are timed and rated by CPU time, writes by wall-clock time
// since they wait on fsync.
BENCHMARK(BM_Read_PosixSlurp)->Unit(benchmark::kMillisecond)->Iterations(8);
BENCHMARK(BM_Read_IfstreamSlurp)->Unit(benchmark::kMillisecond)->Iterations(8);
BENCHMARK(BM_Read_SafeFileReadBytes)->Unit(benchmark::kMillisecond)->Iterations(8);
BENCHMARK(BM_Read_IfstreamNlohmannParse)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Read_IfstreamValueParse)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Read_SafeFileRead)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Write_DumpFsyncRename)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(BM_Write_DumpAtomicWriter)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(BM_Write_SafeFileWrite)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
