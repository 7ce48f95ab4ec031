// The name of a file's lock sidecar, a pure function of the file's name, documented in the
// README and stable across versions: processes of different atomicio versions must agree on it.
#pragma once

#include <string>
#include <string_view>

namespace atomicio::detail {

/// `<name>.lock` where that fits in NAME_MAX (255 bytes), that is for names up to 250 bytes.
/// Longer names (251–255 bytes) get `<prefix>.<hash>.lock`: the first 200 bytes of the name, cut
/// back to the start of a UTF-8 sequence, and the 64-bit FNV-1a hash of the whole name as 16
/// lowercase hex digits. Two long names that collide share a lock: they exclude each other more
/// than needed, never less.
std::string sidecar_name(std::string_view name);

}  // namespace atomicio::detail
