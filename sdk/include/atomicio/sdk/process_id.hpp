// The calling process's id without a system call per use. Lock backends ask on every acquire and
// release (a forked child holds copies of its parent's handles and must not release the parent's
// locks), and glibc has not cached getpid() since 2.25, so that is a system call each time.
#pragma once

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// getpid(), kept in a variable that a pthread_atfork handler refreshes in every child of fork().
/// A process made by a raw clone() or vfork() skips that handler; such a child must exec (or exit)
/// before it calls into a plugin, as POSIX already requires of vfork().
inline pid_t current_process_id() noexcept {
  static std::atomic<pid_t> cached = [] {
    ::pthread_atfork(nullptr, nullptr, [] { cached.store(::getpid(), std::memory_order_relaxed); });
    return ::getpid();
  }();
  return cached.load(std::memory_order_relaxed);
}

}  // namespace abi_v1
}  // namespace atomicio::sdk
