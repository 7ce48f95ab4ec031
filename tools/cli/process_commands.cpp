// edit and lock: run the user's command while holding a file's lock. edit feeds the file to the
// command and commits its output; lock is flock(1) for atomicio's locks.
#include "commands.hpp"

#include "cli_errors.hpp"
#include "exit_codes.hpp"
#include "subprocess.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/threaded_safe_file.hpp>
#include <atomicio/timeout.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace atomicio::cli {

namespace {

constexpr double kMaxTimeoutSeconds = 1e9;  // ~31 years; longer would overflow nanoseconds

struct LockArguments {
  std::string path;
  std::vector<std::string> command;
  double timeout_seconds = -1.0;  // negative: wait as long as it takes
  std::string backend;
  bool shared = false;
  bool nonblock = false;
  std::uint64_t max_size = FileOptions{}.max_decoded_size;  // edit's read of PATH
};

// Rejects what Timeout cannot represent: negative numbers, NaN, durations that overflow.
std::string check_seconds(std::string& text) {
  try {
    std::size_t used = 0;
    double seconds = std::stod(text, &used);
    if (used == text.size() && seconds >= 0 && seconds <= kMaxTimeoutSeconds) return {};
  } catch (const std::exception&) {
    // Not a number: reported below like any other bad value.
  }
  return "expected a number of seconds from 0 to " + std::to_string(static_cast<long>(kMaxTimeoutSeconds)) +
         ", got '" + text + "'";
}

Timeout timeout_of(const LockArguments& arguments) {
  if (arguments.nonblock) return Timeout::immediate();
  if (arguments.timeout_seconds < 0) return Timeout::infinite();
  return Timeout(std::chrono::duration<double>(arguments.timeout_seconds));
}

int edit_file(const LockArguments& arguments) {
  FileOptions options;
  options.lock_backend = arguments.backend;
  options.max_decoded_size = arguments.max_size;
  ThreadedSafeFile file(arguments.path, timeout_of(arguments), options);
  // Held from before the read until after the commit, so no other atomicio writer can slip in
  // between; read_bytes() and write_bytes() below re-enter it (same thread).
  FileLock guard = file.locked();
  const std::string input = file.read_bytes().value_or("");
  FilterResult result = run_filter(arguments.command, input);
  if (result.status != kExitSuccess) {
    if (result.started) {
      const std::string how = result.signal != 0 ? "was killed by signal " + std::to_string(result.signal)
                                                 : "exited with status " + std::to_string(result.status);
      report_error("'" + arguments.command.front() + "' " + how + "; '" + arguments.path + "' left unchanged");
    }
    return result.status;
  }
  file.write_bytes(result.output);
  return kExitSuccess;
}

int run_locked(const LockArguments& arguments) {
  LockOptions options;
  options.backend = arguments.backend;
  FileLock lock(arguments.path, arguments.shared ? LockMode::shared : LockMode::exclusive, timeout_of(arguments),
                options);
  return run_command(arguments.command);
}

void add_lock_options(CLI::App& verb, LockArguments& arguments) {
  CLI::Option* timeout =
      verb.add_option("--timeout", arguments.timeout_seconds,
                      "Give up (exit 75) if the lock is not free within SECONDS; 0 means do not wait. "
                      "Default: wait as long as it takes")
          ->type_name("SECONDS")
          ->check(CLI::Validator(check_seconds, ""));
  verb.add_flag("-n,--nonblock", arguments.nonblock, "Do not wait: exit 75 at once if the lock is held (--timeout 0)")
      ->excludes(timeout);
  verb.add_option("--backend", arguments.backend,
                  "Lock backend (see 'atomicio backends'). Default: ATOMICIO_LOCK_BACKEND, else ofd "
                  "(whatever else is installed, so that every process excludes every other)")
      ->type_name("NAME");
  verb.add_option("PATH", arguments.path, "The file whose lock is taken (it need not exist)")->required();
  verb.add_option("CMD", arguments.command, "The command and its arguments, after --")->required();
}

}  // namespace

void add_process_commands(CLI::App& app, Commands& commands) {
  auto edit = std::make_shared<LockArguments>();
  CLI::App* edit_verb = app.add_subcommand("edit", "Filter PATH through CMD under PATH's lock");
  edit_verb->footer(
      "Takes PATH's exclusive lock, runs CMD with PATH's bytes on stdin (nothing if PATH does\n"
      "not exist) and, if CMD exits 0, atomically replaces PATH with CMD's stdout. Otherwise PATH\n"
      "is left untouched and edit exits with CMD's status. CMD's stderr is passed through.\n"
      "SIGTERM and SIGHUP are passed on to CMD; if edit itself is killed (SIGKILL), CMD is\n"
      "killed with it, since edit's lock is gone (processes CMD starts are not).\n"
      "Example: atomicio edit counter -- awk '{print $1+1}'");
  add_lock_options(*edit_verb, *edit);
  add_max_size_option(*edit_verb, edit->max_size);
  commands.push_back({edit_verb, [edit] { return edit_file(*edit); }});

  auto lock = std::make_shared<LockArguments>();
  CLI::App* lock_verb = app.add_subcommand("lock", "Run CMD while holding PATH's lock, like flock(1)");
  lock_verb->footer(
      "Takes PATH's lock (on the sidecar PATH.lock, shared with every atomicio user of PATH),\n"
      "runs CMD with this tool's stdin, stdout and stderr, releases the lock when CMD exits and\n"
      "exits with CMD's status. CMD is another process: its own atomicio calls on PATH wait for\n"
      "this lock like anyone else's, so use edit for a read-modify-write of PATH.\n"
      "SIGTERM and SIGHUP are passed on to CMD. If lock itself is killed (SIGKILL), the lock is\n"
      "released and CMD is killed with it (unlike flock(1), where CMD keeps the lock); processes\n"
      "CMD starts in the background, and a set-uid CMD, are not killed.\n"
      "Example: atomicio lock --timeout 5 data.json -- ./migrate.sh data.json");
  lock_verb->add_flag("--shared", lock->shared, "Take the shared (reader) lock instead of the exclusive one");
  add_lock_options(*lock_verb, *lock);
  commands.push_back({lock_verb, [lock] { return run_locked(*lock); }});
}

}  // namespace atomicio::cli
