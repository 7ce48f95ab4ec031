// format.yaml through SafeFile: round trips of every scalar kind with key order, the YAML 1.2
// core-schema resolution of plain scalars (and quoted ones staying strings), tags, anchors and
// aliases, and the layout and quoting of what is written.
#include "yaml_test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

using atomicio::Value;
using atomicio::test::read_yaml;
using atomicio::test::write_yaml;

namespace {

Value value_of(const std::string& plain) { return read_yaml("v: " + plain + "\n").at("v"); }

}  // namespace

TEST_CASE("nested YAML documents with every scalar kind round-trip with their key order", "[format][yaml]") {
  Value doc = Value::parse(R"({
    "zeta": {"inner": [1, -2, 9223372036854775807, 18446744073709551615, -9223372036854775808],
             "floats": [0.1, 1.0, -0.0, 1e300, 5e-324, 123456789.0, 2.5e-7, 1.7976931348623157e308],
             "empty_object": {}, "empty_array": [], "nothing": null},
    "alpha": [true, false, null, "text", "über 日本 😀", [[], [{}]], {"b": 2, "a": 1}],
    "mid": "line one\nline two\n"
  })");
  doc["alpha"].push_back(std::numeric_limits<double>::infinity());
  doc["alpha"].push_back(-std::numeric_limits<double>::infinity());

  const Value back = read_yaml(write_yaml(doc));
  // dump() keeps insertion order and prints floats in their shortest exact form, so equal text
  // means equal keys in the same order and bit-identical doubles (Value's == ignores order).
  CHECK(back.dump() == doc.dump());
  CHECK(back["zeta"]["inner"][3].is_number_unsigned());
  CHECK(back["zeta"]["floats"][1].is_number_float());
  CHECK(std::signbit(back["zeta"]["floats"][2].get<double>()));

  const Value nan = read_yaml(write_yaml(Value(std::numeric_limits<double>::quiet_NaN())));
  CHECK(std::isnan(nan.get<double>()));
}

TEST_CASE("YAML is written in block style with two-space indent and flow style only for empty collections",
          "[format][yaml]") {
  Value doc = Value::parse(R"({"name": "demo", "size": 3, "ratio": 1.0, "on": true, "none": null,
    "tags": ["a", "b"], "nested": {"list": [{"k": 1, "j": 2}, []], "empty": {}}})");
  CHECK(write_yaml(doc) ==
        "name: demo\n"
        "size: 3\n"
        "ratio: 1.0\n"
        "\"on\": true\n"
        "none: null\n"
        "tags:\n"
        "  - a\n"
        "  - b\n"
        "nested:\n"
        "  list:\n"
        "    - k: 1\n"
        "      j: 2\n"
        "    - []\n"
        "  empty: {}\n");
  CHECK(write_yaml(Value()) == "null\n");
  CHECK(write_yaml(Value::object()) == "{}\n");
  CHECK(write_yaml(Value::array()) == "[]\n");
}

TEST_CASE("plain scalars resolve by the YAML 1.2 core schema and quoted ones stay strings", "[format][yaml]") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::string, Value>> table{
      {"~", nullptr},     {"null", nullptr},   {"Null", nullptr},   {"NULL", nullptr},
      {"true", true},     {"True", true},      {"TRUE", true},      {"false", false},
      {"False", false},   {"FALSE", false},    {"0", 0},            {"-17", -17},
      {"+17", 17},        {"007", 7},          {"0x1F", 31},        {"0xff", 255},
      {"0o17", 15},       {"1.5", 1.5},        {"-1.5", -1.5},      {".5", 0.5},
      {"1.", 1.0},        {"1e3", 1000.0},     {"1E-2", 0.01},      {"+1.5e+3", 1500.0},
      {"-.5e1", -5.0},    {"1e400", inf},      {"-1e400", -inf},    {"1e-400", 0.0},
      {".inf", inf},      {".Inf", inf},       {".INF", inf},       {"+.inf", inf},
      {"-.inf", -inf},    {"-.Inf", -inf},     {"-.INF", -inf},
  };
  for (const auto& [text, expected] : table) {
    INFO("plain scalar: " << text);
    const Value plain = value_of(text);
    CHECK(plain == expected);
    CHECK(plain.type() == expected.type());
    CHECK(value_of("\"" + text + "\"") == Value(text));
    CHECK(value_of("'" + text + "'") == Value(text));
  }
  for (const char* nan : {".nan", ".NaN", ".NAN"}) {
    INFO(nan);
    CHECK(std::isnan(value_of(nan).get<double>()));
    CHECK(value_of(std::string("'") + nan + "'") == Value(nan));
  }
  CHECK(value_of("") == Value());
  CHECK(read_yaml("- \n- x\n") == Value::parse(R"([null, "x"])"));
}

