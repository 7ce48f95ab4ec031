// A plugin built for an older minor ABI keeps working: the host reads only the members its
// interface table declares (struct_size) and does without the newer ones. lock.legacy is a lock
// backend as ABI 1.0 defined it, without open_with_options; settings that need that entry
// (stale_after) must reach it through plain open(), never through memory past its table.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/file_lock.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <dlfcn.h>

using namespace atomicio;
using namespace atomicio::test;

namespace {

// How often lock.legacy's entries ran, read through the library this process already mapped.
int legacy_counter(const std::filesystem::path& library, const char* name) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD);
  REQUIRE(handle != nullptr);
  auto counter = reinterpret_cast<int (*)()>(::dlsym(handle, name));
  REQUIRE(counter != nullptr);
  const int count = counter();
  ::dlclose(handle);
  return count;
}

}  // namespace

TEST_CASE("a lock plugin of ABI 1.0 loads and is opened without the entry 1.2 added", "[plugin][abi][lock]") {
  TempDir temp;
  const auto plugins = make_private_dir(temp / "plugins");
  const auto library = copy_library("lock.legacy", fixture_plugin_dir(), plugins);
  write_manifest(plugins, "lock.legacy.plugin.json",
                 manifest_text({"lock.legacy", "lock.legacy.so", "lock", {"legacy"}, 1, 0}));
  PluginHost host(only({plugins}));

  LockOptions options;
  options.backend = "legacy";
  options.plugins = &host;
  options.stale_after = std::chrono::seconds(5);  // a setting only open_with_options could carry
  {
    FileLock lock(temp / "data.json", LockMode::exclusive, Timeout::infinite(), options);
    CHECK(lock.owns_lock());
    CHECK(lock.backend() == "legacy");
  }
  FileOptions file_options = using_host(host, "legacy");
  file_options.lock_stale_after = std::chrono::seconds(5);
  SafeFile other(temp / "other.dat", Timeout::infinite(), file_options);
  other.write_bytes("written under lock.legacy");
  CHECK(other.read_bytes() == "written under lock.legacy");

  CHECK(legacy_counter(library, "legacy_lock_opened") >= 2);  // one sidecar per file
  CHECK(legacy_counter(library, "legacy_lock_trapped") == 0);
}
