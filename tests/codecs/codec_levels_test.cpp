// Compression levels: every level in a codec's range works and reaches its library (visible in
// the stream header), -1 means the library's default, anything else is refused up front.
#include "codecs/codec_cases.hpp"
#include "codecs/codec_harness.hpp"

#include <catch2/catch.hpp>

#include <climits>
#include <string>

using atomicio::test::CodecCase;
using atomicio::test::CodecFailure;
using atomicio::test::CodecHarness;

namespace {

/// The header byte that shows the level: gzip's XFL (zlib writes 4 for level 1, 2 for 9,
/// 0 otherwise), bzip2's block size digit, the LZMA2 dictionary size byte of xz's first block
/// header (as xz -0, -6, -9 write it: 256 KiB, 8 MiB, 64 MiB).
int level_byte(const CodecCase& codec, const std::string& stream) {
  const std::size_t at = codec.name == "gzip" ? 8 : codec.name == "bzip2" ? 3 : 16;
  REQUIRE(stream.size() > at);
  return static_cast<unsigned char>(stream[at]);
}

int expected_level_byte(const CodecCase& codec, int level) {
  if (codec.name == "gzip") return level == 1 ? 4 : level == 9 ? 2 : 0;
  if (codec.name == "bzip2") return '0' + level;
  return level == 0 ? 12 : level == 6 ? 22 : level == 9 ? 28 : -1;
}

}  // namespace

TEST_CASE("every level in a codec's range round-trips and reaches the library", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::string data = atomicio::test::kText + atomicio::test::repetitive_bytes(50000);
  for (int level = codec.min_level; level <= codec.max_level; ++level) {
    CAPTURE(level);
    const std::string stream = harness.encode(data, level);
    CHECK(harness.decode(stream) == data);
    const int expected = expected_level_byte(codec, level);
    if (expected >= 0) CHECK(level_byte(codec, stream) == expected);
  }
  const std::string by_default = harness.encode(data, -1);
  CHECK(by_default == harness.encode(data, codec.default_level));
  CHECK(level_byte(codec, by_default) == expected_level_byte(codec, codec.default_level));
  // Higher levels must actually compress differently, or the level is not reaching the library.
  CHECK(harness.encode(data, codec.min_level) != harness.encode(data, codec.max_level));
}

TEST_CASE("levels outside a codec's range are refused with the valid range", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::string range = std::to_string(codec.min_level) + "-" + std::to_string(codec.max_level);
  for (int level : {codec.min_level - 1, codec.max_level + 1, -2, 100, INT_MIN, INT_MAX}) {
    if (level == -1) continue;  // xz's min_level - 1: the default, not out of range
    CAPTURE(level);
    try {
      harness.encode("data", level);
      FAIL("level " << level << " was accepted");
    } catch (const CodecFailure& failure) {
      CHECK(failure.status() == ATOMICIO_ERR_UNSUPPORTED);
      CHECK_THAT(failure.what(), Catch::Contains(std::to_string(level)) && Catch::Contains(range));
    }
  }
  // Decoders ignore the level.
  const std::string stream = harness.encode("data");
  CHECK(harness.decode(stream, {}, 42) == "data");
  CHECK(harness.decode(stream, {}, INT_MIN) == "data");
}
