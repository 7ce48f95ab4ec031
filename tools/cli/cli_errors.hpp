// Diagnostics and the mapping from exceptions to exit statuses, shared by every verb: each verb
// just throws, and this decides what the shell sees.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace atomicio::cli {

/// The "Exit status" table shown at the end of --help; it documents exit_codes.hpp.
std::string exit_status_help();

/// Writes "atomicio: <message>" and a newline to stderr. Never throws.
void report_error(std::string_view message) noexcept;

/// Warns on stderr ("atomicio: warning: ...") about each plugin that failed to load this run
/// while another plugin claiming the same extension or backend served in its place: the host
/// records that, but the record ends with this process. Never throws.
void report_plugin_fallbacks() noexcept;

/// Runs `verb` and returns its exit status; an exception it throws is reported on stderr and
/// mapped: lock timeouts and already-held locks give kExitLockBusy, anything else kExitFailure.
/// Never throws.
int run_reporting_errors(const std::function<int()>& verb) noexcept;

}  // namespace atomicio::cli
