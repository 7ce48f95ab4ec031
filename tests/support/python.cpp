#include "support/python.hpp"

#include "support/run_program.hpp"

#include <catch2/catch.hpp>

namespace atomicio::test {

std::string run_python(const std::string& script, const std::vector<std::string>& args, std::string_view input) {
  std::vector<std::string> argv{"/usr/bin/python3", "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult result = run_program(argv, input);
  INFO("python stderr: " << result.err);
  REQUIRE(result.status == 0);
  return std::move(result.out);
}

Value python_json(const std::string& script, const std::vector<std::string>& args, std::string_view input) {
  return Value::parse(run_python(script, args, input));
}

}  // namespace atomicio::test
