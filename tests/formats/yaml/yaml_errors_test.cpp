// format.yaml's refusals: invalid YAML with its position, too deep nesting, several documents,
// non-scalar and duplicate keys, unknown tags, integers out of range, recursive aliases and
// alias bombs on reading; strings YAML cannot hold on writing, which must leave the old file
// in place.
#include "yaml_test_support.hpp"

#include <atomicio/sdk/limits.h>

#include <catch2/catch.hpp>

#include <cstdint>

#include <string>

using atomicio::FileReadError;
using atomicio::FileWriteError;
using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::read_error;
using atomicio::test::read_yaml;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;
using Catch::Matchers::Contains;

namespace {

// A billion laughs: each level holds ten aliases of the one before, so level 9 stands for 10^9
// strings while the file is under a kilobyte.
std::string alias_bomb() {
  std::string text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int level = 1; level <= 9; ++level) {
    std::string previous = "*l" + std::to_string(level - 1);
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i == 0 ? "" : ", ") + previous;
    text += "]\n";
  }
  return text;
}

}  // namespace

TEST_CASE("invalid YAML is a FileReadError with the line and column of the problem", "[format][yaml]") {
  const FileReadError unclosed = read_error("a: [1, 2\nb: 3\n");
  CHECK(unclosed.line() == 2);
  CHECK(unclosed.column() == 2);
  CHECK_THAT(unclosed.detail(), Contains("invalid YAML") && Contains("end of sequence flow not found"));
  CHECK_THAT(std::string(unclosed.what()), Contains("doc.yaml"));

  const FileReadError indent = read_error("a:\n  b: 1\n c: 2\n");
  CHECK(indent.line() == 3);
  CHECK(indent.column() == 2);

  const FileReadError undefined = read_error("a: 1\nb: *nowhere\n");
  CHECK(undefined.line() == 2);
  CHECK(undefined.column() == 4);
}

TEST_CASE("YAML nested deeper than the nesting limit is a FileReadError that says so", "[format][yaml]") {
  const std::size_t limit = ATOMICIO_MAX_NESTING_DEPTH;
  Value deep = read_yaml(std::string(limit, '[') + "x" + std::string(limit, ']'));
  std::size_t depth = 0;
  for (; deep.is_array(); ++depth) deep = Value(deep.at(0));
  CHECK(depth == limit);
  CHECK(deep == "x");
  const FileReadError error = read_error(std::string(limit + 1, '[') + std::string(limit + 1, ']'));
  CHECK_THAT(error.detail(), Contains("deeper than " + std::to_string(limit)));
  CHECK(error.line() == 1);
  CHECK(error.column() == static_cast<std::int64_t>(limit + 1));
}

TEST_CASE("YAML aliases that expand deeper than the nesting limit are a FileReadError", "[format][yaml]") {
  // Each line nests the one before 100 levels deeper, so the third expands 300 levels deep
  // although no line of the text nests more than 101.
  const std::string open(100, '['), close(100, ']');
  std::string text = "l0: &l0 " + open + "x" + close + "\n";
  for (int level = 1; level <= 2; ++level)
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " " + open + "*l" +
            std::to_string(level - 1) + close + "\n";
  const FileReadError error = read_error(text);
  CHECK_THAT(error.detail(), Contains("deeper than " + std::to_string(ATOMICIO_MAX_NESTING_DEPTH)) &&
                                 Contains("aliases expanded"));
  CHECK(error.line() == 3);
}

TEST_CASE("a YAML file with several documents is a FileReadError that says so", "[format][yaml]") {
  const FileReadError error = read_error("a: 1\n---\nb: 2\n");
  CHECK_THAT(error.detail(), Contains("more than one YAML document"));
  CHECK(error.line() == 2);
  CHECK_THAT(read_error("---\na: 1\n...\n---\n").detail(), Contains("more than one YAML document"));
  CHECK(read_yaml("---\na: 1\n...\n") == Value{{"a", 1}});
}

TEST_CASE("a YAML mapping key that is not a scalar is a FileReadError", "[format][yaml]") {
  const FileReadError sequence = read_error("ok: 1\n? [1, 2]\n: x\n");
  CHECK_THAT(sequence.detail(), Contains("mapping keys must be scalars"));
  CHECK(sequence.line() == 2);
  CHECK_THAT(read_error("{{a: 1}: x}\n").detail(), Contains("mapping keys must be scalars"));
  CHECK_THAT(read_error("m: &m {a: 1}\nn: {*m : x}\n").detail(), Contains("alias *m is a collection"));
}

TEST_CASE("a duplicate YAML mapping key is a FileReadError naming the key", "[format][yaml]") {
  const FileReadError error = read_error("a: 1\nb: 2\na: 3\n");
  CHECK_THAT(error.detail(), Contains("duplicate mapping key 'a'"));
  CHECK(error.line() == 3);
  CHECK_THAT(read_error("k: &k a\nm: {a: 1, *k : 2}\n").detail(), Contains("duplicate mapping key 'a'"));
}

