// pread/pwrite loops for the pool, and the poll-based wait for files that cannot seek.
#include "blocking_io.hpp"

#include <cerrno>
#include <climits>
#include <poll.h>
#include <unistd.h>

namespace atomicio::detail {

namespace {

// Long enough to cost nothing while data flows, short enough that a cancelled read of a silent
// FIFO returns promptly.
constexpr int kPollSliceMs = 20;

// Waits for `events` on a non-blocking descriptor. Returns 0 when ready (or hung up: the next
// read or write tells which), ECANCELED when cancelled meanwhile, else errno.
int wait_for(int fd, short events, const CancelFlag& cancelled) {
  for (;;) {
    if (cancelled.load(std::memory_order_relaxed)) return ECANCELED;
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, kPollSliceMs);
    if (ready < 0 && errno != EINTR) return errno;
    if (ready > 0) return 0;
  }
}

// A FIFO opened O_NONBLOCK before any writer came reads 0 bytes: that is not its end yet. Linux
// reports POLLHUP only once a writer has been there and left, so 0 bytes with POLLHUP is the end,
// and 0 bytes without it means waiting for a writer. Returns true at the end (with `error` set
// when the wait failed or was cancelled).
bool fifo_ended(int fd, const CancelFlag& cancelled, int& error) {
  pollfd entry{fd, POLLIN, 0};
  while (::poll(&entry, 1, 0) < 0)
    if (errno != EINTR) {
      error = errno;
      return true;
    }
  if ((entry.revents & POLLHUP) != 0) return true;
  error = wait_for(fd, POLLIN, cancelled);
  return error != 0;
}

std::size_t clamp(std::size_t size) { return size > static_cast<std::size_t>(SSIZE_MAX) ? SSIZE_MAX : size; }

}  // namespace

IoResult read_blocking(int fd, Access access, std::uint64_t offset, char* data, std::size_t size, bool fill,
                       const CancelFlag& cancelled) {
  const bool seekable = access == Access::positional;
  IoResult result;
  while (result.bytes < size) {
    ssize_t n = seekable ? ::pread(fd, data + result.bytes, clamp(size - result.bytes),
                                   static_cast<off_t>(offset + result.bytes))
                         : ::read(fd, data + result.bytes, clamp(size - result.bytes));
    if (n > 0) {
      result.bytes += static_cast<std::size_t>(n);
      if (!fill) break;
      continue;
    }
    if (n == 0) {
      int error = 0;
      if (access != Access::fifo || fifo_ended(fd, cancelled, error)) {
        if (error != 0 && result.bytes == 0) result.error = error;
        break;
      }
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN && !seekable) {
      if (result.bytes > 0 && !fill) break;
      if (int error = wait_for(fd, POLLIN, cancelled); error != 0) {
        if (result.bytes == 0) result.error = error;
        break;
      }
      continue;
    }
    result.error = errno;
    break;
  }
  return result;
}

IoResult write_blocking(int fd, Access access, std::uint64_t offset, const char* data, std::size_t size, bool all,
                        const CancelFlag& cancelled) {
  const bool seekable = access == Access::positional;
  IoResult result;
  while (result.bytes < size) {
    ssize_t n = seekable ? ::pwrite(fd, data + result.bytes, clamp(size - result.bytes),
                                    static_cast<off_t>(offset + result.bytes))
                         : ::write(fd, data + result.bytes, clamp(size - result.bytes));
    if (n > 0) {
      result.bytes += static_cast<std::size_t>(n);
      if (!all) break;
      continue;
    }
    if (n == 0) {
      result.error = ENOSPC;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN && !seekable) {
      if (int error = wait_for(fd, POLLOUT, cancelled); error != 0) {
        if (result.bytes == 0) result.error = error;
        break;
      }
      continue;
    }
    result.error = errno;
    break;
  }
  return result;
}

}  // namespace atomicio::detail
