// The one nesting limit (ATOMICIO_MAX_NESTING_DEPTH) in every format: a value nested exactly
// that deep round-trips, one level more is a write error before anything is committed, and
// hostile input nested 100,000 levels deep is a read error, not a stack overflow or an
// allocation failure. The inputs are generated here, so no fixture holds megabytes of brackets.
#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/sdk/limits.h>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <utility>

using atomicio::FileReadError;
using atomicio::FileWriteError;
using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;
using Catch::Matchers::Contains;

namespace {

constexpr std::size_t kLimit = ATOMICIO_MAX_NESTING_DEPTH;
constexpr std::size_t kHostile = 100'000;

// `leaf` wrapped in `levels` containers: arrays, objects {"a": …}, or both in turn. Built
// from the inside out by moving, so building never copies (or recurses over) the value.
enum class Shape { arrays, objects, mixed };
Value nested(std::size_t levels, Shape shape, Value leaf = "x") {
  Value value = std::move(leaf);
  for (std::size_t level = 0; level < levels; ++level) {
    const bool object = shape == Shape::objects || (shape == Shape::mixed && level % 2 == 0);
    Value outer = object ? Value::object() : Value::array();
    if (object) outer["a"] = std::move(value);
    else outer.push_back(std::move(value));
    value = std::move(outer);
  }
  return value;
}

// The deepest value each format can hold: TOML and XML need an object at the top, CSV and text
// hold no nesting at all (they only take part in the write-side check).
Value deepest(const std::string& name, std::size_t levels) {
  if (name.ends_with(".json")) return nested(levels, Shape::arrays);
  if (name.ends_with(".yaml")) return nested(levels, Shape::mixed);
  return nested(levels, Shape::objects);  // .toml, .xml: tables and elements
}

// A value every format can write, to have an old file in place.
Value shallow(const std::string& name) {
  if (name.ends_with(".csv")) return Value::array({Value{{"h", "old"}}});
  if (name.ends_with(".toml") || name.ends_with(".xml")) return Value{{"a", "old"}};
  return "old";
}

FileReadError read_error(const std::string& name, const std::string& text) {
  TempDir dir;
  spit(dir / name, text);
  try {
    SafeFile(dir / name).read();
  } catch (const FileReadError& error) {
    return error;
  }
  throw std::logic_error("expected a FileReadError reading a " + std::to_string(text.size()) + "-byte " + name);
}

Value read_text(const std::string& name, const std::string& text) {
  TempDir dir;
  spit(dir / name, text);
  return SafeFile(dir / name).read().value();
}

std::string repeat(const std::string& part, std::size_t times) {
  std::string text;
  text.reserve(part.size() * times);
  for (std::size_t i = 0; i < times; ++i) text += part;
  return text;
}

}  // namespace

TEST_CASE("a value nested exactly as deep as the limit round-trips through every format", "[format][depth]") {
  for (const std::string name : {"deep.json", "deep.yaml", "deep.toml", "deep.xml"}) {
    CAPTURE(name);
    TempDir dir;
    const Value value = deepest(name, kLimit);
    SafeFile(dir / name).write(value);
    CHECK(SafeFile(dir / name).read().value() == value);
  }
  // TOML writes arrays inline, where toml++ counts every level: the deepest still reads back.
  TempDir dir;
  Value inline_arrays = Value::object();
  inline_arrays["a"] = nested(kLimit - 1, Shape::arrays, 1);
  SafeFile(dir / "inline.toml").write(inline_arrays);
  CHECK(SafeFile(dir / "inline.toml").read().value() == inline_arrays);
}

