// C++ views of the host's byte streams: Input for parsers, Output for serializers.
// Thread-safety: an instance belongs to the one call it was passed to.
#pragma once

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/errors.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace atomicio::sdk {
inline namespace abi_v1 {

/// The bytes a parser reads. contents() gives the whole input as one view (without a copy when
/// the host already holds it in memory); read() pulls it in pieces for streaming parsers.
class Input {
 public:
  explicit Input(const atomicio_input& raw) noexcept : raw_(raw) {}

  /// The whole input. Valid until the call returns. Throws HostFailure if the host's read fails.
  std::string_view contents() {
    if (raw_.data != nullptr) return {reinterpret_cast<const char*>(raw_.data), raw_.size};
    char chunk[64 * 1024];
    for (std::size_t n; (n = read(chunk, sizeof chunk)) != 0;) buffer_.append(chunk, n);
    return buffer_;
  }

  /// Up to `capacity` next bytes into `buffer`; 0 at the end. Throws HostFailure on host error.
  std::size_t read(void* buffer, std::size_t capacity) {
    if (raw_.data != nullptr) {
      std::size_t n = raw_.size - position_ < capacity ? raw_.size - position_ : capacity;
      std::char_traits<char>::copy(static_cast<char*>(buffer),
                                   reinterpret_cast<const char*>(raw_.data) + position_, n);
      position_ += n;
      return n;
    }
    std::int64_t n = raw_.read(raw_.context, buffer, capacity);
    if (n < 0) throw HostFailure(ATOMICIO_ERR_IO);
    return static_cast<std::size_t>(n);
  }

 private:
  const atomicio_input& raw_;
  std::string buffer_;
  std::size_t position_ = 0;
};

/// Where a serializer writes. Throws HostFailure when the host cannot take the bytes (disk
/// full, I/O error); let it propagate.
class Output {
 public:
  explicit Output(const atomicio_output& raw) noexcept : raw_(raw) {}

  void write(std::string_view bytes) {
    if (!bytes.empty() && raw_.write(raw_.context, bytes.data(), bytes.size()) != 0)
      throw HostFailure(ATOMICIO_ERR_IO);
  }
  void put(char c) { write(std::string_view(&c, 1)); }

 private:
  const atomicio_output& raw_;
};

}  // namespace abi_v1
}  // namespace atomicio::sdk
