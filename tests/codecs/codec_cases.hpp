// What the codec tests know about each codec plugin, and the data they compress. A codec whose
// plugin is not built (ATOMICIO_SKIP_PLUGINS) is left out of the table by CMake's definitions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace atomicio::test {

struct CodecCase {
  std::string id;             ///< plugin id, "codec.gzip"
  std::string name;           ///< the format's name in messages, "gzip"
  std::string unit;           ///< what one of its streams is called in messages: "member" or "stream"
  std::string tool;           ///< the reference command-line tool
  std::string python_module;  ///< Python's module with compress()/decompress()
  int min_level;
  int max_level;
  int default_level;
  std::size_t magic_size;     ///< bytes that identify the start of a stream
};

inline std::vector<CodecCase> codec_cases() {
  std::vector<CodecCase> cases;
#ifdef ATOMICIO_TEST_CODEC_GZIP
  cases.push_back({"codec.gzip", "gzip", "member", "/usr/bin/gzip", "gzip", 1, 9, 6, 2});
#endif
#ifdef ATOMICIO_TEST_CODEC_BZ2
  cases.push_back({"codec.bz2", "bzip2", "stream", "/usr/bin/bzip2", "bz2", 1, 9, 9, 4});
#endif
#ifdef ATOMICIO_TEST_CODEC_XZ
  cases.push_back({"codec.xz", "xz", "stream", "/usr/bin/xz", "lzma", 0, 9, 6, 6});
#endif
  return cases;
}

/// `size` bytes that do not compress, the same for the same seed.
inline std::string random_bytes(std::size_t size, std::uint64_t seed = 1) {
  std::mt19937_64 generator(seed);
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t word = generator();
    for (std::size_t j = i; j < i + 8 && j < size; ++j, word >>= 8) bytes[j] = static_cast<char>(word & 0xFF);
  }
  return bytes;
}

/// `size` bytes that compress very well: a short record with a counter, repeated.
inline std::string repetitive_bytes(std::size_t size) {
  std::string bytes;
  bytes.reserve(size + 64);
  for (std::size_t i = 0; bytes.size() < size; ++i)
    bytes += "{\"id\": " + std::to_string(i % 1000) + ", \"name\": \"atomicio\", \"ok\": true}\n";
  bytes.resize(size);
  return bytes;
}

/// A short text with some UTF-8 and a NUL byte.
inline const std::string kText = [] {
  static constexpr char text[] =
      "Crash-safe atomic file commits: write a temporary file in the target's directory, fsync it, "
      "rename it over the target and fsync the directory. Umlaute \xC3\xA4\xC3\xB6\xC3\xBC and a NUL \0 byte too.\n";
  return std::string(text, sizeof text - 1);
}();

}  // namespace atomicio::test
