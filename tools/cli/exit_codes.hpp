// The tool's exit statuses, in one place so that the code that returns them and the --help text
// that documents them cannot drift apart.
#pragma once

namespace atomicio::cli {

inline constexpr int kExitSuccess = 0;
/// An operation failed: I/O, parse, plugin, a missing file.
inline constexpr int kExitFailure = 1;
/// The command line itself was wrong (CLI11's own errors).
inline constexpr int kExitUsage = 2;
/// The lock was held elsewhere past --timeout: EX_TEMPFAIL from sysexits.h, "try again later".
inline constexpr int kExitLockBusy = 75;
/// Shell conventions for a CMD that could not be started (edit, lock).
inline constexpr int kExitCannotExecute = 126;
inline constexpr int kExitNotFound = 127;
/// A CMD killed by signal N reports kExitSignalBase + N, as shells do.
inline constexpr int kExitSignalBase = 128;

}  // namespace atomicio::cli