TEST_CASE("a value one level deeper than the limit is a write error in every format and the old file stays",
          "[format][depth][errors]") {
  for (const std::string name : {"deep.json", "deep.yaml", "deep.toml", "deep.xml", "deep.csv", "deep.txt"}) {
    CAPTURE(name);
    TempDir dir;
    SafeFile file(dir / name);
    file.write(shallow(name));
    const std::string before = slurp(dir / name);
    const auto entries = dir.entries();
    try {
      file.write(deepest(name, kLimit + 1));
      FAIL("expected a FileWriteError");
    } catch (const FileWriteError& error) {
      CHECK(error.path() == dir / name);
      CHECK_THAT(error.what(), Contains("deeper than " + std::to_string(kLimit) + " levels"));
    }
    CHECK(slurp(dir / name) == before);
    CHECK(dir.entries() == entries);
  }
}

TEST_CASE("JSON nested one level past the limit, or 100,000 levels, is a read error", "[format][depth][json]") {
  CHECK(read_text("ok.json", std::string(kLimit, '[') + std::string(kLimit, ']')) ==
        nested(kLimit - 1, Shape::arrays, Value::array()));
  for (std::size_t levels : {kLimit + 1, kHostile})
    CHECK_THAT(read_error("deep.json", std::string(levels, '[') + std::string(levels, ']')).detail(),
               Contains("deeper than " + std::to_string(kLimit)));
  CHECK_THAT(read_error("deep.json", repeat("{\"a\":", kHostile) + "1" + std::string(kHostile, '}')).detail(),
             Contains("deeper than " + std::to_string(kLimit)));
}

TEST_CASE("TOML with 100,000 dotted key parts or brackets is a read error before toml++ parses it",
          "[format][depth][toml]") {
  // A header of n parts puts its table n + 1 levels down, the top-level table included.
  const std::string header = "[" + repeat("a.", kLimit - 2) + "a]\nk = 1\n";
  CHECK(read_text("ok.toml", header) == nested(kLimit - 1, Shape::objects, Value{{"k", 1}}));
  const std::string too_deep = "[" + repeat("a.", kLimit - 1) + "a]\nk = 1\n";
  CHECK_THAT(read_error("deep.toml", too_deep).detail(), Contains("deeper than " + std::to_string(kLimit)));

  for (const std::string& text : {"[" + repeat("a.", kHostile) + "a]\n", "[[" + repeat("a.", kHostile) + "a]]\n",
                                  repeat("a.", kHostile) + "a = 1\n", "[" + repeat("a.", kHostile),
                                  "x = " + std::string(kHostile, '[') + std::string(kHostile, ']') + "\n",
                                  "x = " + repeat("{a=", kHostile) + "1" + std::string(kHostile, '}') + "\n",
                                  "x = { " + repeat("a.", kHostile) + "a = 1 }\n"}) {
    CAPTURE(text.substr(0, 12));
    const FileReadError error = read_error("deep.toml", text);
    CHECK_THAT(error.detail(), Contains("deeper than " + std::to_string(kLimit)));
    CHECK(error.line() == 1);
  }
}

TEST_CASE("YAML nested 100,000 levels deep, in flow or block style, is a read error", "[format][depth][yaml]") {
  for (const std::string& text : {std::string(kHostile, '[') + std::string(kHostile, ']'), repeat("- ", kHostile) + "x\n",
                                  repeat("{a: ", kHostile) + "1" + std::string(kHostile, '}')})
    CHECK_THAT(read_error("deep.yaml", text).detail(), Contains("deeper than " + std::to_string(kLimit)));
}

TEST_CASE("XML elements nested 100,000 levels deep are a read error", "[format][depth][xml]") {
  CHECK_THAT(read_error("deep.xml", repeat("<a>", kHostile) + repeat("</a>", kHostile)).detail(),
             Contains("deeper than " + std::to_string(kLimit)));
}

TEST_CASE("brackets in CSV and text are only text, however many there are", "[format][depth]") {
  const std::string brackets(kHostile, '[');
  CHECK(read_text("deep.txt", brackets) == brackets);
  CHECK(read_text("deep.csv", "h\n" + brackets + "\n") == Value::array({Value{{"h", brackets}}}));
}
