// format.xml against another implementation: Debian's Python (/usr/bin/python3, run explicitly
// so a developer's own python cannot change the outcome) parses what atomicio writes with
// xml.etree.ElementTree, and atomicio reads a document ElementTree wrote.
#include <atomicio/safe_file.hpp>

#include "support/python.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::python_json;
using atomicio::test::run_python;
using atomicio::test::TempDir;

namespace {

// Prints the tree ElementTree parsed from argv[1] as JSON: each element's tag, attributes, its
// own text (stripped when it has children, since that text is indentation) and children.
constexpr const char* kDumpTree = R"(
import json, sys, xml.etree.ElementTree as ET
def convert(element):
    text = element.text or ""
    return {"tag": element.tag, "attrib": element.attrib,
            "text": text.strip() if len(element) else text,
            "children": [convert(child) for child in element]}
print(json.dumps(convert(ET.parse(sys.argv[1]).getroot())))
)";

// Writes a document with ElementTree to argv[1], declaration included.
constexpr const char* kWriteTree = R"(
import sys, xml.etree.ElementTree as ET
root = ET.Element("config", {"version": "2", "owner": "J\u00fcrgen & <Co> \"q\""})
db = ET.SubElement(root, "database")
ET.SubElement(db, "host").text = "db.example"
ET.SubElement(db, "port").text = "5432"
features = ET.SubElement(root, "features")
for name, state in (("auth", "enabled"), ("cache", "disabled"), ("\u65e5\u672c", "on")):
    ET.SubElement(features, "feature", {"name": name}).text = state
ET.SubElement(root, "empty")
ET.SubElement(root, "escaped").text = "a < b & c > d 'single' \"double\""
with open(sys.argv[1], "wb") as out:
    out.write(ET.tostring(root, encoding="UTF-8", xml_declaration=True))
)";

}  // namespace

TEST_CASE("Python's ElementTree reads what atomicio writes", "[format][xml][interop]") {
  TempDir dir;
  SafeFile(dir / "out.xml")
      .write(Value::parse(R"({"catalog": {
        "@attributes": {"version": "1.0", "title": "Caf\u00e9 <&> \"quotes\" 'apos'"},
        "item": [
          {"@attributes": {"id": 1}, "#text": "first & foremost"},
          {"@attributes": {"id": 2}, "#text": "\u65e5\u672c\u8a9e"}
        ],
        "count": 2,
        "enabled": true,
        "nothing": null,
        "nested": {"deep": {"leaf": "<tag>"}}
      }})"));
  CHECK(python_json(kDumpTree, {(dir / "out.xml").string()}) == Value::parse(R"({
    "tag": "catalog", "attrib": {"version": "1.0", "title": "Caf\u00e9 <&> \"quotes\" 'apos'"}, "text": "",
    "children": [
      {"tag": "item", "attrib": {"id": "1"}, "text": "first & foremost", "children": []},
      {"tag": "item", "attrib": {"id": "2"}, "text": "\u65e5\u672c\u8a9e", "children": []},
      {"tag": "count", "attrib": {}, "text": "2", "children": []},
      {"tag": "enabled", "attrib": {}, "text": "true", "children": []},
      {"tag": "nothing", "attrib": {}, "text": "", "children": []},
      {"tag": "nested", "attrib": {}, "text": "", "children": [
        {"tag": "deep", "attrib": {}, "text": "", "children": [
          {"tag": "leaf", "attrib": {}, "text": "<tag>", "children": []}]}]}
    ]})"));
}

TEST_CASE("atomicio reads what Python's ElementTree writes", "[format][xml][interop]") {
  TempDir dir;
  run_python(kWriteTree, {(dir / "in.xml").string()});
  CHECK(SafeFile(dir / "in.xml").read().value() == Value::parse(R"({"config": {
    "@attributes": {"version": "2", "owner": "J\u00fcrgen & <Co> \"q\""},
    "database": {"host": "db.example", "port": "5432"},
    "features": {"feature": [
      {"@attributes": {"name": "auth"}, "#text": "enabled"},
      {"@attributes": {"name": "cache"}, "#text": "disabled"},
      {"@attributes": {"name": "\u65e5\u672c"}, "#text": "on"}
    ]},
    "empty": null,
    "escaped": "a < b & c > d 'single' \"double\""
  }})"));
}
