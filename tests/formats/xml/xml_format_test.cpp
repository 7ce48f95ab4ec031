// format.xml through SafeFile: the xmltodict-style mapping both ways (attributes, #text,
// repeated children as arrays, empty elements, scalars as text), write errors that leave the old
// file alone, parse errors with positions, and documents with entity declarations (billion
// laughs, XXE) refused without expanding anything.
#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

Value read_xml(const TempDir& dir, const std::string& name, const std::string& content) {
  spit(dir / name, content);
  return SafeFile(dir / name).read().value();
}

// The FileReadError that reading `content` must raise.
atomicio::FileReadError read_error(const TempDir& dir, const std::string& content) {
  spit(dir / "bad.xml", content);
  try {
    SafeFile(dir / "bad.xml").read();
  } catch (const atomicio::FileReadError& error) {
    return error;
  }
  FAIL("expected FileReadError for: " << content);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a nested document with attributes, arrays, text, unicode and escapes round-trips", "[format][xml]") {
  TempDir dir;
  SafeFile file(dir / "library.xml");
  const Value doc = Value::parse(R"({"ns:library": {
    "@attributes": {"xmlns:ns": "urn:example", "name": "St\u00e4dtische <B\u00fccherei> & \"Co\" 'x'",
                    "note": "line\r\nbreak\tand tab"},
    "ns:book": [
      {"@attributes": {"id": "1"}, "title": "Faust & <Co>", "author": "Goethe"},
      {"@attributes": {"id": "2"}, "title": "\u65e5\u672c\u8a9e \ud83d\udcda", "author": "\"Quote\" 'apos'"}
    ],
    "remark": {"@attributes": {"lang": "en"}, "#text": "  a < b && c > d  "},
    "section": {"#text": "intro", "para": ["one", "two"]},
    "empty": null,
    "spaced": "  keeps its spaces  ",
    "multiline": "line 1\nline 2"
  }})");
  file.write(doc);
  CHECK(file.read().value() == doc);

  const std::string text = slurp(dir / "library.xml");
  CHECK(text.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ns:library ", 0) == 0);
  CHECK(text.find("name=\"St\xc3\xa4" "dtische &lt;B\xc3\xbc" "cherei> &amp; &quot;Co&quot; 'x'\"") != std::string::npos);
  CHECK(text.find("\n  <ns:book id=\"1\">\n    <title>Faust &amp; &lt;Co&gt;</title>\n") != std::string::npos);
  CHECK(text.find("\n  <empty />\n") != std::string::npos);
}

TEST_CASE("a single child is a plain value and repeated children become an array in document order",
          "[format][xml]") {
  TempDir dir;
  const Value value = read_xml(dir, "r.xml", "<r><one>1</one><many>a</many><many>b</many><other/><many>c</many></r>");
  // dump() shows key order: first occurrences, in document order.
  CHECK(value.dump() == R"({"r":{"one":"1","many":["a","b","c"],"other":null}})");

  SafeFile file(dir / "w.xml");
  file.write(Value::parse(R"({"r": {"single": ["only"], "pair": [{"x": "1"}, {"x": "2"}]}})"));
  CHECK(slurp(dir / "w.xml") ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n  <single>only</single>\n  <pair>\n    <x>1</x>\n  </pair>\n"
        "  <pair>\n    <x>2</x>\n  </pair>\n</r>\n");
  CHECK(file.read().value() == Value::parse(R"({"r": {"single": "only", "pair": [{"x": "1"}, {"x": "2"}]}})"));
}

