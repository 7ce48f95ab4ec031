// Sidecar names. The long-name form exists because `<name>.lock` of a legal 251–255 byte name
// would exceed NAME_MAX and could never be created, so such files could not be locked at all.
#include "path/sidecar_name.hpp"

#include <cstdint>

namespace atomicio::detail {

namespace {

constexpr std::size_t kNameMax = 255;  // NAME_MAX on every Linux filesystem atomicio supports
constexpr std::string_view kSuffix = ".lock";
constexpr std::size_t kLongNamePrefix = 200;

std::uint64_t fnv1a_64(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::string sidecar_name(std::string_view name) {
  if (name.size() + kSuffix.size() <= kNameMax) return std::string(name).append(kSuffix);
  std::size_t cut = kLongNamePrefix;
  // Continuation bytes are 10xxxxxx; cutting before one would leave half a character.
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hash(16, '0');
  std::uint64_t value = fnv1a_64(name);
  for (int i = 15; i >= 0; --i, value >>= 4) hash[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
  return std::string(name.substr(0, cut)).append(".").append(hash).append(kSuffix);
}

}  // namespace atomicio::detail