TEST_CASE("an unknown YAML tag or a value that does not fit its tag is a FileReadError", "[format][yaml]") {
  CHECK_THAT(read_error("a: !custom x\n").detail(), Contains("unsupported tag !custom"));
  CHECK_THAT(read_error("a: !!set {x}\n").detail(), Contains("unsupported tag"));
  CHECK_THAT(read_error("a: !!int abc\n").detail(), Contains("'abc' is not a valid !!int"));
  CHECK_THAT(read_error("a: !!bool yes\n").detail(), Contains("is not a valid !!bool"));
  CHECK_THAT(read_error("a: !!seq {x: 1}\n").detail(), Contains("unsupported tag"));
}

TEST_CASE("a YAML integer outside the 64-bit range is a FileReadError", "[format][yaml]") {
  CHECK_THAT(read_error("a: 18446744073709551616\n").detail(), Contains("outside the 64-bit range"));
  CHECK_THAT(read_error("a: -9223372036854775809\n").detail(), Contains("outside the 64-bit range"));
  CHECK_THAT(read_error("a: 0x10000000000000000\n").detail(), Contains("outside the 64-bit range"));
  // As a key it is only text.
  CHECK(read_yaml("18446744073709551616: a\n") == Value{{"18446744073709551616", "a"}});
}

TEST_CASE("a recursive YAML alias is a FileReadError", "[format][yaml]") {
  const FileReadError error = read_error("a: &x [1, *x]\n");
  CHECK_THAT(error.detail(), Contains("recursive alias") && Contains("*x"));
  CHECK(error.line() == 1);
  CHECK(error.column() == 11);
  CHECK_THAT(read_error("a: &y {b: {c: *y}}\n").detail(), Contains("recursive alias"));
}

TEST_CASE("a YAML alias bomb is a FileReadError raised before the document is built", "[format][yaml]") {
  const FileReadError error = read_error(alias_bomb());
  CHECK_THAT(error.detail(), Contains("alias bomb") && Contains("1000000"));
  // The guard trips at the alias that crosses the budget: the eighth of level 5's aliases, each
  // of which stands for 111111 values.
  CHECK(error.line() == 6);
  CHECK(error.column() == 45);

  // Moderate reuse stays well inside the budget and expands in full.
  std::string text = "l0: &l0 [x, y]\n";
  for (int level = 1; level <= 12; ++level)
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [*l" + std::to_string(level - 1) +
            ", *l" + std::to_string(level - 1) + "]\n";
  const Value doc = read_yaml(text);
  CHECK(doc["l12"].flatten().size() == 8192);
}

TEST_CASE("aliases that would copy more text than the byte budget are a FileReadError naming it", "[format][yaml]") {
  // One megabyte of text aliased 500 times is one value per alias, well inside the value
  // budget, but 501 MB for the host to build.
  const std::string megabyte(1 << 20, 'x');
  std::string text = "s: &s " + megabyte + "\nl:\n";
  for (int i = 0; i < 500; ++i) text += "  - *s\n";
  const FileReadError error = read_error(text);
  CHECK_THAT(error.detail(), Contains("alias bomb") && Contains("bytes of text") && Contains("67108864"));
  // The budget grows with the file: 16 bytes per input byte, so the same text aliased ten
  // times reads in full.
  std::string moderate = "s: &s " + megabyte + "\nl:\n";
  for (int i = 0; i < 10; ++i) moderate += "  - *s\n";
  const Value value = read_yaml(moderate);
  CHECK(value["l"].size() == 10);
  CHECK(value["l"][9] == megabyte);
}

TEST_CASE("writing a string YAML cannot hold (not UTF-8, a noncharacter) is a FileWriteError that keeps the old file",
          "[format][yaml]") {
  TempDir dir;
  spit(dir / "doc.yaml", "old: 1\n");
  SafeFile file(dir / "doc.yaml");
  CHECK_THROWS_WITH(file.write(Value{{"bad", std::string("a\xff" "b")}}), Contains("UTF-8"));
  CHECK_THROWS_AS(file.write(Value{{std::string("\xc3\x28"), 1}}), FileWriteError);
  CHECK_THROWS_AS(file.write(Value(std::string("\xed\xa0\x80"))), FileWriteError);  // a surrogate
  CHECK_THROWS_WITH(file.write(Value(std::string("\xef\xbf\xbf"))), Contains("U+FFFE or U+FFFF"));
  CHECK_THROWS_AS(file.write(Value(std::string("\xef\xbf\xbe"))), FileWriteError);
  // Found by fuzz/yaml: yaml-cpp writes the other noncharacters as U+FFFD in double quotes.
  CHECK_THROWS_WITH(file.write(Value{{"k", std::string("\xc2\x90\xef\xb7\xac")}}), Contains("noncharacter"));  // U+FDEC
  CHECK_THROWS_AS(file.write(Value(std::string("\xef\xb7\x90"))), FileWriteError);                    // U+FDD0
  CHECK_THROWS_AS(file.write(Value{{std::string(" \xf0\x9f\xbf\xbe "), 1}}), FileWriteError);        // U+1FFFE
  CHECK_THROWS_AS(file.write(Value(std::string("\xf4\x8f\xbf\xbf: x"))), FileWriteError);           // U+10FFFF
  CHECK(slurp(dir / "doc.yaml") == "old: 1\n");
}