TEST_CASE("empty elements read as null and null, empty strings and empty objects write empty elements",
          "[format][xml]") {
  TempDir dir;
  CHECK(read_xml(dir, "e.xml", "<r><a/><b></b><c>  </c><d x=\"1\"/><e x=\"\"></e></r>") ==
        Value::parse(R"({"r": {"a": null, "b": null, "c": "  ", "d": {"@attributes": {"x": "1"}},
                             "e": {"@attributes": {"x": ""}}}})"));
  CHECK(read_xml(dir, "root.xml", "<?xml version=\"1.0\"?>\n<root/>\n") == Value::parse(R"({"root": null})"));
  CHECK(read_xml(dir, "blank.xml", " \n").is_null());

  SafeFile file(dir / "w.xml");
  file.write(Value::parse(R"({"r": {"n": null, "s": "", "o": {}, "t": {"#text": ""}}})"));
  CHECK(slurp(dir / "w.xml").find("<n />\n  <s />\n  <o />\n  <t />") != std::string::npos);
  CHECK(file.read().value() == Value::parse(R"({"r": {"n": null, "s": null, "o": null, "t": null}})"));
}

TEST_CASE("scalars are written as text and read back as strings", "[format][xml]") {
  TempDir dir;
  SafeFile file(dir / "s.xml");
  Value doc{{"r",
             {{"int", -42},
              {"uint", std::numeric_limits<std::uint64_t>::max()},
              {"tenth", 0.1},
              {"big", 1e300},
              {"whole", 2.0},
              {"nan", std::nan("")},
              {"inf", -std::numeric_limits<double>::infinity()},
              {"yes", true},
              {"no", false},
              {"@attributes", {{"count", 3}, {"ratio", 0.5}, {"flag", true}, {"none", nullptr}}}}}};
  file.write(doc);
  CHECK(file.read().value() == Value::parse(R"({"r": {
    "@attributes": {"count": "3", "ratio": "0.5", "flag": "true", "none": ""},
    "int": "-42", "uint": "18446744073709551615", "tenth": "0.1", "big": "1e+300", "whole": "2",
    "nan": "NaN", "inf": "-INF", "yes": "true", "no": "false"}})"));
}

