// Running a program as a shell would: given bytes on its stdin, its stdout and stderr captured
// separately, its exit status in shell convention. The wait is bounded so a wedged child fails
// the test instead of hanging CI.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace atomicio::test {

struct RunResult {
  int status = -1;  ///< exit code, or 128 + signal when the child was killed
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] is a path, or a name looked up in PATH) with `input` on its stdin. Throws std::runtime_error when the
/// child cannot be started or is still running after `limit` (it is then killed).
RunResult run_program(const std::vector<std::string>& argv, std::string_view input = {},
                      std::chrono::seconds limit = std::chrono::seconds(60));

}  // namespace atomicio::test
