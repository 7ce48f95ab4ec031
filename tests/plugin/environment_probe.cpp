// atomicio_environment_probe: prints what the environment made of this process's plugin host
// and lock backend choice, so a test can run it set-uid and compare.
//
// usage: atomicio_environment_probe <lock-target>
// Prints, one per line: "euid N", "ATOMICIO_PLUGIN_PATH=..." as getenv sees it (proof that the
// variable reached the process), "search ORIGIN PATH" per search directory, then "backend NAME"
// for a FileLock on <lock-target>, or "lock error: ..." when taking it failed.
#include <atomicio/file_lock.hpp>
#include <atomicio/plugin_host.hpp>

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: atomicio_environment_probe <lock-target>\n";
    return 64;
  }
  std::cout << "euid " << ::geteuid() << "\n";
  const char* plugin_path = std::getenv("ATOMICIO_PLUGIN_PATH");
  std::cout << "ATOMICIO_PLUGIN_PATH=" << (plugin_path != nullptr ? plugin_path : "(unset)") << "\n";
  for (const auto& directory : atomicio::PluginHost::global().search_path())
    std::cout << "search " << atomicio::to_string(directory.origin) << " " << directory.path.string() << "\n";
  try {
    atomicio::FileLock lock(argv[1]);
    std::cout << "backend " << lock.backend() << "\n";
  } catch (const std::exception& error) {
    std::cout << "lock error: " << error.what() << "\n";
  }
  return 0;
}
