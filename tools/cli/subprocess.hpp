// Running the user's CMD for edit and lock: PATH lookup, exit status in shell convention, and
// the parent's signal manners of system(3) (SIGINT and SIGQUIT are left to the child, which
// shares the terminal) plus forwarding of SIGTERM and SIGHUP, so that killing the tool stops
// CMD before the tool's lock is released. A tool that cannot clean up (SIGKILL, a crash) takes
// CMD with it: CMD gets SIGKILL from the kernel (PR_SET_PDEATHSIG) as the lock is released.
// Processes CMD starts itself, and a set-uid CMD (exec clears the setting), are not covered.
//
// Thread-safety: one call at a time per process (they change process-wide signal dispositions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace atomicio::cli {

struct FilterResult {
  /// CMD's exit code, kExitSignalBase + signal if it was killed, kExitNotFound or
  /// kExitCannotExecute if it could not be started (then a diagnostic has been printed).
  int status = 0;
  /// False when CMD could not be started (and a diagnostic has been printed).
  bool started = true;
  /// The signal that killed CMD, else 0.
  int signal = 0;
  /// Everything CMD wrote to its stdout.
  std::string output;
};

/// Runs `argv` (argv[0] looked up in PATH) with `input` as its stdin and its stdout captured;
/// its stderr is the tool's. Feeds and drains the pipes together, so any size works both ways,
/// and a CMD that exits without reading all of `input` is not an error. Blocks until CMD exits.
/// Throws std::system_error if the pipes cannot be made or used.
FilterResult run_filter(const std::vector<std::string>& argv, std::string_view input);

/// Runs `argv` (PATH lookup) with the tool's own stdin, stdout and stderr and returns its status
/// as FilterResult::status describes. Blocks until it exits.
int run_command(const std::vector<std::string>& argv);

}  // namespace atomicio::cli
