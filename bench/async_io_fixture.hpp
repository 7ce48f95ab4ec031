// The files async_io_bench works on: one run directory under $ATOMICIO_BENCH_DIR (default
// /var/tmp, a disk rather than tmpfs), made on first use and removed at exit, holding two
// 1 GiB files of non-zero bytes — one that the read rows read, one that the write rows
// overwrite — both flushed to disk once after they are made and then kept in the page cache
// (the rows measure warm reads and writes into cached pages). This VM's memory manager pages
// out file pages left unused for about a minute (a DAMON pageout scheme), so every row reads
// its file once before it is timed (warm_page_cache()) and checks afterwards how much of it
// stayed cached (cached_fraction()).
//
// Thread-safety: call from the benchmark's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace atomicio::bench {

inline constexpr std::uint64_t kFileSize = std::uint64_t{1} << 30;
inline constexpr std::size_t kRandomBlock = 4096;
/// Random reads per iteration: 256 MiB of 4 KiB blocks.
inline constexpr std::size_t kRandomReads = std::size_t{1} << 16;

struct AsyncIoFiles {
  std::filesystem::path dir;
  std::filesystem::path read_path;   ///< read by the read rows, never written after setup
  std::filesystem::path write_path;  ///< overwritten in place by the write rows
  int read_fd = -1;                  ///< O_RDONLY, for the synchronous rows
  int write_fd = -1;                 ///< O_WRONLY, for the synchronous rows
  /// kRandomReads block-aligned offsets in [0, kFileSize), from a fixed seed, so every random
  /// row reads the same blocks in the same order.
  std::vector<std::uint64_t> random_offsets;
};

/// The files, made on the first call (writes 2 GiB and flushes them: a few seconds). Exits the
/// program when they cannot be made.
const AsyncIoFiles& async_io_files();

/// Reads all of `path` once (1 MiB preads), so that its pages are in the page cache.
void warm_page_cache(const std::filesystem::path& path);

/// The share (0..1) of `path`'s pages that are in the page cache now (mmap + mincore).
double cached_fraction(const std::filesystem::path& path);

/// Fills `buffer` with the byte pattern the files hold.
void fill_pattern(char* buffer, std::size_t size);

/// Exits with `what` and the errno text when `result` is negative; returns it otherwise.
long checked_io(long result, const char* what);

}  // namespace atomicio::bench
