// errno as a std::error_code, the form every public error carries.
#pragma once

#include <cerrno>
#include <system_error>

namespace atomicio::detail {

inline std::error_code os_error(int value = errno) noexcept {
  return {value, std::generic_category()};
}

}  // namespace atomicio::detail
