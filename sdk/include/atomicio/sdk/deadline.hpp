// Deadlines for bounded lock waits, shared by the host and the lock backends: one place where
// "now + timeout" is computed, so that a timeout too long for the clock cannot overflow.
#pragma once

#include <chrono>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// The moment `timeout` (not negative) from now, saturated: a timeout too long for the clock's
/// range (say nanoseconds::max()) gives time_point::max(), a deadline that never comes, instead
/// of an overflow into the past. Never blocks; thread-safe.
inline std::chrono::steady_clock::time_point deadline_after(std::chrono::nanoseconds timeout) noexcept {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point now = Clock::now();
  const auto room = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::time_point::max() - now);
  if (timeout >= room) return Clock::time_point::max();
  return now + std::chrono::duration_cast<Clock::duration>(timeout);
}

}  // namespace abi_v1
}  // namespace atomicio::sdk
