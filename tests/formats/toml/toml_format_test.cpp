// format.toml through SafeFile: round trips of a realistic config, key order, the layout of the
// written text, 64-bit integers, the date/time string rule, and the errors that keep the old file.
#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Keys of an object in iteration order, to assert order where == would not.
std::vector<std::string> keys_of(const Value& object) {
  std::vector<std::string> keys;
  for (const auto& member : object.items()) keys.push_back(member.key());
  return keys;
}

// Every TOML feature a config uses, in an order TOML's syntax does not force (the inline table
// `point` comes before plain values; `database` only holds tables).
const char* const kRealisticConfig = R"({
  "title": "TOML \"example\"\n\twith escapes, caf\u00e9 \u2713",
  "path": "C:\\Users\\tom",
  "version": 3,
  "negative": -17,
  "ratio": 0.1,
  "huge": 1e300,
  "tiny": 5e-324,
  "whole": 3.0,
  "enabled": true,
  "disabled": false,
  "point": {"x": 1, "y": 2},
  "label": "after the inline table",
  "dates": {
    "odt_utc": "1979-05-27T07:32:00Z",
    "odt_offset": "1979-05-27T00:32:00.999999-07:00",
    "odt_half_hour": "1979-05-27T07:32:00+05:30",
    "odt_nanos": "1979-05-27T07:32:00.123456789Z",
    "ldt": "1979-05-27T07:32:00",
    "ldt_fraction": "1979-05-27T00:32:00.5",
    "ld": "1979-05-27",
    "lt": "07:32:00",
    "lt_fraction": "00:32:00.000001"
  },
  "mixed": [1, "two", 3.5, true, [4, 5], {"six": 6}, "1979-05-27"],
  "nested": [[1, 2], [], [["deep"]]],
  "empty_array": [],
  "database": {
    "connection": {"host": "db.local", "port": 5432},
    "pool": {"min": 1, "max": 10}
  },
  "servers": [
    {"name": "alpha", "ip": "10.0.0.1", "ports": [8000, 8001]},
    {"name": "beta", "ip": "10.0.0.2", "meta": {"rack": 4, "tags": ["a", "b"]}, "disks": [{"size": 1}, {"size": 2}]}
  ],
  "empty_table": {}
})";

}  // namespace

TEST_CASE("a realistic config round-trips through TOML with its key order and value types", "[format][toml]") {
  TempDir dir;
  SafeFile file(dir / "config.toml");
  const Value doc = Value::parse(kRealisticConfig);
  file.write(doc);
  const Value back = file.read().value();
  CHECK(back == doc);
  CHECK(back.dump() == doc.dump());  // dump follows key order, so this also checks the order
  CHECK(back["whole"].is_number_float());
  CHECK(back["version"].is_number_integer());
  CHECK(back["dates"]["odt_nanos"] == "1979-05-27T07:32:00.123456789Z");

  const std::string text = slurp(dir / "config.toml");
  INFO(text);
  CHECK(contains(text, "point = { x = 1, y = 2 }\nlabel = "));
  // `dates` comes before plain values and is too long for one line, so it is written as dotted keys.
  CHECK(contains(text, "\ndates.odt_utc = 1979-05-27T07:32:00Z\n"));  // a TOML date, not a string
  CHECK(contains(text, "\ndates.odt_offset = 1979-05-27T00:32:00.999999-07:00\n"));
  CHECK(contains(text, "\ndates.lt = 07:32:00\n"));
  CHECK(contains(text, "whole = 3.0\n"));
  CHECK(contains(text, "ratio = 0.1\n"));
  CHECK(contains(text, "mixed = [1, 'two', 3.5, true, [4, 5], { six = 6 }, 1979-05-27]\n"));
  CHECK(contains(text, "\n[database.connection]\nhost = 'db.local'\nport = 5432\n"));
  CHECK_FALSE(contains(text, "[database]"));
  CHECK(contains(text, "\n[[servers]]\nname = 'alpha'\n"));
  CHECK(contains(text, "\n[servers.meta]\nrack = 4\n"));
  CHECK(contains(text, "\n[[servers.disks]]\nsize = 1\n"));
  CHECK(contains(text, "\n[empty_table]\n"));
}

TEST_CASE("the written layout puts values first, then tables and arrays of tables in key order", "[format][toml]") {
  TempDir dir;
  SafeFile file(dir / "layout.toml");
  file.write(Value::parse(R"({"name": "x", "owner": {"id": 7}, "items": [{"n": 1}, {"n": 2}], "zone": {"a": {"b": true}}})"));
  CHECK(slurp(dir / "layout.toml") ==
        "name = 'x'\n"
        "\n[owner]\nid = 7\n"
        "\n[[items]]\nn = 1\n"
        "\n[[items]]\nn = 2\n"
        "\n[zone.a]\nb = true\n");
}

