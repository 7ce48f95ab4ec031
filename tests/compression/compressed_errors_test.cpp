// Damaged archives, decompression bombs and failing writers: each a typed error naming the
// file, and nothing lost — the old file stays as it was and no temporary file is left behind.
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <istream>
#include <ostream>
#include <string>

using namespace atomicio;
using namespace atomicio::test;

namespace {

Value sample_document() {
  Value value = Value::object();
  for (int i = 0; i < 2000; ++i) value["key" + std::to_string(i)] = "value number " + std::to_string(i * 7919);
  return value;
}

template <class Error, class Body>
Error caught(Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error;
  }
  FAIL("no " << typeid(Error).name() << " was thrown");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a truncated or corrupted archive is a FileReadError naming the file and the codec", "[codec][errors]") {
  for (const std::string codec : {".gz", ".bz2", ".xz"}) {
    DYNAMIC_SECTION(codec) {
      TempDir dir;
      const auto path = dir / ("data.json" + codec);
      SafeFile file(path);
      file.write(sample_document());
      const std::string good = slurp(path);

      spit(path, good.substr(0, good.size() / 2));
      auto truncated = caught<FileReadError>([&] { file.read(); });
      CHECK(truncated.path() == path);
      CHECK_THAT(truncated.what(), Catch::Contains("codec."));
      CHECK_THAT(std::string(truncated.what()), Catch::Contains("truncat", Catch::CaseSensitive::No) ||
                                                    Catch::Contains("end", Catch::CaseSensitive::No));

      std::string damaged = good;
      damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x5A);
      spit(path, damaged);
      auto corrupt = caught<FileReadError>([&] { file.read(); });
      CHECK(corrupt.path() == path);
      CHECK_THAT(corrupt.what(), Catch::Contains("codec."));

      spit(path, good + "trailing junk that is not another stream");
      auto trailing = caught<FileReadError>([&] { file.read(); });
      CHECK(trailing.path() == path);

      spit(path, "");
      CHECK_THROWS_AS(file.read(), FileReadError);
      // A damaged file is left as it is for inspection; update() refuses to overwrite it.
      CHECK_THROWS_AS(file.update(Value{{"x", 1}}), FileReadError);
      CHECK(slurp(path).empty());
    }
  }
}

TEST_CASE("a decompression bomb stops at max_decoded_size with a clear error", "[codec][errors]") {
  for (const std::string codec : {".gz", ".xz"}) {
    DYNAMIC_SECTION(codec) {
      TempDir dir;
      const auto path = dir / ("bomb.txt" + codec);
      {
        ContentWriter writer = SafeFile(path).open_writer();
        const std::string zeros(64 * 1024, '\0');
        for (int i = 0; i < 256; ++i) writer.write(zeros);  // 16 MiB
        writer.commit();
      }
      CHECK(std::filesystem::file_size(path) < 64 * 1024);  // tiny on disk

      FileOptions guarded;
      guarded.max_decoded_size = 1 << 20;
      SafeFile file(path, Timeout::infinite(), guarded);
      auto bomb = caught<FileReadError>([&] { file.read_bytes(); });
      CHECK(bomb.path() == path);
      CHECK_THAT(bomb.what(), Catch::Contains("exceeds the limit of 1048576 bytes"));
      CHECK_THROWS_AS(file.read(), FileReadError);

      // Within the limit the same file reads; streaming is bounded by buffers, not the limit.
      guarded.max_decoded_size = 16 << 20;
      CHECK(SafeFile(path, Timeout::infinite(), guarded).read_bytes()->size() == 16u << 20);
      std::uint64_t streamed = 0;
      CHECK(file.read_stream([&](std::string_view piece) { streamed += piece.size(); }));
      CHECK(streamed == 16u << 20);
    }
  }
}

TEST_CASE("an xz stream declaring a 1.5 GiB dictionary is refused instead of allocated", "[codec][errors]") {
  TempDir dir;
  const auto path = dir / "huge-dictionary.txt.xz";
  // A real one-byte xz file whose block header is patched to declare the format's largest
  // dictionary (property byte 40), with the header's CRC32 recomputed.
  const std::string script =
      "import lzma, sys, zlib\n"
      "b = bytearray(lzma.compress(b'x', preset=0))\n"
      "size = (b[12] + 1) * 4\n"
      "assert b[13] == 0 and b[14] == 0x21 and b[15] == 1\n"
      "b[16] = 40\n"
      "b[12 + size - 4:12 + size] = zlib.crc32(bytes(b[12:12 + size - 4])).to_bytes(4, 'little')\n"
      "open(sys.argv[1], 'wb').write(b)\n";
  atomicio::test::RunResult made = atomicio::test::run_program({"/usr/bin/python3", "-c", script, path.string()});
  INFO(made.err);
  REQUIRE(made.status == 0);
  auto refused = caught<FileReadError>([&] { SafeFile(path).read_bytes(); });
  CHECK(refused.path() == path);
  CHECK_THAT(refused.what(), Catch::Contains("512 MiB"));
}

TEST_CASE("a dumper that throws while compressing leaves the old file intact and no temp file", "[codec][errors]") {
  struct Registered {
    Registered() {
      register_format(
          ".boom", [](std::istream& in) { return Value(std::string(std::istreambuf_iterator<char>(in), {})); },
          [](const Value& value, std::ostream& out) {
            out << std::string(200000, 'x');  // well past the codec's buffers
            if (value == Value("explode")) throw std::runtime_error("serializer gave up");
            out << value.get<std::string>();
          });
    }
    ~Registered() { unregister_format(".boom"); }
  } registered;

  TempDir dir;
  const auto path = dir / "data.boom.gz";
  SafeFile file(path);
  file.write(Value("fine"));
  const std::string before = slurp(path);
  auto error = caught<FileWriteError>([&] { file.write(Value("explode")); });
  CHECK(error.path() == path);
  CHECK_THAT(error.what(), Catch::Contains("serializer gave up"));
  CHECK(slurp(path) == before);
  CHECK(dir.entries() == std::vector<std::string>{"data.boom.gz", "data.boom.gz.lock"});
}

TEST_CASE("an out-of-range compression level is a FileWriteError before the file changes", "[codec][errors]") {
  TempDir dir;
  const auto path = dir / "data.json.gz";
  SafeFile(path).write(Value{{"kept", true}});
  const std::string before = slurp(path);
  FileOptions options;
  options.compression_level = 42;
  auto error = caught<FileWriteError>([&] { SafeFile(path, Timeout::infinite(), options).write(Value{{"x", 1}}); });
  CHECK(error.path() == path);
  CHECK_THAT(error.what(), Catch::Contains("codec.gzip"));
  CHECK(slurp(path) == before);
  CHECK(dir.entries() == std::vector<std::string>{"data.json.gz", "data.json.gz.lock"});

  options.compression_level = 1;  // in range: fine, and smaller levels still decode the same
  SafeFile(path, Timeout::infinite(), options).write(Value{{"x", 1}});
  CHECK(SafeFile(path).read() == Value{{"x", 1}});
}

TEST_CASE("a missing compressed file reads as nullopt, like any missing file", "[codec]") {
  TempDir dir;
  CHECK_FALSE(SafeFile(dir / "absent.yaml.xz").read().has_value());
  CHECK_FALSE(SafeFile(dir / "absent.bin.gz").read_bytes().has_value());
  CHECK_FALSE(SafeFile(dir / "absent.bin.gz").read_stream([](std::string_view) {}));
}
