// format.toml against Debian's Python 3.11 tomllib: Python reads what atomicio writes, and
// atomicio reads hand-written and Python-generated TOML to the same value (and key order) as
// tomllib. Python's dates become the same RFC 3339 strings atomicio uses (see the README).
#include <atomicio/safe_file.hpp>

#include "support/python.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::python_json;
using atomicio::test::run_python;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

// Loads argv[1] with tomllib (or, with "--generate", first writes argv[1] from GENERATE) and
// prints it as JSON, with each date or time spelled as atomicio spells it: isoformat, trailing
// fraction zeros dropped, +00:00 as Z.
const std::string kCanonicalDump = R"(
import datetime, json, re, sys, tomllib
def canon(v):
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, (datetime.date, datetime.time)):
        s = re.sub(r'\.(\d+)', lambda m: '.' + m.group(1).rstrip('0'), v.isoformat())
        return s[:-6] + 'Z' if s.endswith('+00:00') else s
    return v
if len(sys.argv) > 2 and sys.argv[2] == '--generate':
    with open(sys.argv[1], 'w', encoding='utf-8') as f:
        f.write(generate())
with open(sys.argv[1], 'rb') as f:
    print(json.dumps(canon(tomllib.load(f)), ensure_ascii=False))
)";

// Runs kCanonicalDump (after `prelude`) on `path` and returns what tomllib saw.
Value python_view(const std::filesystem::path& path, const std::string& prelude = "", bool generate = false) {
  std::vector<std::string> args{path.string()};
  if (generate) args.push_back("--generate");
  return python_json(prelude + kCanonicalDump, args);
}

}  // namespace

TEST_CASE("Python's tomllib reads what atomicio writes as the same document", "[format][toml][interop]") {
  TempDir dir;
  const Value doc = Value::parse(R"({
    "title": "caf\u00e9 \u2713 \"quoted\" \\ back\tslash\nnew line \u0001",
    "literal": "C:\\Users\\tom's",
    "int_min": -9223372036854775808, "int_max": 9223372036854775807,
    "ratio": 0.1, "huge": 1e300, "whole": 2.0, "on": true,
    "point": {"x": 1, "y": [1, {"z": "deep"}]},
    "after_point": "keeps its place",
    "when": {"odt": "1979-05-27T07:32:00Z", "odt_frac": "1979-05-27T00:32:00.999999-07:00",
             "odt_east": "1979-05-27T07:32:00+05:30", "ldt": "1979-05-27T07:32:00.25",
             "ld": "1979-05-27", "lt": "07:32:00", "lt_frac": "00:32:00.000001"},
    "mixed": [1, "two", 3.5, false, [4, [5]], {"six": 6}, "2000-01-01"],
    "long_array": ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccc", "dddddddddddddddddddd",
                   "eeeeeeeeeeeeeeeeeeee", "ffffffffffffffffffff"],
    "keys": {"with space": 1, "dotted.key": 2, "": 3, "quote\"d": 4, "\u00fcber": 5, "new\nline": "a\nb\r\nc"},
    "database": {"connection": {"host": "db", "port": 5432}, "pool": {}},
    "servers": [{"name": "alpha", "ports": [80, 443]},
                {"name": "beta", "meta": {"rack": 4}, "disks": [{"size": 1}, {"size": 2}]}]
  })");
  SafeFile(dir / "out.toml").write(doc);
  CHECK(python_view(dir / "out.toml").dump() == doc.dump());
}

TEST_CASE("Python sees dates where atomicio writes dates, and strings elsewhere", "[format][toml][interop]") {
  TempDir dir;
  SafeFile(dir / "types.toml")
      .write(Value{{"ld", "1979-05-27"},
                   {"lt", "07:32:00.5"},
                   {"ldt", "1979-05-27T07:32:00"},
                   {"odt", "1979-05-27T07:32:00-08:00"},
                   {"not_canonical", "07:32:00.500"},
                   {"not_a_date", "2023-02-29"}});
  const std::string types = run_python("import sys, tomllib\n"
                                       "d = tomllib.load(open(sys.argv[1], 'rb'))\n"
                                       "print(' '.join(k + '=' + type(v).__name__ for k, v in d.items()))\n",
                                       {(dir / "types.toml").string()});
  CHECK(types == "ld=date lt=time ldt=datetime odt=datetime not_canonical=str not_a_date=str\n");
}