TEST_CASE("reading keeps the document's key order, not toml++'s alphabetical order", "[format][toml]") {
  TempDir dir;
  spit(dir / "order.toml",
       "zeta = 1\nalpha = 2\n"
       "[table.sub]\nb = 1\na = 2\n"
       "[table]\ny = 1\n"
       "[[arr]]\nz = 1\ny = 2\n"
       "[mid]\nx.c = 1\nx.a = 2\nk = { q = 1, p = 2 }\n");
  SafeFile file(dir / "order.toml");
  const Value doc = file.read().value();
  const Value expected = Value::parse(R"({"zeta": 1, "alpha": 2, "table": {"sub": {"b": 1, "a": 2}, "y": 1},
      "arr": [{"z": 1, "y": 2}], "mid": {"x": {"c": 1, "a": 2}, "k": {"q": 1, "p": 2}}})");
  CHECK(doc.dump() == expected.dump());

  // Writing it back keeps that order, even though `sub` now has to be written inline.
  file.write(doc);
  CHECK(contains(slurp(dir / "order.toml"), "[table]\nsub = { b = 1, a = 2 }\ny = 1\n"));
  const Value again = file.read().value();
  CHECK(again.dump() == expected.dump());
  CHECK(keys_of(again) == std::vector<std::string>{"zeta", "alpha", "table", "arr", "mid"});
}

TEST_CASE("64-bit integer limits survive a round trip exactly", "[format][toml]") {
  TempDir dir;
  SafeFile file(dir / "ints.toml");
  const auto min = std::numeric_limits<std::int64_t>::min();
  const auto max = std::numeric_limits<std::int64_t>::max();
  file.write(Value{{"min", min}, {"max", max}, {"max_unsigned", std::uint64_t{9223372036854775807u}}, {"zero", 0}});
  CHECK(contains(slurp(dir / "ints.toml"), "min = -9223372036854775808\nmax = 9223372036854775807\n"));
  const Value back = file.read().value();
  CHECK(back["min"].get<std::int64_t>() == min);
  CHECK(back["max"].get<std::int64_t>() == max);
  CHECK(back["max_unsigned"].get<std::int64_t>() == max);
  CHECK(back["zero"].get<std::int64_t>() == 0);
}

TEST_CASE("inf, -inf and nan are written as TOML's inf, -inf and nan", "[format][toml]") {
  TempDir dir;
  SafeFile file(dir / "floats.toml");
  const double inf = std::numeric_limits<double>::infinity();
  file.write(Value{{"pos", inf}, {"neg", -inf}, {"not_a_number", std::nan("")}, {"negative_zero", -0.0}});
  CHECK(slurp(dir / "floats.toml") == "pos = inf\nneg = -inf\nnot_a_number = nan\nnegative_zero = -0.0\n");
  const Value back = file.read().value();
  CHECK(back["pos"].get<double>() == inf);
  CHECK(back["neg"].get<double>() == -inf);
  CHECK(std::isnan(back["not_a_number"].get<double>()));
  CHECK(std::signbit(back["negative_zero"].get<double>()));
}

TEST_CASE("only strings in the exact date/time form are written as dates, and every string reads back", "[format][toml]") {
  TempDir dir;
  SafeFile file(dir / "dates.toml");
  const Value doc{{"date", "2024-02-29"},
                  {"time", "23:59:59.999999999"},
                  {"trailing_zero", "07:32:00.500"},    // reads back as 07:32:00.5, so stays a string
                  {"plus_zero", "1979-05-27T07:32:00+00:00"},  // toml++ would print Z
                  {"lowercase", "1979-05-27t07:32:00"},
                  {"no_leap_day", "2023-02-29"},
                  {"leap_second", "23:59:60"},
                  {"ten_digits", "07:32:00.1234567891"},
                  {"short", "7:32:00"}};
  file.write(doc);
  const std::string text = slurp(dir / "dates.toml");
  INFO(text);
  CHECK(contains(text, "date = 2024-02-29\n"));
  CHECK(contains(text, "time = 23:59:59.999999999\n"));
  CHECK(contains(text, "trailing_zero = '07:32:00.500'\n"));
  CHECK(contains(text, "plus_zero = '1979-05-27T07:32:00+00:00'\n"));
  CHECK(contains(text, "no_leap_day = '2023-02-29'\n"));
  CHECK(contains(text, "leap_second = '23:59:60'\n"));
  CHECK(file.read().value() == doc);
}

TEST_CASE("dates read from hand-written TOML are normalised to one RFC 3339 spelling", "[format][toml]") {
  TempDir dir;
  spit(dir / "d.toml", "space = 1979-05-27 07:32:00z\nzero = 1979-05-27T07:32:00+00:00\nmillis = 07:32:00.500\n");
  const Value doc = SafeFile(dir / "d.toml").read().value();
  CHECK(doc == Value{{"space", "1979-05-27T07:32:00Z"}, {"zero", "1979-05-27T07:32:00Z"}, {"millis", "07:32:00.5"}});
}

