// Every codec plugin gives back exactly what it was given, whatever buffers the host uses: an
// output buffer of 1, 7 or 64K bytes, input in 1-byte or whole pieces, small and 3 MB inputs.
#include "codecs/codec_cases.hpp"
#include "codecs/codec_harness.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

using atomicio::test::CodecCase;
using atomicio::test::CodecHarness;
using atomicio::test::Feeding;

namespace {

constexpr std::size_t kWhole = std::numeric_limits<std::size_t>::max();

std::string describe(const Feeding& feeding) {
  return "input pieces of " + (feeding.in_piece == kWhole ? std::string("all") : std::to_string(feeding.in_piece)) +
         " bytes, output buffer of " + std::to_string(feeding.out_buffer) + " bytes";
}

}  // namespace

TEST_CASE("codecs round-trip small inputs through every buffer size", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  const std::vector<std::string> inputs{"", "x", std::string(1, '\0'), atomicio::test::kText,
                                        atomicio::test::random_bytes(300) + atomicio::test::repetitive_bytes(5000)};
  for (const std::string& data : inputs) {
    CAPTURE(data.size());
    const std::string reference = harness.encode(data);
    CHECK(harness.decode(reference) == data);
    for (std::size_t out_buffer : {std::size_t{1}, std::size_t{7}, std::size_t{64 * 1024}}) {
      for (std::size_t in_piece : {std::size_t{1}, kWhole}) {
        const Feeding feeding{in_piece, out_buffer};
        INFO(describe(feeding));
        const std::string compressed = harness.encode(data, -1, feeding);
        CHECK(harness.decode(compressed) == data);
        CHECK(harness.decode(reference, feeding) == data);
      }
    }
  }
}

TEST_CASE("codecs round-trip 3 MB of random and of repetitive data", "[codec][slow]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  CodecHarness harness(codec.id);
  constexpr std::size_t kSize = 3 * 1024 * 1024;
  const std::string random = atomicio::test::random_bytes(kSize, 42);
  const std::string repetitive = atomicio::test::repetitive_bytes(kSize);

  // bzip2 needs about a second per pass over 3 MB here, so each buffer size gets one pass per
  // input rather than the full cross product the small inputs get.
  for (const std::string* data : {&random, &repetitive}) {
    const bool is_random = data == &random;
    INFO((is_random ? "random data" : "repetitive data"));
    const std::string reference = harness.encode(*data);
    // Random bytes do not shrink (each codec stores or nearly stores them); repeated records do.
    if (is_random) CHECK(reference.size() > kSize * 99 / 100);
    else CHECK(reference.size() < kSize / 10);
    for (const Feeding feeding : {Feeding{kWhole, 1}, Feeding{1, 64 * 1024}}) {
      INFO("decoding with " << describe(feeding));
      CHECK(harness.decode(reference, feeding) == *data);
    }
    const Feeding tiny{1, 1};
    const std::string compressed = harness.encode(*data, -1, tiny);
    INFO("encoded with " << describe(tiny) << ", decoded with " << describe(Feeding{1, 7}));
    CHECK(harness.decode(compressed, Feeding{1, 7}) == *data);
  }
}

TEST_CASE("streams of one codec run on several threads at once", "[codec]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  const CodecHarness harness(codec.id);
  // Catch2's assertions are not thread-safe: each thread records its outcome for the main one.
  constexpr int kThreads = 4;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int round = 0; round < 5; ++round) {
          const std::string data = atomicio::test::random_bytes(2000, static_cast<std::uint64_t>(t * 100 + round)) +
                                   atomicio::test::repetitive_bytes(20000);
          const std::string stream = harness.encode(data, -1, Feeding{997, 61});
          if (harness.decode(stream, Feeding{61, 997}) != data) failures[static_cast<std::size_t>(t)] = "data differs";
        }
      } catch (const std::exception& error) {
        failures[static_cast<std::size_t>(t)] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const std::string& failure : failures) CHECK(failure.empty());
}
