// The two ways to hold a file's lock.
#pragma once

namespace atomicio {

enum class LockMode {
  exclusive,  ///< one holder at a time: writers
  shared,     ///< any number of holders together, none exclusive: readers
};

/// "exclusive" or "shared", for messages.
constexpr const char* to_string(LockMode mode) noexcept {
  return mode == LockMode::shared ? "shared" : "exclusive";
}

}  // namespace atomicio