TEST_CASE("YAML 1.1 booleans, numbers and look-alikes stay strings", "[format][yaml]") {
  for (const char* text : {"yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n", "Y", "N",
                           "0b101", "1_000", "0x", "0o", "0o8", "0xG", "-0x1F", "+0o7", "1:30",
                           "2001-12-14", "nan", "inf", "-.nan", ".Nan", "TrUe", "nULL", "1.2.3",
                           "1e", "e3", ".", "-x", "<<", "="}) {
    INFO("plain scalar: " << text);
    CHECK(value_of(text) == Value(text));
  }
}

TEST_CASE("YAML integers beyond int64 read as uint64 up to its maximum", "[format][yaml]") {
  CHECK(value_of("9223372036854775807").is_number_integer());
  CHECK_FALSE(value_of("9223372036854775807").is_number_unsigned());
  CHECK(value_of("9223372036854775808") == Value(9223372036854775808ULL));
  CHECK(value_of("9223372036854775808").is_number_unsigned());
  CHECK(value_of("18446744073709551615") == Value(18446744073709551615ULL));
  CHECK(value_of("0xFFFFFFFFFFFFFFFF") == Value(18446744073709551615ULL));
  CHECK(value_of("-9223372036854775808") == Value(std::numeric_limits<std::int64_t>::min()));
}

TEST_CASE("explicit YAML core-schema tags are respected", "[format][yaml]") {
  const Value doc = read_yaml(
      "s1: !!str 123\ns2: !!str true\ns3: !!str ~\ns4: ! 12\n"
      "i: !!int \"42\"\nf: !!float 1\nb: !!bool \"false\"\nn: !!null null\n"
      "m: !!map {a: 1}\nq: !!seq [1]\nblock: |\n  12\n");
  CHECK(doc == Value::parse(R"({"s1": "123", "s2": "true", "s3": "~", "s4": "12", "i": 42, "f": 1.0,
                                "b": false, "n": null, "m": {"a": 1}, "q": [1], "block": "12\n"})"));
  CHECK(doc["f"].is_number_float());
}

TEST_CASE("YAML anchors and aliases are expanded, also as keys and when nested", "[format][yaml]") {
  const Value doc = read_yaml(
      "base: &b\n"
      "  x: 1\n"
      "  y: [a, &s hello]\n"
      "copy: *b\n"
      "list: [*b, *s, &n ~]\n"
      "outer: &o {inner: *b}\n"
      "twice: [*o, *o]\n"
      "*s : aliased key\n"
      "*n : null key\n");
  const Value base = Value::parse(R"({"x": 1, "y": ["a", "hello"]})");
  CHECK(doc["copy"] == base);
  CHECK(doc["list"] == Value::array({base, "hello", nullptr}));
  CHECK(doc["twice"] == Value::array({Value{{"inner", base}}, Value{{"inner", base}}}));
  CHECK(doc["hello"] == "aliased key");
  CHECK(doc["~"] == "null key");
  CHECK(doc.dump() == read_yaml(write_yaml(doc)).dump());
}

TEST_CASE("YAML scalar keys keep the text they were written as", "[format][yaml]") {
  const Value doc = read_yaml("1: a\n0x1F: b\ntrue: c\n~: d\nnull: e\n\"quoted\": f\n1.50: g\n");
  CHECK(doc.dump() == R"({"1":"a","0x1F":"b","true":"c","~":"d","null":"e","quoted":"f","1.50":"g"})");
  CHECK(read_yaml(write_yaml(doc)).dump() == doc.dump());
}

TEST_CASE("an empty YAML file, or one with only comments, reads as null", "[format][yaml]") {
  CHECK(read_yaml("") == Value());
  CHECK(read_yaml("\n\n") == Value());
  CHECK(read_yaml("# nothing here\n") == Value());
  CHECK(read_yaml("---\n...\n") == Value());
  CHECK(read_yaml("\xEF\xBB\xBF" "a: 1\n") == Value{{"a", 1}});
}

