// SafeFile and ThreadedSafeFile through the json and text plugins: round trips, the meaning of
// missing/empty/null, update's merge rules, bytes, append, and clear errors that keep the old
// content.
#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "support/temp_dir.hpp"
#include "support/tmpfs_mount.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <istream>
#include <ostream>

using atomicio::SafeFile;
using atomicio::ThreadedSafeFile;
using atomicio::Value;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

TEST_CASE("a JSON document round-trips pretty-printed with its key order", "[safe_file][json]") {
  TempDir dir;
  SafeFile file(dir / "config.json");
  Value doc = Value::parse(R"({"zeta": 1, "alpha": {"y": [1, 2.5, "three", null, true]}, "mid": {}})");
  file.write(doc);
  CHECK(file.read().value() == doc);
  CHECK(slurp(dir / "config.json") ==
        "{\n  \"zeta\": 1,\n  \"alpha\": {\n    \"y\": [\n      1,\n      2.5,\n      \"three\",\n      null,\n"
        "      true\n    ]\n  },\n  \"mid\": {}\n}\n");
}

TEST_CASE("rewriting a hand-written config keeps its key order", "[safe_file][json]") {
  TempDir dir;
  spit(dir / "c.json", R"({"b": 1, "a": 2, "c": {"z": 0, "y": 1}})");
  SafeFile file(dir / "c.json");
  Value doc = file.read().value();
  doc["a"] = 3;
  file.write(doc);
  CHECK(slurp(dir / "c.json") == "{\n  \"b\": 1,\n  \"a\": 3,\n  \"c\": {\n    \"z\": 0,\n    \"y\": 1\n  }\n}\n");
}

TEST_CASE("64-bit integers and unicode survive a round trip", "[safe_file][json]") {
  TempDir dir;
  SafeFile file(dir / "n.json");
  Value doc{{"max", std::numeric_limits<std::int64_t>::max()},
            {"umax", std::numeric_limits<std::uint64_t>::max()},
            {"min", std::numeric_limits<std::int64_t>::min()},
            {"text", "caf\xc3\xa9 \xe2\x9c\x93 \"quoted\" \\ \n tab\t"}};
  file.write(doc);
  CHECK(file.read().value() == doc);
}

TEST_CASE("a missing file, an empty file and a null document are told apart", "[safe_file]") {
  TempDir dir;
  CHECK_FALSE(SafeFile(dir / "missing.json").read().has_value());
  CHECK_FALSE(SafeFile(dir / "missing.json").read_bytes().has_value());
  spit(dir / "empty.json", "");
  CHECK(SafeFile(dir / "empty.json").read().value().is_null());
  spit(dir / "null.json", "null");
  CHECK(SafeFile(dir / "null.json").read().value().is_null());
  spit(dir / "empty.txt", "");
  CHECK(SafeFile(dir / "empty.txt").read().value() == "");
}

TEST_CASE("update merges objects key by key, appends arrays and replaces the rest", "[safe_file][update]") {
  TempDir dir;
  SafeFile file(dir / "u.json");
  file.update(Value{{"a", 1}});  // a missing file starts from the update
  file.update(Value::parse(R"({"b": {"x": 1}, "list": [1]})"));
  file.update(Value::parse(R"({"a": 2, "b": {"y": 2}, "list": [2, 3]})"));
  CHECK(file.read().value() == Value::parse(R"({"a": 2, "b": {"x": 1, "y": 2}, "list": [1, 2, 3]})"));
  file.update(Value::parse(R"({"b": "scalar now"})"));
  CHECK(file.read().value()["b"] == "scalar now");

  SafeFile array_file(dir / "arr.json");
  array_file.write(Value::array({1}));
  array_file.update(Value::array({2}));
  CHECK(array_file.read().value() == Value::array({1, 2}));
  array_file.update(Value{{"k", 1}});  // a different kind replaces
  CHECK(array_file.read().value() == Value{{"k", 1}});
}

TEST_CASE("bytes are available whatever the extension", "[safe_file][bytes]") {
  TempDir dir;
  const std::string binary("\x00\x01\xff\n\r\x7f", 6);
  for (const char* name : {"blob.bin", "noextension", "data.json", "x.weird"}) {
    SafeFile file(dir / name);
    file.write_bytes(binary);
    CHECK(file.read_bytes().value() == binary);
  }
}

TEST_CASE("text files hold one string and append adds to it", "[safe_file][text]") {
  TempDir dir;
  SafeFile file(dir / "notes.txt");
  file.append("first\n");  // creates the file
  file.append("second\n");
  CHECK(file.read().value() == "first\nsecond\n");
  file.write("replaced");
  CHECK(slurp(dir / "notes.txt") == "replaced");
}

TEST_CASE("a value the format cannot hold is a write error and the old file stays", "[safe_file][errors][needs:format.text]") {
  TempDir dir;
  SafeFile file(dir / "notes.txt");
  file.write("keep me");
  try {
    file.write(Value{{"not", "a string"}});
    FAIL("expected FileWriteError");
  } catch (const atomicio::FileWriteError& error) {
    CHECK(std::string(error.what()).find("format.text") != std::string::npos);
    CHECK(std::string(error.what()).find("notes.txt") != std::string::npos);
  }
  CHECK(slurp(dir / "notes.txt") == "keep me");
  CHECK(dir.entries() == std::vector<std::string>{"notes.txt", "notes.txt.lock"});
}

