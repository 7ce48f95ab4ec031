// Exception-to-exit-status mapping and the stderr diagnostic format.
#include "cli_errors.hpp"

#include "exit_codes.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>

#include <unistd.h>

#include <cerrno>
#include <exception>
#include <new>
#include <string>

namespace atomicio::cli {

std::string exit_status_help() {
  auto row = [](const std::string& code, const char* meaning) {
    return "  " + code + std::string(code.size() < 9 ? 9 - code.size() : 1, ' ') + meaning + "\n";
  };
  using std::to_string;
  return "Exit status:\n" +
         row(to_string(kExitSuccess), "success") +
         row(to_string(kExitFailure), "the operation failed: I/O, parse, plugin, or the file does not exist") +
         row(to_string(kExitUsage), "usage error: unknown verb or option, missing argument") +
         row(to_string(kExitLockBusy), "the lock is held elsewhere and --timeout ran out (EX_TEMPFAIL)") +
         "  Once CMD has run, edit and lock exit with CMD's status instead:\n" +
         row("N", "CMD exited with N (edit commits CMD's output only when N is 0)") +
         row(to_string(kExitSignalBase) + "+S", "CMD was killed by signal S") +
         row(to_string(kExitCannotExecute), "CMD could not be executed") +
         row(to_string(kExitNotFound), "CMD was not found");
}

void report_error(std::string_view message) noexcept {
  try {
    std::string line = "atomicio: ";
    line.append(message);
    line += '\n';
    // One write() so that lines from concurrent processes sharing a terminal do not interleave.
    std::size_t done = 0;
    while (done < line.size()) {
      ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // stderr is gone: nowhere left to report to
      done += static_cast<std::size_t>(n);
    }
  } catch (...) {
    // Out of memory while building the line: the exit status still tells the story.
  }
}

void report_plugin_fallbacks() noexcept {
  try {
    for (const PluginConflict& conflict : PluginHost::global().conflicts()) {
      if (conflict.winner.empty()) continue;  // then the command itself failed, naming each claimant
      for (const PluginInfo& claimant : conflict.claimants)
        if (claimant.state == PluginInfo::State::failed)
          report_error("warning: plugin " + claimant.id + " failed to load, so " + conflict.winner + " served '" +
                       conflict.claim + "' instead: " + claimant.reason);
    }
  } catch (...) {
    // A warning that cannot be built (out of memory) is not worth failing a finished command.
  }
}

int run_reporting_errors(const std::function<int()>& verb) noexcept {
  try {
    return verb();
  } catch (const LockTimeoutError& error) {
    report_error(error.what());
    return kExitLockBusy;
  } catch (const AlreadyLockedError& error) {
    report_error(error.what());
    return kExitLockBusy;
  } catch (const AtomicIOError& error) {
    report_error(error.what());
  } catch (const std::bad_alloc&) {
    report_error("out of memory");
  } catch (const std::exception& error) {
    report_error(error.what());
  } catch (...) {
    report_error("unknown error");
  }
  return kExitFailure;
}

}  // namespace atomicio::cli
