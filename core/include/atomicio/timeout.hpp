// How long an operation may wait for a lock: forever, not at all, or up to a duration.
// Thread-safety: a value type.
#pragma once

#include <chrono>

namespace atomicio {

class Timeout {
 public:
  /// Wait as long as it takes (the default everywhere).
  static constexpr Timeout infinite() noexcept { return Timeout(std::chrono::nanoseconds(-1)); }
  /// Do not wait: fail with AlreadyLockedError if the lock is held.
  static constexpr Timeout immediate() noexcept { return Timeout(std::chrono::nanoseconds(0)); }

  /// Wait up to `limit` (a negative limit means forever), then fail with LockTimeoutError. A
  /// limit whose deadline the clock cannot represent (std::chrono::nanoseconds::max(), or a
  /// longer duration, which is clamped to it) waits as long as it takes, like infinite().
  /// Implicit so that `SafeFile("a.json", 5s)` reads naturally.
  template <class Rep, class Period>
  constexpr Timeout(std::chrono::duration<Rep, Period> limit) noexcept  // NOLINT(google-explicit-constructor)
      : limit_(limit < std::chrono::duration<Rep, Period>::zero() ? std::chrono::nanoseconds(-1)
               : std::chrono::duration<double, std::nano>(limit) >=
                       std::chrono::duration<double, std::nano>(std::chrono::nanoseconds::max())
                   ? std::chrono::nanoseconds::max()
                   : std::chrono::duration_cast<std::chrono::nanoseconds>(limit)) {}

  constexpr bool is_infinite() const noexcept { return limit_.count() < 0; }
  constexpr bool is_immediate() const noexcept { return limit_.count() == 0; }
  /// The limit; negative when infinite.
  constexpr std::chrono::nanoseconds limit() const noexcept { return limit_; }

 private:
  std::chrono::nanoseconds limit_;
};

}  // namespace atomicio
