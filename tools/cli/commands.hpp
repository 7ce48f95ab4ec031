// How the verb groups plug into main(): each adds its subcommands to the app and, for each,
// the function to run once the command line has been parsed. Parsing and running are apart so
// that global options (--plugin-dir) take effect before any verb touches the library.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace atomicio::cli {

struct Command {
  CLI::App* app;             ///< the subcommand, owned by the main app
  std::function<int()> run;  ///< returns the exit status; may throw (see cli_errors.hpp)
};
using Commands = std::vector<Command>;

/// formats, backends, plugins: what the plugin host knows; they load nothing.
void add_info_commands(CLI::App& app, Commands& commands);
/// cat, write, update, append, convert: one SafeFile operation each.
void add_file_commands(CLI::App& app, Commands& commands);
/// edit, lock: run a command while holding a file's lock.
void add_process_commands(CLI::App& app, Commands& commands);

/// Adds --max-size SIZE (also from ATOMICIO_MAX_SIZE) to a verb that reads a whole file into
/// memory; `bytes` starts as FileOptions' default and receives the value.
void add_max_size_option(CLI::App& verb, std::uint64_t& bytes);

}  // namespace atomicio::cli
