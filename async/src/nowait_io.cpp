#include "nowait_io.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/uio.h>

namespace atomicio::detail {

namespace {

// The most one try copies on the caller's thread: a copy of about 100 µs here, so a large
// cached read cannot stall the caller's loop for milliseconds; the backend moves the rest.
constexpr std::size_t kMostPerTry = std::size_t{1} << 20;

// EAGAIN: the kernel would wait; the backend does the rest. EOPNOTSUPP (the filesystem has no
// nowait support) and EINVAL (nowait buffered writes, or the offset, unsupported) also go to the
// backend, which reports a real error itself; the first two turn the try off for this file.
template <bool Reading, class Data>
NowaitResult transfer_nowait(int fd, std::uint64_t offset, Data data, std::size_t size, bool whole,
                             std::atomic<bool>& enabled) {
  NowaitResult result;
  if (size == 0 || !enabled.load(std::memory_order_relaxed)) return result;
  const std::size_t most = std::min(size, kMostPerTry);
  while (result.bytes < most) {
    iovec piece{const_cast<char*>(data) + result.bytes, most - result.bytes};
    auto at = static_cast<off_t>(offset + result.bytes);
    ssize_t moved = Reading ? ::preadv2(fd, &piece, 1, at, RWF_NOWAIT) : ::pwritev2(fd, &piece, 1, at, RWF_NOWAIT);
    if (moved < 0) {
      if (errno == EINTR) continue;
      if (errno == EOPNOTSUPP || errno == EINVAL) enabled.store(false, std::memory_order_relaxed);
      return result;
    }
    if (moved == 0) {
      // A read at the end of the file is the end; a write that moved nothing is left to the
      // backend, which tells a full disk from a retry.
      result.finished = Reading;
      return result;
    }
    result.bytes += static_cast<std::size_t>(moved);
    if (!whole) break;
  }
  result.finished = !whole || result.bytes == size;
  return result;
}

}  // namespace

NowaitResult read_nowait(int fd, std::uint64_t offset, char* data, std::size_t size, bool fill,
                         std::atomic<bool>& enabled) {
  return transfer_nowait<true>(fd, offset, data, size, fill, enabled);
}

NowaitResult write_nowait(int fd, std::uint64_t offset, const char* data, std::size_t size, bool all,
                          std::atomic<bool>& enabled) {
  return transfer_nowait<false>(fd, offset, data, size, all, enabled);
}

}  // namespace atomicio::detail
