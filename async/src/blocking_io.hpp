// The system calls the pool backend makes, each a whole operation: a read that fills its buffer
// (or stops at the end), a write that writes everything. On a file that cannot seek (a FIFO, a
// socket, a character device) offsets are ignored and a descriptor opened O_NONBLOCK is waited
// on with poll(2) in short slices, so that a cancellation is noticed while nothing comes.
#pragma once

#include "pool_job.hpp"

#include <cstddef>
#include <cstdint>

namespace atomicio::detail {

/// How a descriptor is read and written.
enum class Access {
  positional,  ///< pread/pwrite at the offset
  fifo,        ///< read/write in sequence; 0 bytes before any writer came is not the end
  sequential,  ///< read/write in sequence (sockets, character devices)
};

struct IoResult {
  int error = 0;  ///< errno, or ECANCELED for a cancellation noticed while waiting
  std::size_t bytes = 0;
};

/// Reads into [data, data+size) at `offset`. `fill`: until full or the end of the file; else the
/// first read that returns data (or the end).
IoResult read_blocking(int fd, Access access, std::uint64_t offset, char* data, std::size_t size, bool fill,
                       const CancelFlag& cancelled);

/// Writes [data, data+size) at `offset`. `all`: everything; else the first write that
/// succeeds. A write that makes no progress is ENOSPC.
IoResult write_blocking(int fd, Access access, std::uint64_t offset, const char* data, std::size_t size, bool all,
                        const CancelFlag& cancelled);

}  // namespace atomicio::detail
