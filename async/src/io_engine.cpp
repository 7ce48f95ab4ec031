// Backend choice: option, then environment, then a probe that creates a ring the size Asio's
// own will be, so a probe that passes means Asio's files will work too (a small ring can fit
// under RLIMIT_MEMLOCK where Asio's 16384 entries do not).
#include <atomicio/async/io_engine.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#if ATOMICIO_ASYNC_HAS_IO_URING
#include <liburing.h>
#endif

namespace atomicio {

namespace {

#if ATOMICIO_ASYNC_HAS_IO_URING
// Asio 1.81's io_uring_service::ring_size.
constexpr unsigned kAsioRingEntries = 16384;
#endif

int probe_io_uring() {
#if ATOMICIO_ASYNC_HAS_IO_URING
  io_uring ring{};
  // liburing returns -errno and leaves errno alone (liburing#1384).
  int result = ::io_uring_queue_init(kAsioRingEntries, &ring, 0);
  if (result < 0) return -result;
  int missing = 0;
  if (io_uring_probe* probe = ::io_uring_get_probe_ring(&ring)) {
    // Asio submits readv/writev and uses poll_add; kernels before 5.1 lack them.
    for (int op : {IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_POLL_ADD, IORING_OP_ASYNC_CANCEL})
      if (!::io_uring_opcode_supported(probe, op)) missing = ENOSYS;
    ::io_uring_free_probe(probe);
  }
  ::io_uring_queue_exit(&ring);
  return missing;
#else
  return ENOSYS;
#endif
}

std::size_t pool_size(const IoEngineOptions& options) { return std::max<std::size_t>(1, options.pool_threads); }

}  // namespace

std::string_view to_string(IoBackend backend) noexcept {
  switch (backend) {
    case IoBackend::automatic: return "automatic";
    case IoBackend::io_uring: return "io_uring";
    case IoBackend::thread_pool: return "thread_pool";
  }
  return "unknown";
}

std::optional<IoBackend> parse_io_backend(std::string_view name) noexcept {
  for (IoBackend backend : {IoBackend::automatic, IoBackend::io_uring, IoBackend::thread_pool})
    if (name == to_string(backend)) return backend;
  return std::nullopt;
}

bool IoEngine::io_uring_usable(std::string* why) {
#if !ATOMICIO_ASYNC_HAS_IO_URING
  if (why != nullptr) *why = "built without io_uring";
  return false;
#else
  int error = probe_io_uring();
  if (error != 0 && why != nullptr) *why = std::string("io_uring probe failed: ") + std::strerror(error);
  return error == 0;
#endif
}

IoEngine::IoEngine(IoEngineOptions options) : threads_(pool_size(options)), pool_(threads_) {
  IoBackend wanted = options.backend;
  std::string origin = "by option";
  if (wanted == IoBackend::automatic && options.use_environment) {
    if (const char* value = ::secure_getenv("ATOMICIO_IO_BACKEND"); value != nullptr && *value != '\0') {
      std::optional<IoBackend> named = parse_io_backend(value);
      if (!named) {
        pool_.stop();
        pool_.join();
        throw std::invalid_argument(std::string("ATOMICIO_IO_BACKEND='") + value +
                                    "' names no backend: use io_uring, thread_pool or automatic");
      }
      wanted = *named;
      origin = std::string("by ATOMICIO_IO_BACKEND=") + value;
    }
  }
  if (wanted == IoBackend::thread_pool) {
    backend_ = IoBackend::thread_pool;
    reason_ = "thread_pool chosen " + origin;
    return;
  }
  std::string why;
  bool usable = io_uring_usable(&why);
  if (wanted == IoBackend::io_uring && !usable) {
    pool_.stop();
    pool_.join();
    throw std::system_error(std::make_error_code(std::errc::function_not_supported),
                            "io_uring forced " + origin + " but not usable: " + why);
  }
  backend_ = usable ? IoBackend::io_uring : IoBackend::thread_pool;
  if (wanted == IoBackend::io_uring) reason_ = "io_uring chosen " + origin;
  else reason_ = usable ? "io_uring probe succeeded" : why + "; using the thread pool";
}

IoEngine::~IoEngine() { pool_.join(); }

IoEngine& IoEngine::shared() {
  // Never destroyed: files and their close jobs may outlive static destruction order.
  static IoEngine* engine = new IoEngine();
  return *engine;
}

}  // namespace atomicio
