// What a codec's decoder does with input that is not one clean stream: concatenated streams
// read as one; trailing bytes, a cut anywhere, a damaged byte and empty input are each a parse
// error with the compressed byte offset, never a crash, a hang or a silent success.
#include "codecs/codec_cases.hpp"
#include "codecs/codec_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

using atomicio::test::CodecCase;
using atomicio::test::CodecFailure;
using atomicio::test::CodecHarness;
using atomicio::test::Feeding;

namespace {

const std::vector<Feeding> kFeedings{Feeding{}, Feeding{1, 1}};

/// The failure decoding `data` gives; fails the test if it decodes.
CodecFailure decode_failure(const CodecHarness& harness, const std::string& data, const Feeding& feeding) {
  try {
    const std::string output = harness.decode(data, feeding);
    FAIL("decoding succeeded with " << output.size() << " bytes");
  } catch (const CodecFailure& failure) {
    return failure;
  }
  throw std::logic_error("unreachable");
}

std::string trailing_message(const CodecCase& codec, std::size_t at) {
  return "trailing data after the last " + codec.name + " " + codec.unit + " at byte " + std::to_string(at);
}

}  // namespace

TEST_CASE("concatenated streams decode as their concatenation", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::string a = atomicio::test::kText;
  const std::string b = atomicio::test::random_bytes(10000, 7) + atomicio::test::repetitive_bytes(20000);
  const std::string ea = harness.encode(a), eb = harness.encode(b), empty = harness.encode("");
  std::string many, many_plain;
  for (int i = 0; i < 40; ++i) {
    many += harness.encode(std::to_string(i));
    many_plain += std::to_string(i);
  }
  for (const Feeding& feeding : kFeedings) {
    CHECK(harness.decode(ea + eb, feeding) == a + b);
    CHECK(harness.decode(eb + ea + eb, feeding) == b + a + b);
    CHECK(harness.decode(empty + ea + empty + empty, feeding) == a);
    CHECK(harness.decode(empty + empty, feeding).empty());
    CHECK(harness.decode(many, feeding) == many_plain);
  }
}

TEST_CASE("bytes after the last stream are trailing data at their offset", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::string stream = harness.encode(atomicio::test::kText);
  // Garbage; a lone first byte of the magic; the magic but its last byte, alone and followed by
  // more bytes; NUL bytes (for xz: padding whose length is not a multiple of four; for the
  // others: not allowed at all).
  const std::string almost_magic = stream.substr(0, codec.magic_size - 1);
  std::vector<std::string> tails{"garbage", std::string(1, stream[0]), almost_magic, almost_magic + "garbage",
                                 std::string(1, stream[0]) + "garbage", std::string(1, '\0'), std::string(3, '\0')};
  if (codec.name != "xz") tails.push_back(std::string(4, '\0'));
  for (const std::string& tail : tails) {
    for (const Feeding& feeding : kFeedings) {
      CAPTURE(tail.size(), feeding.out_buffer);
      const CodecFailure failure = decode_failure(harness, stream + tail, feeding);
      CHECK(failure.status() == ATOMICIO_ERR_PARSE);
      CHECK(failure.byte_offset() == static_cast<std::int64_t>(stream.size()));
      CHECK_THAT(failure.what(), Catch::StartsWith(trailing_message(codec, stream.size())));
    }
  }
  // After a second stream the offset counts from the start of the whole input.
  const std::string twice = stream + stream;
  const CodecFailure failure = decode_failure(harness, twice + "!", Feeding{});
  CHECK(failure.byte_offset() == static_cast<std::int64_t>(twice.size()));
  CHECK_THAT(failure.what(), Catch::StartsWith(trailing_message(codec, twice.size())));
}

TEST_CASE("xz stream padding of whole four-byte groups is accepted", "[codec]") {
  const auto cases = atomicio::test::codec_cases();
  const bool have_xz = std::any_of(cases.begin(), cases.end(), [](const CodecCase& c) { return c.name == "xz"; });
  if (!have_xz) return;
  CodecHarness harness("codec.xz");
  const std::string a = atomicio::test::kText, ea = harness.encode(a);
  const std::string four(4, '\0'), eight(8, '\0');
  for (const Feeding& feeding : kFeedings) {
    CHECK(harness.decode(ea + four, feeding) == a);
    CHECK(harness.decode(ea + eight + ea + four, feeding) == a + a);
    const CodecFailure odd = decode_failure(harness, ea + std::string(5, '\0') + ea, feeding);
    CHECK(odd.byte_offset() == static_cast<std::int64_t>(ea.size()));
    CHECK_THAT(odd.what(), Catch::Contains("multiple of four"));
    const CodecFailure garbage = decode_failure(harness, ea + four + "junk", feeding);
    CHECK(garbage.byte_offset() == static_cast<std::int64_t>(ea.size() + 4));
  }
  // Padding is allowed between and after streams only, not before the first.
  CHECK(decode_failure(harness, four + ea, Feeding{}).byte_offset() == 0);
}

