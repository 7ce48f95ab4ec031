// format.yaml against another implementation: Debian's Python with PyYAML reads what atomicio
// writes, and atomicio reads what PyYAML's safe_dump writes. PyYAML speaks YAML 1.1, so the
// values compared are ones that mean the same in 1.1 and 1.2; strings that 1.1 alone would read
// as something else ("yes", "0o17") are included on purpose, since atomicio quotes them.
#include "yaml_test_support.hpp"

#include "support/python.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::python_json;
using atomicio::test::run_python;
using atomicio::test::TempDir;

namespace {

// Prints the YAML file named by argv[1] as JSON, keys in document order.
constexpr const char* kLoadAsJson = R"(
import json, sys, yaml
with open(sys.argv[1], encoding="utf-8") as f:
    print(json.dumps(yaml.safe_load(f)))
)";

Value python_reads(const std::string& path, const char* script = kLoadAsJson) {
  return python_json(script, {path});
}

}  // namespace

TEST_CASE("PyYAML reads atomicio's YAML as the same value with the same key order", "[format][yaml]") {
  TempDir dir;
  Value doc = Value::parse(R"({
    "service": {"name": "demo", "port": 8080, "ratio": 0.25, "debug": false, "owner": null},
    "numbers": [0, -17, 9223372036854775807, 18446744073709551615, 1.0, 0.1, 1e300, 5e-324, -2.5e-7],
    "tricky strings": ["true", "False", "null", "~", "", "123", "0x1F", "0o17", "1.5", ".inf",
                       "yes", "no", "on", "off", "y", "<<", "=", "2001-12-14", "1:30", "0b101",
                       "1_000", " lead", "trail ", "a: b", "# c", "- x", "[x]", "multi\nline\n",
                       "tab\t", "über 日本 😀", "nel\u0085", "del\u007f", "ls\u2028"],
    "nested": {"z": [{"b": 1, "a": [[], {}]}], "a": {"empty": {}, "list": []}},
    "yes": "key that 1.1 reads as a boolean"
  })");
  SafeFile(dir / "out.yaml").write(doc);

  const Value seen = python_reads((dir / "out.yaml").string());
  CHECK(seen == doc);
  CHECK(seen.dump() == doc.dump());  // same key order at every level
}

TEST_CASE("PyYAML reads atomicio's infinities and NaN as floats", "[format][yaml]") {
  TempDir dir;
  const double inf = std::numeric_limits<double>::infinity();
  SafeFile(dir / "out.yaml").write(Value::array({inf, -inf, std::numeric_limits<double>::quiet_NaN(), 1e20}));
  constexpr const char* kCheck = R"(
import json, math, sys, yaml
v = yaml.safe_load(open(sys.argv[1]))
print(json.dumps([v[0] == math.inf, v[1] == -math.inf, math.isnan(v[2]), v[3] == 1e20]))
)";
  CHECK(python_reads((dir / "out.yaml").string(), kCheck) == Value::parse("[true, true, true, true]"));
}

TEST_CASE("atomicio reads what PyYAML's safe_dump writes as the same value", "[format][yaml]") {
  TempDir dir;
  // Python writes the YAML files (with and without raw non-ASCII) and prints the same data as JSON for comparison.
  constexpr const char* kDump = R"(
import json, sys, yaml
data = {
    "service": {"name": "demo", "port": 8080, "ratio": 0.25, "debug": False, "owner": None},
    "numbers": [0, -17, 2**63 - 1, 2**64 - 1, 1.0, 0.1, 1e300, 5e-324, -2.5e-07],
    "strings": ["true", "null", "~", "", "123", "0x1F", "1.5", ".inf", "yes", "on", "2001-12-14",
                " lead", "trail ", "a: b", "# c", "- x", "multi\nline\n", "tab\t", "\u00fcber \u65e5\u672c",
                "x" * 200, "long words " * 30],
    "nested": {"z": [{"b": 1, "a": [[], {}]}], "a": {"empty": {}, "list": []}},
    "123": "numeric-looking key",
}
for unicode in (False, True):
    path = sys.argv[1] + ("/unicode.yaml" if unicode else "/ascii.yaml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, sort_keys=False, allow_unicode=unicode)
print(json.dumps(data))
)";
  const Value expected = python_json(kDump, {dir.path().string()});

  for (const char* name : {"ascii.yaml", "unicode.yaml"}) {
    const auto file = dir / name;
    INFO(file);
    const Value read = SafeFile(file).read().value();
    CHECK(read == expected);
    CHECK(read.dump() == expected.dump());
  }
}

TEST_CASE("atomicio reads PyYAML's infinities, NaN and anchors in YAML", "[format][yaml]") {
  TempDir dir;
  const std::string path = (dir / "in.yaml").string();
  constexpr const char* kDump = R"(
import sys, yaml
shared = {"k": [1, 2]}
with open(sys.argv[1], "w") as f:
    yaml.safe_dump({"inf": float("inf"), "ninf": -float("inf"), "nan": float("nan"),
                    "a": shared, "b": shared}, f, sort_keys=False)
)";
  run_python(kDump, {path});
  REQUIRE_THAT(atomicio::test::slurp(path), Catch::Matchers::Contains("*id001"));

  const Value read = SafeFile(path).read().value();
  CHECK(read["inf"].get<double>() == std::numeric_limits<double>::infinity());
  CHECK(read["ninf"].get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(read["nan"].get<double>()));
  CHECK(read["b"] == Value::parse(R"({"k": [1, 2]})"));
  CHECK(read["a"] == read["b"]);
}
