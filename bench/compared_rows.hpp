// Registering a group of operations that do the same work different ways (atomicio's and the
// bare library's), as format_bench and codec_bench do: one Google Benchmark row per operation,
// plus one interleaved row that runs them all in every iteration (see Interleaved in
// bench_support.hpp), whose ratios are the numbers to quote.
//
// Thread-safety: register during static initialization or from main() before the run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace atomicio::bench {

/// One way of doing the group's work, and the check, made after the timing, that it did the
/// same work as the others (e.g. its result equals the expected document).
struct Operation {
  std::string name;
  std::function<void()> run;
  const char* check_name = nullptr;  ///< the counter the check's result goes to; null: no check
  std::function<bool()> check = {};
};

struct OperationGroup {
  std::string prefix;              ///< row names start with it ("Read/yaml/")
  std::vector<std::string> names;  ///< the operations' names, in the order make() returns them
  /// Builds the operations; called when a row starts, so fixtures may be made lazily in it.
  std::function<std::vector<Operation>()> make;
  std::function<std::int64_t()> bytes;                      ///< bytes one operation processes, for the rate
  int iterations;                                           ///< of each separate row
  int rounds;                                               ///< of the interleaved row
  std::vector<std::pair<std::string, std::string>> ratios;  ///< reported by the interleaved row
};

/// Registers `<prefix><name>` for each operation (one untimed run, then `iterations` timed ones,
/// in CPU time; the check's result as a counter) and `<prefix>Interleaved` (counters
/// `<name>_ms`, `<a>_per_<b>` for the ratios, and `checks_pass`, 1 when every check held).
void register_group(OperationGroup group);

}  // namespace atomicio::bench
