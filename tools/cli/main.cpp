// The atomicio command-line tool: parses the command line, applies the global options, and runs
// the chosen verb with its failures turned into diagnostics and exit statuses (exit_codes.hpp).
#include "cli_errors.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "std_streams.hpp"

#include <atomicio/plugin_host.hpp>
#include <atomicio/version.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace {

using namespace atomicio::cli;

std::string version_text() {
  std::string text = "atomicio " ATOMICIO_VERSION_STRING;
  // The library found at run time may be newer than the headers the tool was built with.
  if (std::string(atomicio::version()) != ATOMICIO_VERSION_STRING)
    text += " (libatomicio " + std::string(atomicio::version()) + ")";
  return text;
}

void apply_plugin_directories(const std::vector<std::string>& directories) {
  if (directories.empty()) return;
  atomicio::PluginHostOptions options;
  options.directories.assign(directories.begin(), directories.end());
  atomicio::PluginHost::set_global_options(std::move(options));
}

int run(int argc, char** argv) {
  CLI::App app("Crash-safe atomic file commits and cross-process file locks from the shell.\n"
               "Data goes to stdout, diagnostics to stderr.",
               "atomicio");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the verb
  app.set_version_flag("--version", version_text(), "Print the version and exit");
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return "atomicio: " + std::string(error.what()) + "\nRun 'atomicio --help' for usage.\n";
  });
  std::vector<std::string> plugin_directories;
  app.add_option("--plugin-dir", plugin_directories,
                 "Search DIR for plugins before ATOMICIO_PLUGIN_PATH and the installed ones (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);

  Commands commands;
  add_info_commands(app, commands);
  add_file_commands(app, commands);
  add_process_commands(app, commands);
  app.footer(exit_status_help());
  for (const Command& command : commands) {
    const std::string details = command.app->get_footer();
    command.app->footer(details.empty() ? exit_status_help() : details + "\n\n" + exit_status_help());
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version arrive here too, with CLI11's success code.
    return app.exit(error) == static_cast<int>(CLI::ExitCodes::Success) ? kExitSuccess : kExitUsage;
  }
  return run_reporting_errors([&] {
    apply_plugin_directories(plugin_directories);
    for (const Command& command : commands) {
      if (!command.app->parsed()) continue;
      const int status = command.run();
      // `plugins` shows the same on stdout, with the conflict it belongs to.
      if (command.app->get_name() != "plugins") report_plugin_fallbacks();
      return status;
    }
    report_error("no verb given");
    return kExitUsage;
  });
}

}  // namespace

int main(int argc, char** argv) {
  ensure_standard_fds_open();
  return run(argc, argv);
}
