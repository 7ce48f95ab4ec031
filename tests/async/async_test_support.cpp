// The backend variants of the async test programs, and the seccomp filter of the `blocked` one.
#include "async/async_test_support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace atomicio::test {

namespace {

std::string g_variant = "thread_pool";

// What Docker's default profile does to io_uring since moby#46762: io_uring_setup fails with
// EPERM. Every other system call, and every call of another architecture, is allowed.
void block_io_uring() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
    throw std::system_error(errno, std::generic_category(), "installing the seccomp filter");
}

}  // namespace

bool select_backend(const std::string& name) {
  if (name != "io_uring" && name != "thread_pool" && name != "blocked") return false;
  g_variant = name;
  if (name == "blocked") block_io_uring();
  return true;
}

const std::string& backend_variant() { return g_variant; }

IoEngine& engine() {
  static IoEngine instance([] {
    IoEngineOptions options;
    options.use_environment = false;
    options.pool_threads = 4;
    if (g_variant == "io_uring") options.backend = IoBackend::io_uring;
    if (g_variant == "thread_pool") options.backend = IoBackend::thread_pool;
    return options;
  }());
  return instance;
}

AsyncFileOptions file_options() {
  AsyncFileOptions options;
  options.engine = &engine();
  // The forced variants test their backend with every transfer; the automatic one runs with
  // the defaults an application gets, the nowait try included.
  options.nowait_first = g_variant == "blocked";
  return options;
}

AsyncStreamOptions stream_options(CodecSelection compression) {
  AsyncStreamOptions options;
  options.file = file_options();
  options.compression = std::move(compression);
  return options;
}

bool is_operation_aborted(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    return e.code() == boost::asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

IoBackend expected_backend() { return g_variant == "io_uring" ? IoBackend::io_uring : IoBackend::thread_pool; }

}  // namespace atomicio::test
