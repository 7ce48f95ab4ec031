// format.json against another implementation: Debian's Python json module reads what atomicio
// writes, and atomicio reads what json.dump writes in its common settings (ASCII escapes with
// surrogate pairs, compact, indented). Values travel between the two as JSON on stdout, and
// Python also checks facts of its own (types, exact big integers, strict UTF-8) so that the
// comparison does not rest on atomicio's parser alone.
#include "support/python.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include <catch2/catch.hpp>

#include <string>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::python_json;
using atomicio::test::run_python;
using atomicio::test::TempDir;

TEST_CASE("Python's json reads atomicio's JSON as the same value with the same key order", "[format][json][interop]") {
  TempDir dir;
  const Value doc = Value::parse(R"({
    "service": {"name": "demo", "port": 8080, "ratio": 0.25, "debug": false, "owner": null},
    "numbers": [0, -17, 9223372036854775807, 18446744073709551615, -9223372036854775808, 1.0, 0.1,
                1e300, 5e-324, -2.5e-7],
    "strings": ["", "quote \" backslash \\ slash /", "tab\t nl\n cr\r", "ctl \u0001 \u001f del \u007f",
                "über 日本 😀", "ls\u2028ps\u2029", "nul \u0000 inside"],
    "nested": {"z": [{"b": 1, "a": [[], {}]}], "a": {"empty": {}, "list": []}},
    "ÿ key": "non-ASCII key", "": "empty key"
  })");
  const auto path = dir / "out.json";
  SafeFile(path).write(doc);

  // Strict UTF-8, then the value back as JSON, plus what Python itself makes of the numbers.
  constexpr const char* kRead = R"(
import json, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", errors="strict")
v = json.loads(text)
n = v["numbers"]
facts = [n[2] == 2**63 - 1, n[3] == 2**64 - 1, n[4] == -2**63, type(n[5]) is float, n[6] == 0.1,
         n[8] == 5e-324, v["strings"][4] == "\u00fcber \u65e5\u672c \U0001F600", "\t" not in text.split("\n")[1]]
print(json.dumps({"value": v, "facts": facts}))
)";
  const Value seen = python_json(kRead, {path.string()});
  CHECK(seen["facts"] == Value::parse("[true, true, true, true, true, true, true, true]"));
  CHECK(seen["value"] == doc);
  CHECK(seen["value"].dump() == doc.dump());  // same key order at every level
}

TEST_CASE("atomicio reads what Python's json.dump writes as the same value", "[format][json][interop]") {
  TempDir dir;
  // Python writes one file per common setting and prints the data as JSON for comparison.
  constexpr const char* kWrite = R"(
import json, os, sys
data = {
    "service": {"name": "demo", "port": 8080, "ratio": 0.25, "debug": False, "owner": None},
    "numbers": [0, -17, 2**63 - 1, 2**64 - 1, -2**63, 1.0, 0.1, 1e300, 5e-324, -2.5e-07],
    "strings": ["", "quote \" backslash \\", "tab\t nl\n", "ctl \x01 \x1f", "\u00fcber \u65e5\u672c \U0001F600",
                "ls\u2028", "x" * 5000],
    "nested": {"z": [{"b": 1, "a": [[], {}]}], "a": {"empty": {}, "list": []}},
    "123": "numeric-looking key", "\u00ff": "non-ASCII key",
}
settings = {
    "ascii.json": dict(),                                   # \uXXXX escapes, surrogate pairs
    "unicode.json": dict(ensure_ascii=False, indent=4),
    "compact.json": dict(separators=(",", ":")),
    "tabs.json": dict(indent="\t", ensure_ascii=False),
}
for name, options in settings.items():
    with open(os.path.join(sys.argv[1], name), "w", encoding="utf-8") as f:
        json.dump(data, f, **options)
print(json.dumps(data))
)";
  const Value expected = python_json(kWrite, {dir.path().string()});
  for (const char* name : {"ascii.json", "unicode.json", "compact.json", "tabs.json"}) {
    INFO(name);
    const Value read = SafeFile(dir / name).read().value();
    CHECK(read == expected);
    CHECK(read.dump() == expected.dump());
    CHECK(read["numbers"][3].get<std::uint64_t>() == 18446744073709551615ULL);
  }
}

TEST_CASE("Python's non-standard NaN and Infinity are a read error with line and column", "[format][json][interop]") {
  TempDir dir;
  const auto path = dir / "nan.json";
  constexpr const char* kWrite = R"(
import json, sys
with open(sys.argv[1], "w") as f:
    json.dump({"ok": 1, "bad": float("nan")}, f, indent=2)   # allow_nan=True is json's default
)";
  run_python(kWrite, {path.string()});
  try {
    (void)SafeFile(path).read();
    FAIL("NaN was accepted");
  } catch (const atomicio::FileReadError& error) {
    const std::string message = error.what();
    CHECK_THAT(message, Catch::Matchers::Contains(path.string()));
    CHECK_THAT(message, Catch::Matchers::Contains("line 3, column"));
  }
}