TEST_CASE("invalid JSON is a read error naming the path, line and column", "[safe_file][errors][needs:format.json]") {
  TempDir dir;
  spit(dir / "bad.json", "{\n  \"a\": 1,\n  \"b\": tru\n}");
  try {
    SafeFile(dir / "bad.json").read();
    FAIL("expected FileReadError");
  } catch (const atomicio::FileReadError& error) {
    CHECK(error.path() == dir / "bad.json");
    CHECK(error.line() == 3);
    CHECK(error.column() > 0);
    CHECK(std::string(error.what()).find("line 3") != std::string::npos);
  }
  SafeFile bad(dir / "bad.json");
  CHECK_THROWS_AS(bad.update(Value{{"c", 1}}), atomicio::FileReadError);
  CHECK(slurp(dir / "bad.json") == "{\n  \"a\": 1,\n  \"b\": tru\n}");  // update did not clobber it
}

TEST_CASE("an unknown extension is an UnsupportedFormatError naming the extension", "[safe_file][errors]") {
  TempDir dir;
  try {
    SafeFile(dir / "data.unknownext").write(Value{{"a", 1}});
    FAIL("expected UnsupportedFormatError");
  } catch (const atomicio::UnsupportedFormatError& error) {
    CHECK(std::string(error.what()).find(".unknownext") != std::string::npos);
    CHECK(std::string(error.what()).find("searched") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "data.unknownext"));
}

TEST_CASE("a registered dumper that throws mid-write leaves the target untouched", "[safe_file][errors][needs:lock.ofd]") {
  TempDir dir;
  atomicio::register_format(
      ".half", [](std::istream& in) { return Value(std::string(std::istreambuf_iterator<char>(in), {})); },
      [](const Value& value, std::ostream& out) {
        out << std::string(300000, 'x');  // well past the writer's buffer: bytes reach the temp file
        if (value == "fail") throw std::runtime_error("serializer gave up");
        out << value.get<std::string>();
      });
  SafeFile file(dir / "doc.half");
  file.write("ok");
  const std::string before = slurp(dir / "doc.half");
  try {
    file.write("fail");
    FAIL("expected FileWriteError");
  } catch (const atomicio::FileWriteError& error) {
    CHECK(std::string(error.what()).find("serializer gave up") != std::string::npos);
  }
  CHECK(slurp(dir / "doc.half") == before);
  CHECK(dir.entries() == std::vector<std::string>{"doc.half", "doc.half.lock"});
  atomicio::unregister_format(".half");
}

TEST_CASE("inside locked() the same thread's plain calls do not deadlock", "[safe_file][lock]") {
  TempDir dir;
  ThreadedSafeFile file(dir / "t.json", std::chrono::seconds(5));
  auto guard = file.locked();
  file.write(Value{{"step", 1}});
  Value doc = file.read().value();
  doc["step"] = 2;
  file.update(doc);
  SafeFile other_object_same_file(dir / "t.json");
  CHECK(other_object_same_file.read().value()["step"] == 2);
  // Another thread must wait for the guard: with a short timeout it gives up.
  auto other = std::async(std::launch::async, [&] {
    SafeFile impatient(dir / "t.json", std::chrono::milliseconds(30));
    try {
      impatient.read();
      return false;
    } catch (const atomicio::LockTimeoutError&) {
      return true;
    }
  });
  CHECK(other.get());
}

TEST_CASE("a shared guard lets other readers in and refuses its own thread's writes", "[safe_file][lock]") {
  TempDir dir;
  ThreadedSafeFile file(dir / "s.json");
  file.write(Value{{"v", 1}});
  auto guard = file.locked(atomicio::LockMode::shared);
  CHECK(std::async(std::launch::async, [&] { return SafeFile(dir / "s.json").read().value()["v"] == 1; }).get());
  CHECK_THROWS_AS(file.write(Value{{"v", 2}}), atomicio::LockFailedError);
}

TEST_CASE("reading in a missing directory finds no file rather than failing on the lock", "[safe_file]") {
  TempDir dir;
  CHECK_FALSE(SafeFile(dir / "no" / "such" / "dir.json").read().has_value());
  CHECK_FALSE(SafeFile(dir / "no" / "such" / "dir.bin").read_bytes().has_value());
  CHECK_FALSE(std::filesystem::exists(dir / "no"));
}

TEST_CASE("a file on a read-only filesystem can still be read", "[safe_file][tmpfs]") {
  TempDir dir;
  atomicio::test::TmpfsMount fs(dir / "ro", "64k");
  if (!fs.mounted()) {
    WARN("skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)");
    return;
  }
  spit(dir / "ro" / "plain.json", R"({"never": "locked"})");  // no sidecar was ever created
  // Scoped: a live file object keeps its sidecar open for writing, which blocks the remount.
  SafeFile(dir / "ro" / "locked.json").write(Value{{"had", "sidecar"}});
  REQUIRE(fs.remount_read_only());
  CHECK(SafeFile(dir / "ro" / "plain.json").read().value()["never"] == "locked");
  CHECK(SafeFile(dir / "ro" / "locked.json").read().value()["had"] == "sidecar");
  CHECK_THROWS_AS(SafeFile(dir / "ro" / "plain.json").write(Value{{"x", 1}}), atomicio::AtomicIOError);
}
