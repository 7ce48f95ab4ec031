// Every format inside every codec, through every file class: what atomicio writes decompresses
// (with the real tools) to exactly the bytes of the uncompressed file, and reads back to the
// same value.
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/formats.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace atomicio;
using namespace atomicio::test;

namespace {

struct FormatSample {
  std::string extension;
  Value value;
};

std::vector<FormatSample> format_samples() {
  const Value records = Value::parse(R"([{"id": "1", "name": "ada, \"the\" first"}, {"id": "2", "name": "line\nbreak"}])");
  const Value document = Value::parse(R"({"name": "demo", "retries": 3, "ratio": 0.25, "tags": ["a", "b"], "nested": {"on": true}})");
  return {{".json", document},
          {".yaml", document},
          {".toml", document},
          {".txt", Value("plain text\nwith two lines\n")},
          {".csv", records},
          {".tsv", records},
          {".xml", Value::parse(R"({"config": {"name": "demo", "retries": "3"}})")}};
}

struct CodecTool {
  std::string extension;
  std::string program;  // decompresses with -dc
};

const std::vector<CodecTool> kCodecs{{".gz", "gzip"}, {".bz2", "bzip2"}, {".xz", "xz"}};

std::string decompress_with_tool(const CodecTool& codec, const std::filesystem::path& file) {
  RunResult result = run_program({codec.program, "-dc", file.string()});
  INFO(codec.program << " stderr: " << result.err);
  REQUIRE(result.status == 0);
  return result.out;
}

}  // namespace

TEST_CASE("every format inside every codec round-trips, and the codec's own tool reads it", "[codec]") {
  for (const FormatSample& sample : format_samples()) {
    for (const CodecTool& codec : kCodecs) {
      DYNAMIC_SECTION(sample.extension << codec.extension) {
        TempDir dir;
        const auto plain = dir / ("data" + sample.extension);
        const auto packed = dir / ("data" + sample.extension + codec.extension);
        SafeFile(plain).write(sample.value);
        SafeFile(packed).write(sample.value);

        CHECK(decompress_with_tool(codec, packed) == slurp(plain));
        CHECK(SafeFile(packed).read() == SafeFile(plain).read());
        CHECK(SafeFile(packed).read_bytes() == slurp(plain));
        CHECK(parse_as(packed.filename(), slurp(packed)) == *SafeFile(plain).read());
      }
    }
  }
}

TEST_CASE("ThreadedSafeFile reads and writes compressed files under one held lock", "[codec]") {
  TempDir dir;
  ThreadedSafeFile file(dir / "counter.json.xz");
  file.write(Value{{"count", 0}});
  for (int i = 0; i < 5; ++i) {
    auto guard = file.locked();
    Value value = file.read().value();
    value["count"] = value["count"].get<int>() + 1;
    file.write(value);
  }
  CHECK(file.read() == Value{{"count", 5}});
  CHECK(Value::parse(decompress_with_tool(kCodecs[2], dir / "counter.json.xz")) == Value{{"count", 5}});
}

TEST_CASE("update() merges into a compressed document", "[codec]") {
  TempDir dir;
  SafeFile file(dir / "config.yaml.bz2");
  file.write(Value::parse(R"({"name": "a", "list": [1]})"));
  file.update(Value::parse(R"({"added": true, "list": [2]})"));
  CHECK(file.read() == Value::parse(R"({"name": "a", "list": [1, 2], "added": true})"));
}

TEST_CASE("append() adds a new compressed stream that every decoder reads after the old one", "[codec]") {
  for (const CodecTool& codec : kCodecs) {
    DYNAMIC_SECTION(codec.extension) {
      TempDir dir;
      const auto path = dir / ("log.txt" + codec.extension);
      SafeFile log(path);
      log.append("first line\n");
      const std::string after_one = slurp(path);
      log.append("second line\n");
      // The old stream is kept byte for byte; the new one follows it.
      CHECK(slurp(path).rfind(after_one, 0) == 0);
      CHECK(log.read_bytes() == "first line\nsecond line\n");
      CHECK(log.read() == Value("first line\nsecond line\n"));
      CHECK(decompress_with_tool(codec, path) == "first line\nsecond line\n");
    }
  }
}

TEST_CASE("files the tools and Python compressed are read, multi-member and multi-stream included", "[codec][interop]") {
  TempDir dir;
  // gzip members and xz streams concatenated by the shell, as log rotation does.
  spit(dir / "part1.json", "{\"a\": [1, ");
  spit(dir / "part2.json", "2]}");
  for (const CodecTool& codec : kCodecs) {
    DYNAMIC_SECTION(codec.program) {
      const auto path = dir / ("joined.json" + codec.extension);
      const std::string command = codec.program + " -c '" + (dir / "part1.json").string() + "' > '" + path.string() +
                                  "' && " + codec.program + " -c '" + (dir / "part2.json").string() + "' >> '" +
                                  path.string() + "'";
      RunResult joined = run_program({"sh", "-c", command});
      REQUIRE(joined.status == 0);
      CHECK(SafeFile(path).read() == Value::parse(R"({"a": [1, 2]})"));
    }
  }

  SECTION("Python's gzip, bz2 and lzma modules with its yaml and csv writers") {
    const std::string script =
        "import sys, gzip, bz2, lzma, csv, io, yaml\n"
        "d = sys.argv[1]\n"
        "with bz2.open(d + '/py.yaml.bz2', 'wt') as f: yaml.safe_dump({'name': 'py', 'n': [1, 2]}, f)\n"
        "with lzma.open(d + '/py.csv.xz', 'wt', newline='') as f:\n"
        "    w = csv.DictWriter(f, ['k', 'v']); w.writeheader(); w.writerow({'k': 'a', 'v': 'x,y'})\n"
        "with gzip.open(d + '/py.json.gz', 'wt') as f: f.write('{\"from\": \"python\"}')\n";
    RunResult python = run_program({"/usr/bin/python3", "-c", script, dir.path().string()});
    INFO(python.err);
    REQUIRE(python.status == 0);
    CHECK(SafeFile(dir / "py.yaml.bz2").read() == Value::parse(R"({"name": "py", "n": [1, 2]})"));
    CHECK(SafeFile(dir / "py.csv.xz").read() == Value::parse(R"([{"k": "a", "v": "x,y"}])"));
    CHECK(SafeFile(dir / "py.json.gz").read() == Value::parse(R"({"from": "python"})"));

    SafeFile(dir / "ours.csv.gz").write(Value::parse(R"([{"k": "b", "v": "quote \" inside"}])"));
    RunResult read_back = run_program({"/usr/bin/python3", "-c",
                                       "import sys, gzip, csv\n"
                                       "with gzip.open(sys.argv[1], 'rt', newline='') as f: print(list(csv.DictReader(f)))\n",
                                       (dir / "ours.csv.gz").string()});
    REQUIRE(read_back.status == 0);
    CHECK(read_back.out == "[{'k': 'b', 'v': 'quote \" inside'}]\n");
  }
}
