// --max-size and ATOMICIO_MAX_SIZE: the verbs that hold a whole file in memory (cat, update,
// convert, edit) refuse content over the limit with exit 1 and a diagnostic naming the limit and
// the file, and change nothing.
#include "support/run_program.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

RunResult run_cli(const std::vector<std::string>& arguments, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv{"env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(binary_path("atomicio"));
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_program(argv);
}

// A JSON document of 2,000-odd bytes.
std::string document() {
  std::string text = "{\"items\": [";
  for (int i = 0; i < 400; ++i) text += (i > 0 ? ", " : "") + std::to_string(i);
  return text + "]}\n";
}

}  // namespace

TEST_CASE("cli: cat, update, convert and edit refuse content over --max-size and change nothing", "[cli][limits]") {
  TempDir dir;
  const fs::path path = dir / "data.json";
  const std::string original = document();
  REQUIRE(original.size() > 1024);
  spit(path, original);
  const fs::path converted = dir / "copy.json";

  const std::vector<std::vector<std::string>> refused{
      {"cat", "--max-size", "1K", path.string()},
      {"update", "--max-size", "1K", path.string(), "{\"b\": 2}"},
      {"convert", "--max-size", "1K", path.string(), converted.string()},
      {"edit", "--max-size", "1K", path.string(), "--", "sh", "-c", "echo ran >&2; cat"},
  };
  for (const auto& arguments : refused) {
    INFO(arguments.front());
    RunResult result = run_cli(arguments);
    CHECK(result.status == 1);
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Catch::Contains("exceeds the limit of 1024 bytes"));
    CHECK_THAT(result.err, Catch::Contains(path.string()));
    CHECK_THAT(result.err, !Catch::Contains("ran"));  // edit's CMD never started
  }
  CHECK(slurp(path) == original);
  CHECK_FALSE(fs::exists(converted));

  RunResult from_env = run_cli({"cat", path.string()}, {"ATOMICIO_MAX_SIZE=1024"});
  CHECK(from_env.status == 1);
  CHECK_THAT(from_env.err, Catch::Contains("exceeds the limit of 1024 bytes"));

  // Within the limit, and the option over the environment.
  CHECK(run_cli({"cat", "--max-size", "1M", path.string()}).status == 0);
  CHECK(run_cli({"cat", "--max-size", "4096", path.string()}, {"ATOMICIO_MAX_SIZE=1K"}).status == 0);
  CHECK(run_cli({"cat", "--max-size", "lots", path.string()}).status == 2);  // a usage error
}
