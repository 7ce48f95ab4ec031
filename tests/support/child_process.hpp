// Spawning helper processes for cross-process tests: fork + exec of a test helper binary, or
// fork running a function. Waits are bounded so a wedged child fails the test instead of
// hanging CI.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace atomicio::test {

struct ExitStatus {
  bool exited = false;   ///< normal exit (then `code`), else killed by `signal`
  int code = -1;
  int signal = 0;
};

class ChildProcess {
 public:
  /// Runs `argv` (argv[0] is a path) with the parent's environment plus `extra_env`.
  static ChildProcess spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  /// Forks and runs `body` in the child, which exits with its return value (1 on exception).
  static ChildProcess fork(const std::function<int()>& body);

  ChildProcess(ChildProcess&& other) noexcept;
  ~ChildProcess();  // kills and reaps a child still running

  pid_t pid() const noexcept { return pid_; }
  /// Waits up to `limit`; kills the child (SIGKILL) and throws if it is still running then.
  ExitStatus wait(std::chrono::seconds limit = std::chrono::seconds(120));
  void kill(int signal);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

/// The path of a program built into the build tree's bin directory.
std::string binary_path(const std::string& name);

}  // namespace atomicio::test
