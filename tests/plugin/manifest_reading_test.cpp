// How the host opens a manifest: close-on-exec (another thread of the program may exec at any
// time, and the child must not inherit the descriptor), and without blocking on something that
// is not a regular file. The descriptor's flags are observed from inside the read, through the
// file-system seam the manifest reader goes through.
#include "plugin_sandbox.hpp"
#include "posix/file_system.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/plugin_host.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

// Notes, at each read(2) of a manifest, whether its descriptor is close-on-exec at that moment.
class ManifestReadWatcher final : public detail::FileSystem {
 public:
  ssize_t read(int fd, void* buffer, std::size_t size) override {
    char target[PATH_MAX];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    ssize_t length = ::readlink(link.c_str(), target, sizeof target);
    if (length > 0 && std::string_view(target, static_cast<std::size_t>(length)).ends_with(".plugin.json"))
      close_on_exec.push_back((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    return FileSystem::read(fd, buffer, size);
  }
  std::vector<bool> close_on_exec;
};

}  // namespace

TEST_CASE("a manifest is read through a close-on-exec descriptor", "[plugin][manifest][security][needs:format.json][needs:lock.none]") {
  TempDir temp;
  fs::path dir = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), dir);
  install_plugin("lock.none", real_plugin_dir(), dir);

  ManifestReadWatcher watcher;
  {
    detail::ScopedFileSystem installed(watcher);
    PluginHost host(only({dir}));
    CHECK(find_manifest(host.plugins(), "format.json.plugin.json").state == PluginInfo::State::available);
  }
  REQUIRE(watcher.close_on_exec.size() >= 2);  // both manifests were read through the seam
  for (bool flag : watcher.close_on_exec) CHECK(flag);
}

TEST_CASE("a FIFO named like a manifest is rejected without blocking the scan", "[plugin][manifest][needs:format.json]") {
  TempDir temp;
  fs::path dir = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), dir);
  REQUIRE(::mkfifo((dir / "format.fifo.plugin.json").c_str(), 0644) == 0);

  PluginHost host(only({dir}));  // an open without O_NONBLOCK would wait here for a writer
  PluginInfo fifo = find_manifest(host.plugins(), "format.fifo.plugin.json");
  CHECK(fifo.state == PluginInfo::State::rejected);
  CHECK_THAT(fifo.reason, Catch::Contains("not a regular file"));
  CHECK(find_manifest(host.plugins(), "format.json.plugin.json").state == PluginInfo::State::available);
}
