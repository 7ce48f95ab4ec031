// AsyncLineReader against a plain split written here: random contents full of separator bytes,
// empty lines and no trailing separator, random chunk sizes from 1 byte, separators of 1 to 3
// bytes, random start offsets and line limits. Each iteration's seed is logged, so a failure
// is reproduced by running that one seed.
#include "async/async_test_support.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/async/async_file.hpp>
#include <atomicio/async/async_line_reader.hpp>

#include <boost/asio/as_tuple.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace asio = boost::asio;
using atomicio::AsyncFile;
using atomicio::AsyncLineReader;
using atomicio::OpenMode;
using atomicio::test::TempDir;

namespace {

// Byte by byte, the way one would split by hand: at each position, either the separator starts
// here (the line ends after it) or it does not. The last piece is a line if it is not empty.
std::vector<std::string> split_lines(const std::string& text, const std::string& separator) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, separator.size(), separator) == 0) {
      lines.push_back(line + separator);
      line.clear();
      i += separator.size();
    } else {
      line += text[i++];
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

struct Example {
  std::string content, separator;
  std::size_t chunk_size, offset, max_line;
};

Example make_example(std::uint32_t seed) {
  std::mt19937 random(seed);
  auto below = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  // Few distinct bytes, so separators and their prefixes turn up often (and next to each other);
  // '\0' and 0xff stand for arbitrary binary bytes.
  const std::string alphabet = std::string("ab\n\r-") + '\0' + '\xff';
  Example example;
  std::size_t separator_size = 1 + below(3);
  for (std::size_t i = 0; i < separator_size; ++i) example.separator += alphabet[below(alphabet.size())];
  std::size_t length = below(4) == 0 ? below(8) : below(400);
  for (std::size_t i = 0; i < length; ++i) example.content += alphabet[below(alphabet.size())];
  // Mostly small chunks, where lines and separators straddle chunk boundaries.
  example.chunk_size = below(3) == 0 ? 1 + below(600) : 1 + below(8);
  example.offset = below(5) == 0 ? below(length + 2) : 0;
  example.max_line = below(4) == 0 ? 1 + below(40) : 1 << 20;
  return example;
}

}  // namespace

TEST_CASE("the split helper of this test splits as readline does", "[async][lines]") {
  CHECK(split_lines("a\n\nb", "\n") == std::vector<std::string>{"a\n", "\n", "b"});
  CHECK(split_lines("a---b--", "--") == std::vector<std::string>{"a--", "-b--"});
  CHECK(split_lines("", "\n").empty());
}

TEST_CASE("lines of random contents equal a plain split, whatever the chunk size", "[async][lines]") {
  TempDir dir;
  const std::uint32_t base_seed = 0x5eed1e5;
  const int iterations = 300;
  int limited = 0;
  atomicio::test::run_with_context([&](asio::any_io_executor executor) -> asio::awaitable<void> {
    for (int iteration = 0; iteration < iterations; ++iteration) {
      const std::uint32_t seed = base_seed + static_cast<std::uint32_t>(iteration);
      const Example example = make_example(seed);
      INFO("seed " << seed << ", separator size " << example.separator.size() << ", chunk size " << example.chunk_size
                   << ", offset " << example.offset << ", max_line " << example.max_line << ", content size "
                   << example.content.size());
      const auto path = dir / ("lines" + std::to_string(iteration));
      atomicio::test::spit(path, example.content);
      AsyncFile file =
          co_await AsyncFile::async_open(executor, path, OpenMode::parse("r"),
                                         atomicio::test::file_options(), asio::use_awaitable);
      AsyncLineReader reader(file, example.separator, example.chunk_size, example.offset, example.max_line);

      const std::string rest = example.offset < example.content.size() ? example.content.substr(example.offset) : "";
      std::uint64_t position = example.offset;
      bool refused = false;
      for (const std::string& expected : split_lines(rest, example.separator)) {
        auto [error, line] = co_await reader.async_read_line(asio::as_tuple(asio::use_awaitable));
        if (expected.size() > example.max_line) {
          CHECK(error == asio::error::message_size);
          CHECK(reader.offset() == position);
          refused = true;
          ++limited;
          break;
        }
        REQUIRE_FALSE(error);
        REQUIRE(line == expected);
        position += line.size();
        CHECK(reader.offset() == position);
      }
      if (!refused) {
        auto [error, end] = co_await reader.async_read_line(asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(error);
        CHECK(end.empty());
        CHECK(reader.offset() == std::max<std::uint64_t>(example.offset, example.content.size()));
      }
    }
  });
  // The limit must have been met sometimes, or its branch tested nothing.
  CHECK(limited > 10);
}
