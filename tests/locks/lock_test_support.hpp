// Shared pieces of the lock backend tests: the list of backends, a pipe for parent/child
// hand-shakes, a probe that asks a fresh process with the backend's bare system call whether a
// sidecar is locked, and direct access to a backend plugin's C interface.
#pragma once

#include <atomicio/sdk/abi.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace atomicio::test {

/// Every inter-process backend; `none` is tested where it differs.
inline const std::vector<std::string> kLockBackends{"ofd", "flock", "fcntl", "interprocess", "lockfile"};

/// A pipe for one process to tell another that something happened (one byte per event).
class Pipe {
 public:
  Pipe();
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void send(char byte = 'x');
  /// The next byte; '\0' when every writer closed its end.
  char receive();
  /// Closes the write end in this process, so the reader sees end-of-file once others do too.
  void close_write_end();

 private:
  int fds_[2];
};

enum class ProbeResult { free, held, error };

/// Forks a process that opens `sidecar` afresh and tries the backend's own non-blocking
/// exclusive lock call on it (flock, F_OFD_SETLK, F_SETLK; for `lockfile`, whether the file
/// exists). The child uses no atomicio state, so it sees only what the kernel or the file
/// system records: the lock of the calling process counts as held by another process.
ProbeResult probe_sidecar(const std::string& backend, const std::filesystem::path& sidecar);

/// A lock backend plugin from the build tree, driven through its C interface directly (as the
/// core does), for tests about handles the public API does not expose.
class BackendPlugin {
 public:
  /// Loads `lock.<backend>.so`; throws std::runtime_error when it cannot.
  explicit BackendPlugin(const std::string& backend);

  void* open(const std::filesystem::path& sidecar) const;  ///< throws on failure
  /// ATOMICIO_OK, ATOMICIO_ERR_BUSY, or another status.
  int lock(void* handle, atomicio_lock_mode mode, std::chrono::nanoseconds timeout) const;
  int unlock(void* handle) const;
  void close(void* handle) const;

 private:
  const atomicio_lock_backend_v1* api_ = nullptr;
};

}  // namespace atomicio::test
