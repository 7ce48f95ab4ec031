// The hash in atomicio's names on disk (long-name sidecars, bound temp names): 64-bit FNV-1a,
// written as 16 lowercase hex digits, most significant first. Part of the on-disk format, so
// processes of different versions compute the same names: never change it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace atomicio::detail {

class NameHash {
 public:
  NameHash& add(std::string_view bytes) noexcept {
    for (char byte : bytes) add_byte(static_cast<unsigned char>(byte));
    return *this;
  }
  /// The low `bytes` bytes of `value`, least significant first (little-endian).
  NameHash& add_little_endian(std::uint64_t value, int bytes) noexcept {
    for (int i = 0; i < bytes; ++i) add_byte(static_cast<unsigned char>(value >> (8 * i)));
    return *this;
  }
  std::string hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text(16, '0');
    std::uint64_t value = hash_;
    for (int i = 15; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
    return text;
  }

 private:
  void add_byte(unsigned char byte) noexcept {
    hash_ ^= byte;
    hash_ *= 0x100000001b3ULL;
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace atomicio::detail
