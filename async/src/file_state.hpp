// What an AsyncFile and its operations in flight share: the descriptor, where operations run,
// and, on the io_uring backend, the Asio file that submits them. Operations hold the state (and
// so the descriptor) until they complete, so closing never pulls a descriptor from under a
// running read, and a descriptor number is never reused while a job may still use it.
#pragma once

#include "blocking_io.hpp"

#include <atomicio/async/async_file.hpp>

#include <boost/asio/any_io_executor.hpp>
#if ATOMICIO_ASYNC_HAS_IO_URING
#include <boost/asio/random_access_file.hpp>
#endif

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace atomicio::detail {

/// Owns one descriptor; closes it on the engine's pool, since close(2) may block (NFS flushes
/// on close) and the last owner may be the caller's event-loop thread.
class OwnedFd {
 public:
  OwnedFd(int fd, IoEngine& engine) noexcept : fd_(fd), engine_(engine) {}
  ~OwnedFd();
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  int get() const noexcept { return fd_; }
  /// Gives the descriptor up (the caller closes it).
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
  IoEngine& engine_;
};

struct FileState {
  boost::asio::any_io_executor executor;
  IoEngine* engine = nullptr;
  std::filesystem::path path;
  std::shared_ptr<OwnedFd> fd;
  IoBackend backend = IoBackend::thread_pool;
  std::string backend_reason;
  Access access = Access::positional;
  // Whether reads and writes try RWF_NOWAIT first; each cleared for good when this file's
  // filesystem answers that it does not support it (ext4 has it for reads, not buffered writes).
  std::atomic<bool> nowait_reads{false};
  std::atomic<bool> nowait_writes{false};
#if ATOMICIO_ASYNC_HAS_IO_URING
  // Submits reads and writes when backend is io_uring. It never owns the descriptor: it is
  // released before `fd` closes.
  std::optional<boost::asio::random_access_file> uring;
#endif

  ~FileState();
};

}  // namespace atomicio::detail