TEST_CASE("Python reads atomicio's inf, -inf and nan as the IEEE values", "[format][toml][interop]") {
  TempDir dir;
  const double inf = std::numeric_limits<double>::infinity();
  SafeFile(dir / "f.toml").write(Value{{"pos", inf}, {"neg", -inf}, {"nan", std::nan("")}});
  const std::string seen = run_python("import math, sys, tomllib\n"
                                      "d = tomllib.load(open(sys.argv[1], 'rb'))\n"
                                      "print(d['pos'] == math.inf, d['neg'] == -math.inf, math.isnan(d['nan']))\n",
                                      {(dir / "f.toml").string()});
  CHECK(seen == "True True True\n");
}

TEST_CASE("atomicio reads a hand-written TOML file exactly as tomllib does", "[format][toml][interop]") {
  TempDir dir;
  spit(dir / "hand.toml", R"(# A comment line
title = "TOML \"Example\" \u00e9 \U0001F600"   # trailing comment
literal = 'C:\Users\nodejs\templates'
multi = """
Roses are red \
  Violets are blue"""
multi_literal = '''
first line
  second line'''
"quoted key" = 1
'literal key' = 2
site."google.com" = true
fruit.apple.color = "red"
fruit.apple.taste.sweet = true
hex = 0xDEAD_beef
oct = 0o755
bin = 0b1101
underscores = 1_000_000
plus = +42
min = -9223372036854775808
floats = [ +1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 224_617.445_991_228 ]
odt1 = 1979-05-27T07:32:00Z
odt2 = 1979-05-27T00:32:00-07:00
odt3 = 1979-05-27T00:32:00.999999-07:00
odt4 = 1979-05-27 07:32:00Z
ldt1 = 1979-05-27T07:32:00
ldt2 = 1979-05-27T00:32:00.999999
ld = 1979-05-27
lt1 = 07:32:00
lt2 = 00:32:00.999999
mixed = [ 0.1, "two", 1979-05-27, { x = 1 }, [ 1, 2 ], ]
multiline_array = [
  1,
  2, # comment inside
]
inline = { name = { first = "Tom", last = "Preston-Werner" }, point = { x = 1, y = 2 } }

[b.c]
z = 1
[b]
y = 2

[[products]]
name = "Hammer"
sku = 738594937
[products.dims]
w = 1.5

[[products]]

[[products]]
name = "Nail"
color = "gray"
[[products.variants]]
size = 1
)");
  const Value expected = python_view(dir / "hand.toml");
  const Value doc = SafeFile(dir / "hand.toml").read().value();
  CHECK(doc.dump() == expected.dump());
  CHECK(doc["odt4"] == "1979-05-27T07:32:00Z");
  CHECK(doc["hex"] == 0xDEADBEEF);
}

TEST_CASE("atomicio reads a TOML file Python generates exactly as tomllib does", "[format][toml][interop]") {
  TempDir dir;
  // Python has no TOML writer in its standard library, so the script spells the TOML itself:
  // many [[item]] tables with every scalar kind, strings escaped as TOML basic strings.
  const std::string generator = R"(
import datetime, json
def s(text):
    return json.dumps(text, ensure_ascii=False)
def generate():
    lines = ['name = ' + s('generated \u00e9 "ok"'), 'count = 40', '']
    base = datetime.datetime(2020, 1, 31, 12, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    for i in range(40):
        lines.append('[[item]]')
        lines.append('id = %d' % (i * 230_000_000_000_000_001 % 9_223_372_036_854_775_807 - 4_000_000_000_000_000_000))
        lines.append('label = ' + s('item %d\t\\ %s' % (i, chr(0x4e00 + i))))
        lines.append('weight = ' + repr(i / 7))
        lines.append('flag = ' + ('true' if i % 3 else 'false'))
        lines.append('at = ' + (base + datetime.timedelta(days=i, microseconds=i * 1001)).isoformat())
        lines.append('day = ' + (datetime.date(2020, 2, 28) + datetime.timedelta(days=i)).isoformat())
        lines.append('tags = [' + ', '.join(s(t) for t in ['t%d' % j for j in range(i % 4)]) + ']')
        lines.append('[item.extra]')
        lines.append('n = %d' % i)
        lines.append('')
    return '\n'.join(lines)
)";
  const Value expected = python_view(dir / "gen.toml", generator, true);
  REQUIRE(expected["item"].size() == 40);
  const Value doc = SafeFile(dir / "gen.toml").read().value();
  CHECK(doc.dump() == expected.dump());
}
