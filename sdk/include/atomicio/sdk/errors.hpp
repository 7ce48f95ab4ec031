// Exceptions a plugin throws from its C++ code. The SDK's entry adapters catch them (and every
// other exception) and turn them into an atomicio_status plus diagnostic, so nothing thrown in a
// plugin ever crosses into the core.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// The input is not valid in this format. Positions are -1 when unknown; line and column count
/// from 1. The core reports it as a FileReadError naming the file and the position.
class ParseError : public std::runtime_error {
 public:
  explicit ParseError(const std::string& message, std::int64_t line = -1, std::int64_t column = -1,
                      std::int64_t byte_offset = -1)
      : std::runtime_error(message), line_(line), column_(column), byte_offset_(byte_offset) {}
  std::int64_t line() const noexcept { return line_; }
  std::int64_t column() const noexcept { return column_; }
  std::int64_t byte_offset() const noexcept { return byte_offset_; }

 private:
  std::int64_t line_;
  std::int64_t column_;
  std::int64_t byte_offset_;
};

/// The value cannot be represented in this format (e.g. a TOML document that is not a table).
/// The core reports it as a FileWriteError before anything touches the target.
class UnsupportedValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A system call failed; `os_errno` is its errno. The core reports it with a std::error_code.
class OsError : public std::runtime_error {
 public:
  OsError(const std::string& message, int os_errno)
      : std::runtime_error(message), os_errno_(os_errno) {}
  int os_errno() const noexcept { return os_errno_; }

 private:
  int os_errno_;
};

/// A host callback failed (the host already knows why); thrown by Input/Output/ValueBuilder so a
/// plugin's code unwinds without checking every call. Plugins let it propagate.
class HostFailure : public std::exception {
 public:
  explicit HostFailure(int status) : status_(status) {}
  const char* what() const noexcept override { return "the host stopped the operation"; }
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace abi_v1
}  // namespace atomicio::sdk