TEST_CASE("input cut at any byte is a truncation error at the cut", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::string stream = harness.encode(atomicio::test::kText + atomicio::test::repetitive_bytes(3000));
  for (const Feeding& feeding : kFeedings) {
    CAPTURE(feeding.out_buffer);
    for (std::size_t cut = 0; cut < stream.size(); ++cut) {
      CAPTURE(cut);
      const CodecFailure failure = decode_failure(harness, stream.substr(0, cut), feeding);
      REQUIRE(failure.status() == ATOMICIO_ERR_PARSE);
      REQUIRE(failure.byte_offset() == static_cast<std::int64_t>(cut));
      REQUIRE_THAT(failure.what(), Catch::StartsWith("truncated " + codec.name + " data"));
    }
  }
  // A second stream cut short: within its magic number it is trailing data after the first,
  // past it a truncated stream.
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    CAPTURE(cut);
    const CodecFailure failure = decode_failure(harness, stream + stream.substr(0, cut), Feeding{});
    if (cut < codec.magic_size) {
      CHECK(failure.byte_offset() == static_cast<std::int64_t>(stream.size()));
      CHECK_THAT(failure.what(), Catch::StartsWith(trailing_message(codec, stream.size())));
    } else {
      CHECK(failure.byte_offset() == static_cast<std::int64_t>(stream.size() + cut));
      CHECK_THAT(failure.what(), Catch::StartsWith("truncated " + codec.name + " data"));
    }
  }
}

TEST_CASE("empty input and foreign data are parse errors at byte 0", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  for (const Feeding& feeding : kFeedings) {
    const CodecFailure empty = decode_failure(harness, "", feeding);
    CHECK(empty.status() == ATOMICIO_ERR_PARSE);
    CHECK(empty.byte_offset() == 0);
    CHECK_THAT(empty.what(), Catch::Contains("truncated") && Catch::Contains("empty"));

    const CodecFailure foreign = decode_failure(harness, "{\"plain\": \"json\"}", feeding);
    CHECK(foreign.status() == ATOMICIO_ERR_PARSE);
    CHECK(foreign.byte_offset() == 0);
    CHECK_THAT(foreign.what(), Catch::StartsWith("not " + codec.name + " data"));
  }
}

TEST_CASE("a damaged byte anywhere is a parse error or harmless and never a crash or a hang", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::string data = atomicio::test::kText + atomicio::test::random_bytes(200, 3);
  const std::string stream = harness.encode(data);
  for (std::size_t at = 0; at < stream.size(); ++at) {
    for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
      CAPTURE(at, mask);
      std::string damaged = stream;
      damaged[at] = static_cast<char>(static_cast<unsigned char>(damaged[at]) ^ mask);
      std::string output;
      try {
        output = harness.decode(damaged, Feeding{1, 1});
      } catch (const CodecFailure& failure) {
        CHECK(failure.status() == ATOMICIO_ERR_PARSE);
        CHECK(failure.byte_offset() >= 0);
        CHECK(failure.byte_offset() <= static_cast<std::int64_t>(damaged.size()));
        CHECK(std::string(failure.what()).size() > 0);
        continue;
      }
      // Some header bytes are not covered by any check (gzip's MTIME, XFL, OS and FTEXT):
      // changing them must still give back the data.
      CHECK(output == data);
    }
  }
  // A byte in the middle of the compressed body is caught, with the library's reason.
  std::string damaged = stream;
  damaged[stream.size() / 2] = static_cast<char>(static_cast<unsigned char>(damaged[stream.size() / 2]) ^ 0x55);
  for (const Feeding& feeding : kFeedings) {
    const CodecFailure failure = decode_failure(harness, damaged, feeding);
    CHECK(failure.status() == ATOMICIO_ERR_PARSE);
    CHECK(failure.byte_offset() > 0);
    CHECK(failure.byte_offset() <= static_cast<std::int64_t>(damaged.size()));
    CHECK_THAT(failure.what(), Catch::StartsWith("corrupt " + codec.name + " data at byte "));
  }
}
