// atomicio_plugin_probe: reads one file through a plugin host that searches exactly one
// directory, in a process of its own, so a test can set ATOMICIO_DEBUG_PLUGINS (read once per
// process) and capture what the host traces on stderr.
//
// usage: atomicio_plugin_probe <plugin-directory> <file>
// Prints "ok" and exits 0 when the read succeeds; prints the error and exits 2 otherwise.
#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: atomicio_plugin_probe <plugin-directory> <file>\n";
    return 64;
  }
  try {
    atomicio::PluginHostOptions options;
    options.directories = {argv[1]};
    options.use_environment = false;
    options.use_install_directory = false;
    atomicio::PluginHost host(options);
    atomicio::FileOptions file_options;
    file_options.lock_backend = "none";
    file_options.plugins = &host;
    atomicio::SafeFile(argv[2], atomicio::Timeout::infinite(), file_options).read();
    std::cout << "ok\n";
    return 0;
  } catch (const std::exception& error) {
    std::cout << error.what() << "\n";
    return 2;
  }
}
