// An application built against the installed libatomicio-dev package (find_package or
// pkg-config): writes a value to <dir>/x.yaml.xz and reads it back through the installed
// format.yaml and codec.xz plugins. Prints "round trip ok" and exits 0 when the value survives.
#include <atomicio/atomicio.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: packaged_app <directory>\n";
    return 2;
  }
  try {
    atomicio::SafeFile file(std::filesystem::path(argv[1]) / "app.yaml.xz");
    const atomicio::Value written = {{"name", "packaged"}, {"sizes", atomicio::Value::array({1, 2, 3})}};
    file.write(written);
    auto back = file.read();
    if (!back || *back != written) {
      std::cerr << "the value did not read back as written\n";
      return 1;
    }
    std::cout << "round trip ok\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "failed: " << error.what() << "\n";
    return 1;
  }
}
