// How codec suffixes are peeled off a file name and what happens when a codec plugin is
// missing: the error names the codec plugin, and nothing is written.
#include "plugin_sandbox.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/plugin_host.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace atomicio;
using namespace atomicio::test;

namespace fs = std::filesystem;

TEST_CASE("a compressed file whose codec plugin is missing is an UnsupportedFormatError naming the codec plugin",
          "[plugin][codec][needs:format.json][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  install_plugin("format.json", real_plugin_dir(), plugins);
  install_plugin("lock.none", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));

  SafeFile file(temp / "data.json.gz", Timeout::infinite(), using_host(host));
  std::string message = message_of<UnsupportedFormatError>([&] { file.write(Value{{"a", 1}}); });
  CHECK_THAT(message, Catch::Contains("no installed codec plugin handles '.gz' compression"));
  CHECK_THAT(message, Catch::Contains("'codec.gzip'"));
  CHECK_THAT(message, Catch::Contains("searched: " + plugins.string()));
  CHECK(temp.entries() == std::vector<std::string>{"plugins"});  // failed before locking or writing

  // Bytes need the codec just as much: they would otherwise be stored uncompressed under a .gz name.
  CHECK_THROWS_AS(file.write_bytes("x"), UnsupportedFormatError);
  CHECK_THROWS_AS(file.read_bytes(), UnsupportedFormatError);
  // Unless compression is switched off, which stores bytes as given.
  FileOptions raw = using_host(host);
  raw.compression = Compression::none;
  SafeFile(temp / "data.json.gz", Timeout::infinite(), raw).write_bytes("stored as is");
  CHECK(slurp(temp / "data.json.gz") == "stored as is");
}

TEST_CASE("codec suffixes stack and are matched case-insensitively; the rest of the name picks the format",
          "[plugin][codec][needs:codec.gzip][needs:codec.xz][needs:format.json][needs:format.text][needs:lock.none]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  for (const char* id : {"format.json", "format.text", "codec.gzip", "codec.xz", "lock.none"})
    install_plugin(id, real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));

  const Value value{{"stacked", true}};
  SafeFile(temp / "dump.JSON.GZ.xz", Timeout::infinite(), using_host(host)).write(value);
  CHECK(SafeFile(temp / "dump.JSON.GZ.xz", Timeout::infinite(), using_host(host)).read() == value);
  // Outermost is xz: its magic starts the file.
  CHECK(slurp(temp / "dump.JSON.GZ.xz").rfind("\xFD" "7zXZ", 0) == 0);

  // The same bytes through parse_as/dump_as.
  std::string stored = dump_as("x.json.gz.xz", value, &host);
  CHECK(parse_as("y.json.gz.xz", stored, &host) == value);

  // A bare compressed blob holds bytes: no format applies to "blob".
  SafeFile blob(temp / "blob.gz", Timeout::infinite(), using_host(host));
  blob.write_bytes("raw payload");
  CHECK(blob.read_bytes() == "raw payload");
  CHECK_THAT(message_of<UnsupportedFormatError>([&] { blob.read(); }), Catch::Contains("no extension"));
}

TEST_CASE("list_supported_codecs lists codec manifests without loading their libraries", "[plugin][codec][needs:codec.bz2]") {
  TempDir temp;
  fs::path plugins = make_private_dir(temp / "plugins");
  fs::path library = install_plugin("codec.bz2", real_plugin_dir(), plugins);
  PluginHost host(only({plugins}));
  std::vector<FormatInfo> codecs = list_supported_codecs(&host);
  REQUIRE(codecs.size() == 1);
  CHECK(codecs[0].extension == ".bz2");
  CHECK(codecs[0].provider == "codec.bz2");
  CHECK(codecs[0].available);
  CHECK_FALSE(is_mapped(library));
  CHECK(list_supported_formats(&host).empty());  // a codec is not a format
}
