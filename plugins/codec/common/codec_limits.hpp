// The two limits every codec plugin enforces before handing work to its library: the range of
// compression levels it accepts, and the 32-bit byte counts of zlib's and libbzip2's streams.
// Shared by the codec plugins in plugins/codec/ (header-only, compiled into each plugin).
#pragma once

#include <atomicio/sdk/errors.hpp>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <string>
#include <string_view>

namespace atomicio::codec {

/// The level a codec's library gets for the host's `level`: `default_level` for -1, `level`
/// itself when it lies in [min_level, max_level]. Throws sdk::UnsupportedValue naming the valid
/// range otherwise ("gzip level 12 is out of range: use 1-9, or -1 for the default (6)").
inline int checked_level(std::string_view codec, int level, int min_level, int max_level, int default_level) {
  if (level == -1) return default_level;
  if (level >= min_level && level <= max_level) return level;
  throw sdk::UnsupportedValue(std::string(codec) + " level " + std::to_string(level) + " is out of range: use " +
                              std::to_string(min_level) + "-" + std::to_string(max_level) +
                              ", or -1 for the default (" + std::to_string(default_level) + ")");
}

/// How much of a buffer of `size` bytes one call of zlib or libbzip2 may be given: their
/// avail_in/avail_out are unsigned int, so larger spans are fed in several calls.
inline unsigned int uint_chunk(std::size_t size) noexcept {
  return static_cast<unsigned int>(std::min<std::size_t>(size, UINT_MAX));
}

}  // namespace atomicio::codec