TEST_CASE("strings that would read as something else are quoted in YAML and round-trip as keys and values",
          "[format][yaml]") {
  const std::vector<std::string> strings{
      "true", "False", "null", "Null", "~", "", "123", "-5", "+5", "007", "0x1F", "0o17", ".inf", "-.inf",
      ".nan", "1.5", "1e3", "1.", "yes", "no", "on", "Off", "y", "N", "<<", "=", "2001-12-14",
      "2001-12-14 21:59:43.10 -5", "1:30", "0b101", "1_000", " lead", "trail ", "a: b", "a:", ": a",
      "# c", "a #c", "- x", "-", "?", "? x", ":", ",", "[x]", "{x}", "x]", "*a", "&a", "!t", "|", "> x",
      "%p", "@at", "`tick", "'single'", "\"double\"", "back\\slash", "multi\nline", "trailing\n",
      "\n", "tab\there", std::string("nul\0byte", 8), "\x01\x1f", "über 日本 😀", "del\x7f",
      "nel\xC2\x85", "c1\xC2\x9F", "ls\xE2\x80\xA8", "ps\xE2\x80\xA9", "bom\xEF\xBB\xBF",
      "key: value # comment", std::string(1100, 'k')};
  for (const std::string& text : strings) {
    INFO("string: " << Value(text).dump());
    CHECK(read_yaml(write_yaml(Value(text))) == Value(text));
    const Value keyed{{text, text}};
    CHECK(read_yaml(write_yaml(keyed)) == keyed);
  }
}

// Found by fuzz/yaml: yaml-cpp wrote "a\r" as a plain scalar, which reads back as "a".
TEST_CASE("strings with a carriage return are quoted in YAML, so the CR survives a rewrite", "[format][yaml]") {
  for (const std::string text : {"cr\r", "\r", "\ra", "a\rb", "crlf\r\n", "\r\r\n", "\xF4\x86\xB1\xA5\r"}) {
    INFO("string: " << Value(text).dump());
    CHECK(write_yaml(Value(text)).front() == '"');
    CHECK(read_yaml(write_yaml(Value(text))) == Value(text));
    const Value keyed{{text, text}};
    CHECK(read_yaml(write_yaml(keyed)) == keyed);
  }
}

// Found by fuzz/yaml: a 625-character key of control characters was written as an implicit
// key, whose escaped form passed YAML's 1024-character limit, and the file could not be read.
TEST_CASE("long keys, however they are escaped, are written so that they read back", "[format][yaml]") {
  for (const std::string& key : {std::string(625, '\x01'), std::string(251, '\x01'), std::string(250, '\x01'),
                                std::string(2000, 'k'), std::string(400, '\x7f'), std::string(1100, ' ') + "x"}) {
    INFO("key of " << key.size() << " bytes: " << Value(key.substr(0, 8)).dump());
    const Value keyed{{key, 1}, {"after", Value{{key, key}}}};
    CHECK(read_yaml(write_yaml(keyed)) == keyed);
  }
  // Short keys stay implicit.
  CHECK(write_yaml(Value{{std::string(250, 'k'), 1}}) == std::string(250, 'k') + ": 1\n");
}

// Found by fuzz/yaml: a top-level "--- x" was written plain and read back as "x".
TEST_CASE("strings that start like a YAML document marker are quoted", "[format][yaml]") {
  for (const std::string text : {"--- x", "... x", "---", "...", "---\tx", "--- "}) {
    INFO("string: " << Value(text).dump());
    CHECK(read_yaml(write_yaml(Value(text))) == Value(text));
    const Value keyed{{text, text}};
    CHECK(read_yaml(write_yaml(keyed)) == keyed);
    CHECK(read_yaml(write_yaml(Value::array({text}))) == Value::array({text}));
  }
}

TEST_CASE("comments are dropped when a YAML document is rewritten", "[format][yaml]") {
  const Value doc = read_yaml("# header\nname: demo  # trailing\n# between\nsize: 3\n");
  CHECK(doc.dump() == R"({"name":"demo","size":3})");
  CHECK(write_yaml(doc) == "name: demo\nsize: 3\n");
}
