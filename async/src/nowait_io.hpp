// The optimistic first try of a transfer: preadv2/pwritev2 with RWF_NOWAIT on the initiating
// thread. The kernel does the copy only where it need not wait (the data is in the page cache,
// the write needs no block allocation or writeback throttling) and answers EAGAIN otherwise, so
// the try never blocks the caller's event loop; what it could not do goes to the backend.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace atomicio::detail {

struct NowaitResult {
  bool finished = false;  ///< the whole operation is done (a read may have met the end); no backend
  std::size_t bytes = 0;  ///< moved so far; the backend continues after them when not finished
};

/// Tries to read into [data, data+size) at `offset` without blocking, at most 1 MiB. `fill`:
/// until full or the end of the file; else the first read that returns data. `enabled` is cleared when the
/// filesystem does not support RWF_NOWAIT, so later calls skip the try.
NowaitResult read_nowait(int fd, std::uint64_t offset, char* data, std::size_t size, bool fill,
                         std::atomic<bool>& enabled);

/// Tries to write [data, data+size) at `offset` without blocking, at most 1 MiB. `all`:
/// everything; else the first write that succeeds.
NowaitResult write_nowait(int fd, std::uint64_t offset, const char* data, std::size_t size, bool all,
                          std::atomic<bool>& enabled);

}  // namespace atomicio::detail
