// Building plugin directories for plugin host tests: copies of the real and test-only plugins
// with the file modes the host insists on, hand-written manifests, and checks of what the
// process has mapped. Every test makes its own directories inside its own TempDir, so what a
// host sees is exactly what the test put there.
#pragma once

#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace atomicio::test {

/// The build tree's plugin directory (format.json, format.text, lock.ofd, lock.none).
std::filesystem::path real_plugin_dir();
/// Where tests/plugin builds its test-only plugins (format.marker, format.throwing, ...).
std::filesystem::path fixture_plugin_dir();

/// Creates `dir` with mode 0700 (and missing parents); returns it.
std::filesystem::path make_private_dir(const std::filesystem::path& dir);

/// Copies plugin `id` (its `<id>.so` and `<id>.plugin.json`) from `from` into `dir`, as mode
/// 0755 and 0644. Returns the copied library's path.
std::filesystem::path install_plugin(const std::string& id, const std::filesystem::path& from,
                                     const std::filesystem::path& dir);
/// Copies only `<id>.so` from `from` into `dir` (mode 0755), for hand-written manifests.
std::filesystem::path copy_library(const std::string& id, const std::filesystem::path& from,
                                   const std::filesystem::path& dir);

struct ManifestFields {
  std::string id;
  std::string library;               ///< file name, as written into the manifest
  std::string kind = "format";
  std::vector<std::string> provides; ///< extensions, or backend names for kind "lock"
  unsigned abi_major = 1;
  unsigned abi_minor = 0;
};
/// The text of a well-formed manifest with these fields.
std::string manifest_text(const ManifestFields& fields);
/// Writes `text` to `dir/file_name` with mode 0644; returns the path.
std::filesystem::path write_manifest(const std::filesystem::path& dir, const std::string& file_name,
                                     const std::string& text);

/// Options for a host that searches exactly `directories`: no environment, no install dir.
PluginHostOptions only(std::vector<std::filesystem::path> directories);

/// File options that take plugins from `host` and use `lock_backend` ("" for the automatic
/// choice).
FileOptions using_host(PluginHost& host, std::string lock_backend = "none");

/// The entry of `plugins` read from the manifest file named `manifest_file_name`; throws
/// std::runtime_error when there is none.
PluginInfo find_manifest(const std::vector<PluginInfo>& plugins, const std::string& manifest_file_name);

/// Whether this process has `library` mapped (from /proc/self/maps).
bool is_mapped(const std::filesystem::path& library);

/// Sets an environment variable for the lifetime of the object, then unsets it. Not for use
/// while other threads run.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

/// Runs `body`, which must throw `Error`, and returns the exception's what(). Another exception
/// propagates and fails the test; returning normally fails it too.
template <class Error, class Body>
std::string message_of(Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    return error.what();
  }
  FAIL("the expected exception was not thrown");
  return {};
}

}  // namespace atomicio::test
