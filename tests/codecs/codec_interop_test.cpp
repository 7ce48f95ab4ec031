// The codec plugins against independent implementations, both ways: the gzip, bzip2 and xz
// command-line tools, and Python's gzip, bz2 and lzma modules. What atomicio writes they read,
// and what they write (including multi-member files made by appending) atomicio reads.
#include "codecs/codec_cases.hpp"
#include "codecs/codec_harness.hpp"
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using atomicio::test::CodecCase;
using atomicio::test::CodecHarness;
using atomicio::test::run_program;
using atomicio::test::TempDir;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// argv: module, function ("compress"/"decompress"), optional keyword arguments as a Python
// expression evaluated with the module in scope as `m`.
constexpr const char* kPythonCodec = R"(
import importlib, sys
m = importlib.import_module(sys.argv[1])
kwargs = eval(sys.argv[3], {"m": m}) if len(sys.argv) > 3 else {}
sys.stdout.buffer.write(getattr(m, sys.argv[2])(sys.stdin.buffer.read(), **kwargs))
)";

bool installed(const std::string& program) {
  if (std::filesystem::exists(program)) return true;
  WARN(program << " is not installed: skipping this check");
  return false;
}

/// What `argv` prints given `input`; the test fails unless it exits with status 0.
std::string output_of(const std::vector<std::string>& argv, const std::string& input = {}) {
  const auto result = run_program(argv, input);
  INFO("running " << argv.at(0) << (argv.size() > 1 ? " " + argv[1] : "") << "; stderr: " << result.err);
  REQUIRE(result.status == 0);
  return result.out;
}

std::string python(const CodecCase& codec, const std::string& function, const std::string& input,
                   const std::string& kwargs = {}) {
  std::vector<std::string> argv{kPython, "-c", kPythonCodec, codec.python_module, function};
  if (!kwargs.empty()) argv.push_back(kwargs);
  return output_of(argv, input);
}

std::string level_flag(int level) { return "-" + std::to_string(level); }

std::vector<std::string> sample_inputs() {
  return {"", atomicio::test::kText,
          atomicio::test::random_bytes(100000, 5) + atomicio::test::repetitive_bytes(300000)};
}

}  // namespace

TEST_CASE("the gzip, bzip2 and xz tools decompress what the codecs write", "[codec][interop]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  if (!installed(codec.tool)) return;
  CodecHarness harness(codec.id);
  const auto inputs = sample_inputs();
  for (const std::string& data : inputs) {
    for (int level : {-1, codec.min_level, codec.max_level}) {
      CAPTURE(data.size(), level);
      const std::string stream = harness.encode(data, level);
      CHECK(output_of({codec.tool, "-t"}, stream).empty());
      CHECK(output_of({codec.tool, "-d", "-c"}, stream) == data);
    }
  }
  // Streams the codec wrote, concatenated, read as one by the tool.
  const std::string joined = harness.encode(inputs[1]) + harness.encode(inputs[2]) + harness.encode(inputs[0]);
  CHECK(output_of({codec.tool, "-d", "-c"}, joined) == inputs[1] + inputs[2]);
}

TEST_CASE("the codecs decompress what the gzip, bzip2 and xz tools write", "[codec][interop]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  if (!installed(codec.tool)) return;
  CodecHarness harness(codec.id);
  std::vector<std::vector<std::string>> variants{
      {codec.tool, "-c"}, {codec.tool, "-c", level_flag(codec.min_level)}, {codec.tool, "-c", level_flag(codec.max_level)}};
  if (codec.name == "xz") {
    // Every integrity check the format has, and a non-preset filter chain.
    for (const char* check : {"--check=none", "--check=crc32", "--check=sha256"}) variants.push_back({codec.tool, "-c", check});
    variants.push_back({codec.tool, "-c", "--lzma2=preset=1,dict=64KiB,lc=0,lp=2,pb=2"});
  }
  if (codec.name == "gzip") variants.push_back({codec.tool, "-c", "-n"});  // no name, no time
  for (const std::string& data : sample_inputs()) {
    for (const auto& argv : variants) {
      CAPTURE(data.size(), argv.back());
      const std::string stream = output_of(argv, data);
      CHECK(harness.decode(stream) == data);
      CHECK(harness.decode(stream, atomicio::test::Feeding{1, 7}) == data);
    }
  }
}

TEST_CASE("the codecs read files the tools build by appending", "[codec][interop]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  if (!installed(codec.tool) || !installed("/bin/sh")) return;
  CodecHarness harness(codec.id);
  TempDir dir;
  const std::string a = atomicio::test::kText, b = atomicio::test::repetitive_bytes(70000), c = "third\n";
  atomicio::test::spit(dir / "a", a);
  atomicio::test::spit(dir / "b", b);
  atomicio::test::spit(dir / "c", c);
  const std::string file = (dir / "joined").string();
  // Exactly what a user types: `gzip -c a > f; gzip -c b >> f` (the tool stores a's and b's
  // names and times in the gzip headers).
  output_of({"/bin/sh", "-c", "\"$0\" -c \"$1\" > \"$4\" && \"$0\" -c \"$2\" >> \"$4\" && \"$0\" -c \"$3\" >> \"$4\"",
             codec.tool, (dir / "a").string(), (dir / "b").string(), (dir / "c").string(), file});
  const std::string joined = atomicio::test::slurp(file);
  CHECK(harness.decode(joined) == a + b + c);
  CHECK(harness.decode(joined, atomicio::test::Feeding{1, 1}) == a + b + c);
  // The tool agrees, so the file really is what the test claims.
  CHECK(output_of({codec.tool, "-d", "-c", file}) == a + b + c);
}

TEST_CASE("Python reads what the codecs write and the codecs read what Python writes", "[codec][interop]") {
  const CodecCase codec = GENERATE(from_range(atomicio::test::codec_cases()));
  CAPTURE(codec.id);
  if (!installed(kPython)) return;
  CodecHarness harness(codec.id);
  const std::string level_keyword = codec.python_module == "lzma" ? "preset" : "compresslevel";
  const auto inputs = sample_inputs();
  for (const std::string& data : inputs) {
    CAPTURE(data.size());
    CHECK(python(codec, "decompress", harness.encode(data)) == data);
    CHECK(python(codec, "decompress", harness.encode(data, codec.min_level)) == data);
    CHECK(harness.decode(python(codec, "compress", data)) == data);
    const std::string fastest = python(codec, "compress", data, "{'" + level_keyword + "': " +
                                                                    std::to_string(codec.min_level) + "}");
    CHECK(harness.decode(fastest, atomicio::test::Feeding{1, 1}) == data);
  }
  if (codec.python_module == "lzma") {
    for (const char* check : {"m.CHECK_NONE", "m.CHECK_CRC32", "m.CHECK_SHA256"})
      CHECK(harness.decode(python(codec, "compress", inputs[1], std::string("{'check': ") + check + "}")) == inputs[1]);
  }
  // Several streams, both ways.
  CHECK(python(codec, "decompress", harness.encode(inputs[1]) + harness.encode(inputs[2])) == inputs[1] + inputs[2]);
  CHECK(harness.decode(python(codec, "compress", inputs[2]) + python(codec, "compress", inputs[1])) ==
        inputs[2] + inputs[1]);
}
