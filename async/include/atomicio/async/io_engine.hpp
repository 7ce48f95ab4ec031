// IoEngine: where atomicio's async file operations run, chosen at run time.
//
// Two backends. `io_uring`: reads and writes of regular files are submitted to the kernel through
// Asio's io_uring support and complete on the caller's io_context, with no thread in between.
// `thread_pool`: every operation runs as a blocking system call on the engine's own threads
// (aiofile's and aiomisc's executor), and its completion is posted back to the caller. Either
// way the calls that io_uring cannot make asynchronously in Boost 1.81 (open, fsync, fdatasync,
// fstat, ftruncate, close) and everything on files io_uring does not serve (FIFOs, devices,
// procfs and sysfs) run on the pool, so no blocking system call runs on the caller's thread.
//
// The choice, in order: IoEngineOptions::backend when it is not `automatic`; else the
// ATOMICIO_IO_BACKEND environment variable (`io_uring`, `thread_pool` or `automatic`, read with
// secure_getenv); else automatic: io_uring when this build has it and a probe ring of the size
// Asio asks for can be created, the thread pool otherwise. The probe fails without an exception
// where io_uring is blocked (seccomp in Docker and CI runners, gVisor,
// kernel.io_uring_disabled, RLIMIT_MEMLOCK); backend_reason() says why. Forcing io_uring where
// the probe fails is an error at construction.
//
// Thread-safety: all members may be called concurrently. The engine must outlive every file
// opened on it and every operation started on those files; its destructor waits for the pool's
// queued jobs.
#pragma once

#include <atomicio/async/export.hpp>

#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atomicio {

enum class IoBackend {
  automatic,    ///< io_uring when usable, else the thread pool (the default)
  io_uring,     ///< io_uring; constructing the engine fails where it is not usable
  thread_pool,  ///< blocking system calls on the engine's threads
};

/// "automatic", "io_uring", "thread_pool": the names ATOMICIO_IO_BACKEND takes.
ATOMICIO_ASYNC_EXPORT std::string_view to_string(IoBackend backend) noexcept;
/// The backend named `name`, or nullopt for a name that is none of to_string()'s.
ATOMICIO_ASYNC_EXPORT std::optional<IoBackend> parse_io_backend(std::string_view name) noexcept;

struct IoEngineOptions {
  /// `automatic` defers to ATOMICIO_IO_BACKEND, then to the probe.
  IoBackend backend = IoBackend::automatic;
  /// Threads of the blocking pool (at least 1).
  std::size_t pool_threads = 4;
  /// Ignore ATOMICIO_IO_BACKEND (tests that must run one backend whatever the environment).
  bool use_environment = true;
};

class ATOMICIO_ASYNC_EXPORT IoEngine {
 public:
  /// Resolves the backend and starts the pool. Throws std::system_error when io_uring is forced
  /// (by option or environment) and the probe fails, and std::invalid_argument for an
  /// ATOMICIO_IO_BACKEND value that names no backend.
  explicit IoEngine(IoEngineOptions options = {});
  /// Waits for the pool's queued jobs, then stops its threads.
  ~IoEngine();
  IoEngine(const IoEngine&) = delete;
  IoEngine& operator=(const IoEngine&) = delete;

  /// A process-wide engine with default options, created on first use and never destroyed.
  static IoEngine& shared();

  /// The backend in use: io_uring or thread_pool, never automatic.
  IoBackend backend() const noexcept { return backend_; }
  /// Why: "forced by option", "ATOMICIO_IO_BACKEND=thread_pool", "io_uring probe failed:
  /// Operation not permitted", "io_uring probe succeeded", "built without io_uring".
  const std::string& backend_reason() const noexcept { return reason_; }
  std::size_t pool_threads() const noexcept { return threads_; }

  /// The blocking pool, for callers that want to run their own blocking work beside the files'.
  boost::asio::thread_pool& pool() noexcept { return pool_; }

  /// True when this build has io_uring support and a probe ring can be created now (no engine
  /// needed). `why` receives the probe's failure.
  static bool io_uring_usable(std::string* why = nullptr);

 private:
  IoBackend backend_ = IoBackend::thread_pool;
  std::string reason_;
  std::size_t threads_ = 1;
  boost::asio::thread_pool pool_;
};

}  // namespace atomicio
