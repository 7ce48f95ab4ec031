// Sidecar names. The long-name form exists because `<name>.lock` of a legal 251–255 byte name
// would exceed NAME_MAX and could never be created, so such files could not be locked at all.
#include "path/sidecar_name.hpp"

#include "path/name_hash.hpp"

namespace atomicio::detail {

namespace {

constexpr std::size_t kNameMax = 255;  // NAME_MAX on every Linux filesystem atomicio supports
constexpr std::string_view kSuffix = ".lock";
constexpr std::size_t kLongNamePrefix = 200;

}  // namespace

std::string sidecar_name(std::string_view name) {
  if (name.size() + kSuffix.size() <= kNameMax) return std::string(name).append(kSuffix);
  std::size_t cut = kLongNamePrefix;
  // Continuation bytes are 10xxxxxx; cutting before one would leave half a character.
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)).append(".").append(NameHash().add(name).hex()).append(kSuffix);
}

}  // namespace atomicio::detail