TEST_CASE("keys with special characters are quoted and round-trip", "[format][toml]") {
  TempDir dir;
  SafeFile file(dir / "keys.toml");
  const Value doc{{"bare-key_1", 1},
                  {"with space", 2},
                  {"dotted.key", 3},
                  {"", 4},
                  {"caf\xc3\xa9", 5},
                  {"quote\"and'apostrophe", 6},
                  {"new\nline", "one\ntwo"},
                  {"table.with.dots", Value{{"inner key", Value{{"x", 1}}}}}};
  file.write(doc);
  const std::string text = slurp(dir / "keys.toml");
  INFO(text);
  CHECK(contains(text, "bare-key_1 = 1\n'with space' = 2\n'dotted.key' = 3\n'' = 4\n"));
  CHECK(contains(text, "\n\"new\\nline\" = \"one\\ntwo\"\n"));
  CHECK(contains(text, "\n['table.with.dots'.'inner key']\nx = 1\n"));
  CHECK(file.read().value().dump() == doc.dump());
}

TEST_CASE("an empty TOML file reads as an empty table", "[format][toml]") {
  TempDir dir;
  spit(dir / "empty.toml", "");
  CHECK(SafeFile(dir / "empty.toml").read().value() == Value::object());
}

TEST_CASE("writing an array or a string at the top level fails and leaves the old file alone", "[format][toml][errors]") {
  TempDir dir;
  SafeFile file(dir / "config.toml");
  file.write(Value{{"keep", "me"}});
  const std::string before = slurp(dir / "config.toml");
  for (const Value& top : {Value::array({1, 2}), Value("text")}) {
    try {
      file.write(top);
      FAIL("expected FileWriteError");
    } catch (const atomicio::FileWriteError& error) {
      const std::string what = error.what();
      CHECK(error.path() == dir / "config.toml");
      CHECK(contains(what, "format.toml"));
      CHECK(contains(what, top.is_array() ? "not an array" : "not a string"));
    }
  }
  CHECK(slurp(dir / "config.toml") == before);
  CHECK(dir.entries() == std::vector<std::string>{"config.toml", "config.toml.lock"});
}

TEST_CASE("a null inside the document is a write error naming its key path", "[format][toml][errors]") {
  TempDir dir;
  SafeFile file(dir / "config.toml");
  file.write(Value{{"keep", 1}});
  const auto message_for = [&](const Value& doc) -> std::string {
    try {
      file.write(doc);
    } catch (const atomicio::FileWriteError& error) {
      return error.what();
    }
    return "no error";
  };
  CHECK(contains(message_for(Value::parse(R"({"servers": {"alpha": {"ip": null}}})")),
                 "null at servers.alpha.ip cannot be written in TOML"));
  CHECK(contains(message_for(Value::parse(R"({"servers": [{"ports": [80, null]}]})")),
                 "null at servers[0].ports[1] cannot be written in TOML"));
  CHECK(contains(message_for(Value::parse(R"({"odd key": {"x": null}})")), "null at 'odd key'.x cannot"));
  CHECK(slurp(dir / "config.toml") == "keep = 1\n");
  CHECK(dir.entries() == std::vector<std::string>{"config.toml", "config.toml.lock"});
}

TEST_CASE("an unsigned integer above INT64_MAX or text that is not UTF-8 is a write error", "[format][toml][errors]") {
  TempDir dir;
  SafeFile file(dir / "config.toml");
  file.write(Value{{"keep", 1}});
  try {
    file.write(Value{{"limits", Value{{"big", std::uint64_t{9223372036854775808u}}}}});
    FAIL("expected FileWriteError");
  } catch (const atomicio::FileWriteError& error) {
    CHECK(contains(error.what(), "9223372036854775808 at limits.big"));
  }
  CHECK_THROWS_AS(file.write(Value{{"bad", "\xff\xfe"}}), atomicio::FileWriteError);
  CHECK_THROWS_AS(file.write(Value{{"\xc3", 1}}), atomicio::FileWriteError);
  CHECK(slurp(dir / "config.toml") == "keep = 1\n");
  CHECK(dir.entries() == std::vector<std::string>{"config.toml", "config.toml.lock"});
}

TEST_CASE("invalid TOML is a read error with the line and column toml++ reports", "[format][toml][errors]") {
  TempDir dir;
  struct Case {
    const char* text;
    long long line;
    long long column;
    const char* cause;
  };
  for (const Case& bad : {Case{"a = 1\nb = 2\na = 3\n", 3, 5, "cannot redefine existing integer 'a'"},
                          Case{"title = \"x\"\n[server\nport = 80\n", 2, 8, "expected ']'"},
                          Case{"[t]\nx = 1\n[t]\n", 3, 1, "cannot redefine existing table 't'"}}) {
    spit(dir / "bad.toml", bad.text);
    try {
      SafeFile(dir / "bad.toml").read();
      FAIL("expected FileReadError");
    } catch (const atomicio::FileReadError& error) {
      const std::string what = error.what();
      INFO(what);
      CHECK(error.path() == dir / "bad.toml");
      CHECK(error.line() == bad.line);
      CHECK(error.column() == bad.column);
      CHECK(contains(what, bad.cause));
      CHECK(contains(what, "line " + std::to_string(bad.line)));
    }
  }
}