TEST_CASE("mixed content keeps the trimmed text, while comments, instructions and CDATA markup go",
          "[format][xml]") {
  TempDir dir;
  CHECK(read_xml(dir, "m.xml", "<p>Hello <b>world</b> again</p>") ==
        Value::parse(R"({"p": {"#text": "Hello  again", "b": "world"}})"));
  CHECK(read_xml(dir, "c.xml", "<!-- head --><r><?pi data?><a><![CDATA[<raw> & stuff]]></a><!-- c --></r>") ==
        Value::parse(R"({"r": {"a": "<raw> & stuff"}})"));
  // XML normalizes line ends in text: a carriage return reads back as a newline.
  CHECK(read_xml(dir, "crlf.xml", "<r>a\r\nb\rc</r>") == Value::parse(R"({"r": "a\nb\nc"})"));
}

TEST_CASE("a value that is not an object with one key is a write error that keeps the old file",
          "[format][xml][errors]") {
  TempDir dir;
  SafeFile file(dir / "doc.xml");
  file.write(Value{{"r", "old"}});
  const std::string old = slurp(dir / "doc.xml");
  for (const char* bad : {R"({"a": 1, "b": 2})", "{}", "42", "null", R"(["r"])", R"({"r": [1, 2]})"}) {
    INFO(bad);
    try {
      file.write(Value::parse(bad));
      FAIL("expected FileWriteError");
    } catch (const atomicio::FileWriteError& error) {
      CHECK(std::string(error.what()).find("format.xml") != std::string::npos);
    }
    CHECK(slurp(dir / "doc.xml") == old);
    CHECK(dir.entries() == std::vector<std::string>{"doc.xml", "doc.xml.lock"});
  }
  CHECK_THROWS_WITH(file.write(Value::parse(R"({"a": 1, "b": 2})")), Catch::Contains("exactly one key"));
}

TEST_CASE("an invalid name or character is a write error naming the key", "[format][xml][errors]") {
  TempDir dir;
  SafeFile file(dir / "doc.xml");
  file.write(Value{{"r", "old"}});
  const std::string old = slurp(dir / "doc.xml");
  const std::vector<std::pair<const char*, const char*>> cases{
      {R"({"1st": "x"})", "'1st'"},
      {R"({"r": {"has space": 1}})", "'has space'"},
      {R"({"r": {"@id": 1}})", "'@id'"},
      {R"({"r": {"": 1}})", "''"},
      {R"({"r": {"@attributes": {"bad=name": "x"}}})", "'bad=name'"},
      {R"({"r": {"@attributes": ["x"]}})", "@attributes of <r>"},
      {R"({"r": {"@attributes": {"a": {"nested": 1}}}})", "attribute 'a' of <r>"},
      {R"({"r": {"#text": [1]}})", "#text of <r>"},
      {R"({"r": {"list": [[1, 2]]}})", "'list'"},
      {R"({"r": {"ctl": "bell \u0007"}})", "U+0007"},
      {R"({"r": {"nul": "a\u0000b"}})", "U+0000"},
  };
  for (const auto& [bad, named_in_case] : cases) {
    INFO(bad);
    const std::string named = named_in_case;  // clang before 16 cannot capture a structured binding
    CHECK_THROWS_MATCHES(file.write(Value::parse(bad)), atomicio::FileWriteError,
                         Catch::Matchers::Predicate<atomicio::FileWriteError>(
                             [&](const atomicio::FileWriteError& error) {
                               return std::string(error.what()).find(named) != std::string::npos;
                             },
                             std::string("message names ") + named));
    CHECK(slurp(dir / "doc.xml") == old);
  }
  CHECK(dir.entries() == std::vector<std::string>{"doc.xml", "doc.xml.lock"});
}

TEST_CASE("malformed XML is a read error with line and column", "[format][xml][errors]") {
  TempDir dir;
  const auto mismatch = read_error(dir, "<?xml version=\"1.0\"?>\n<r>\n  <a>1</b>\n</r>\n");
  CHECK(mismatch.path() == dir / "bad.xml");
  CHECK(mismatch.line() == 3);
  CHECK(mismatch.column() > 1);
  CHECK(mismatch.byte_offset() > 0);
  CHECK(std::string(mismatch.what()).find("line 3") != std::string::npos);

  const auto unclosed = read_error(dir, "<r>\n  <a>text\n");
  CHECK(unclosed.line() >= 2);

  const auto second_root = read_error(dir, "<r/>\n<s/>\n");
  CHECK(second_root.line() == 2);
  CHECK(second_root.column() == 1);
  CHECK(std::string(second_root.what()).find("more than one root") != std::string::npos);

  const auto outside = read_error(dir, "<r/>\ntrailing words\n");
  CHECK(outside.line() == 2);
  CHECK(std::string(outside.what()).find("outside the root") != std::string::npos);

  const auto utf8 = read_error(dir, "<r>\n<a>ok</a>\n<b>\xff</b></r>");
  CHECK(utf8.line() == 3);
  CHECK(utf8.column() == 4);

  CHECK(std::string(read_error(dir, "<r a=\"1\" a=\"2\"/>").what()).find("duplicate attribute 'a'") !=
        std::string::npos);
  CHECK(read_error(dir, "<!-- only a comment -->").line() == -1);
}

TEST_CASE("a billion-laughs document is refused without expanding entities", "[format][xml][security]") {
  TempDir dir;
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    doc += "  <!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) doc += "&lol" + (level == 1 ? std::string() : std::to_string(level - 1)) + ";";
    doc += "\">\n";
  }
  doc += "]>\n<lolz>&lol9;</lolz>\n";
  const auto error = read_error(dir, doc);
  CHECK(error.line() == 3);  // the first <!ENTITY
  CHECK(std::string(error.what()).find("declares entities") != std::string::npos);
}

TEST_CASE("an external entity is refused and never pulls in the file it names", "[format][xml][security]") {
  TempDir dir;
  const auto error =
      read_error(dir, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<r>&xxe;</r>\n");
  CHECK(std::string(error.what()).find("declares entities") != std::string::npos);
  CHECK(std::string(error.what()).find("root:") == std::string::npos);

  // A DOCTYPE without entity declarations is skipped: its external DTD is never fetched.
  CHECK(read_xml(dir, "dtd.xml", "<!DOCTYPE r SYSTEM \"file:///etc/passwd\">\n<r>x</r>") == Value{{"r", "x"}});
  // An undeclared reference stays literal text rather than being resolved from anywhere.
  CHECK(read_xml(dir, "ref.xml", "<r>&xxe;&amp;&#65;</r>") == Value{{"r", "&xxe;&A"}});
}

TEST_CASE("nesting deeper than the host allows is a read error, not a crash", "[format][xml][errors]") {
  TempDir dir;
  std::string doc;
  for (int i = 0; i < 5000; ++i) doc += "<a>";
  doc += "x";
  for (int i = 0; i < 5000; ++i) doc += "</a>";
  spit(dir / "deep.xml", doc);
  CHECK_THROWS_AS(SafeFile(dir / "deep.xml").read(), atomicio::FileReadError);
}
