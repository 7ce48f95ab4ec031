// The host side of atomicio_diagnostic: collects what a plugin reports about a failed call.
#pragma once

#include <atomicio/sdk/abi.h>

#include <string>

namespace atomicio::detail {

struct Diagnostic {
  std::string message;
  atomicio_diagnostic raw{sizeof(atomicio_diagnostic), 0, -1, -1, -1, this,
                          [](void* c, const char* m, std::size_t n) noexcept {
                            try {
                              static_cast<Diagnostic*>(c)->message.assign(m, n);
                            } catch (...) {
                              // Losing the message is better than escaping into the plugin.
                            }
                          }};
  Diagnostic() = default;
  Diagnostic(const Diagnostic&) = delete;
  Diagnostic& operator=(const Diagnostic&) = delete;

  /// " (line L, column C)", " (byte B)" or "", for messages.
  std::string position() const {
    if (raw.line > 0)
      return " (line " + std::to_string(raw.line) + (raw.column > 0 ? ", column " + std::to_string(raw.column) : "") + ")";
    if (raw.byte_offset >= 0) return " (byte " + std::to_string(raw.byte_offset) + ")";
    return {};
  }
};

}  // namespace atomicio::detail
