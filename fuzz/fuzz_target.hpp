// What sets one fuzz program apart from the others: the file name whose format (and codec) it
// fuzzes, and how much a value read from arbitrary bytes must survive a write and a re-read.
// Each program compiles its own target_config.cpp from fuzz/CMakeLists.txt's settings and links
// the harness (format_fuzzer.cpp), which is compiled once for all of them.
#pragma once

namespace atomicio::fuzz {

/// What writing a value that was read, then reading the result, must give back. Whatever the
/// level, a failure must be the typed error of its step (FileReadError, FileWriteError) naming
/// the file name, and anything else (a crash, a sanitizer report, another exception) is a finding.
enum class RoundTrip {
  /// No comparison, and re-reading what was written may fail with FileReadError.
  none,
  /// The first write may normalise the value in ways the plugin's README documents as lost;
  /// from then on writing and reading back must give back the same value.
  stable,
  /// Writing and reading back gives back the same value (see same_value.hpp). Writing may
  /// still refuse a value the format cannot hold (FileWriteError); re-reading may not fail.
  exact,
};

struct Target {
  const char* file_name;   ///< given to parse_as and dump_as, e.g. "fuzz.yaml" or "fuzz.txt.gz"
  RoundTrip round_trip;
  const char* plugin_dir;  ///< the build tree's plugin directory, the only one searched
};

/// Defined in target_config.cpp, once per fuzz program.
extern const Target kTarget;

}  // namespace atomicio::fuzz
