// format.csv against other implementations: Debian's Python csv module (DictReader reads what we
// write, DictWriter writes what we read) and the fast-cpp-csv-parser fast path in
// plugins/format/csv/fixed_columns.hpp, which must agree with the generic reader on the files
// it accepts.
#include <atomicio/safe_file.hpp>

#include "support/python.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#ifdef ATOMICIO_TEST_HAVE_FCCP
#include "fixed_columns.hpp"
#endif

#include <string>

using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::python_json;
using atomicio::test::run_python;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

// Prints {"fields": [...], "rows": [...]} for the CSV file argv[1], read by csv.DictReader with
// the delimiter argv[2].
constexpr const char* kPythonReader = R"(
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    reader = csv.DictReader(f, delimiter=sys.argv[2])
    rows = list(reader)
    print(json.dumps({"fields": reader.fieldnames, "rows": rows}))
)";

// Writes the records given as JSON on stdin (all values strings) to argv[1] with csv.DictWriter.
constexpr const char* kPythonWriter = R"(
import csv, json, sys
records = json.load(sys.stdin)
with open(sys.argv[1], 'w', newline='', encoding='utf-8') as f:
    writer = csv.DictWriter(f, fieldnames=list(records[0].keys()))
    writer.writeheader()
    writer.writerows(records)
)";

Value python_reads(const std::filesystem::path& path, const std::string& delimiter) {
  return python_json(kPythonReader, {path.string(), delimiter});
}

}  // namespace

TEST_CASE("Python's csv.DictReader reads atomicio's CSV as the same records", "[format][csv][interop]") {
  TempDir dir;
  SafeFile file(dir / "out.csv");
  file.write(Value::parse(R"([
    {"id": 1, "name": "Smith, John", "note": "line one\nline two", "ok": true},
    {"id": 2.5, "name": "caf\u00e9 \"quoted\"", "note": "", "ok": null},
    {"name": "\r\n", "id": -3, "extra": "only here"}])"));
  Value seen = python_reads(dir / "out.csv", ",");
  CHECK(seen["fields"] == Value::parse(R"(["id", "name", "note", "ok", "extra"])"));
  CHECK(seen["rows"] == Value::parse(R"([
    {"id": "1", "name": "Smith, John", "note": "line one\nline two", "ok": "true", "extra": ""},
    {"id": "2.5", "name": "caf\u00e9 \"quoted\"", "note": "", "ok": "", "extra": ""},
    {"id": "-3", "name": "\r\n", "note": "", "ok": "", "extra": "only here"}])"));
  CHECK(seen["rows"] == file.read().value());
}

TEST_CASE("Python's csv.DictReader reads atomicio's TSV with a tab delimiter", "[format][csv][tsv][interop]") {
  TempDir dir;
  SafeFile file(dir / "out.tsv");
  Value doc = Value::parse(R"([{"a": "x\ty", "b": "1,2"}, {"a": "", "b": "q\"q"}])");
  file.write(doc);
  CHECK(python_reads(dir / "out.tsv", "\t")["rows"] == doc);
}

TEST_CASE("atomicio reads a file written by Python's csv.DictWriter", "[format][csv][interop]") {
  TempDir dir;
  const Value doc = Value::parse(R"([
    {"city": "Z\u00fcrich", "motto": "multi\nline\r\nfield", "quote": "\"", "blank": ""},
    {"city": "a,b", "motto": " leading space", "quote": "x\"\"y", "blank": ""},
    {"city": "", "motto": "", "quote": "", "blank": ""}])");
  run_python(kPythonWriter, {(dir / "py.csv").string()}, doc.dump());
  CHECK(SafeFile(dir / "py.csv").read().value() == doc);
}

#ifdef ATOMICIO_TEST_HAVE_FCCP

TEST_CASE("the fccp fast path agrees with the generic reader on a fixed-column file", "[format][csv][fccp]") {
  TempDir dir;
  Value doc = Value::array();
  for (int i = 0; i < 200; ++i) {
    doc.push_back({{"id", i},
                   {"name", i % 3 == 0 ? "with, comma" : "plain " + std::to_string(i)},
                   {"note", i % 5 == 0 ? "say \"hi\"" : i % 7 == 0 ? "" : "caf\xc3\xa9"}});
  }
  SafeFile file(dir / "fixed.csv");
  file.write(doc);
  const Value generic = file.read().value();

  // Asking for the columns in another order than the file's exercises fccp's header mapping.
  const auto rows = atomicio::csv::read_fixed_columns<3>((dir / "fixed.csv").string(), {"note", "id", "name"});
  REQUIRE(rows.size() == generic.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("record " << i);
    CHECK(rows[i][0] == generic[i]["note"].get<std::string>());
    CHECK(rows[i][1] == generic[i]["id"].get<std::string>());
    CHECK(rows[i][2] == generic[i]["name"].get<std::string>());
  }
}

TEST_CASE("the fccp fast path agrees on LF, BOM and TSV input too", "[format][csv][fccp]") {
  TempDir dir;
  spit(dir / "lf.csv", "\xEF\xBB\xBF" "k,v\nx,\"1,2\"\n\ny,\n");
  auto rows = atomicio::csv::read_fixed_columns<2>((dir / "lf.csv").string(), {"k", "v"});
  Value generic = SafeFile(dir / "lf.csv").read().value();
  REQUIRE(rows.size() == 2);
  REQUIRE(generic.size() == 2);
  CHECK(generic[0] == Value{{"k", rows[0][0]}, {"v", rows[0][1]}});
  CHECK(generic[1] == Value{{"k", rows[1][0]}, {"v", rows[1][1]}});

  SafeFile tsv(dir / "t.tsv");
  tsv.write(Value::parse(R"([{"a": "x\ty", "b": ""}, {"a": "\t", "b": "\t"}])"));
  auto tsv_rows = atomicio::csv::read_fixed_columns<2, '\t'>((dir / "t.tsv").string(), {"a", "b"});
  REQUIRE(tsv_rows.size() == 2);
  CHECK(tsv_rows[0] == std::array<std::string, 2>{"x\ty", ""});
  CHECK(tsv_rows[1] == std::array<std::string, 2>{"\t", "\t"});
}

TEST_CASE("the fccp fast path rejects a quoted line break that the generic reader accepts", "[format][csv][fccp]") {
  TempDir dir;
  spit(dir / "multi.csv", "a,b\n1,\"two\nlines\"\n");
  CHECK(SafeFile(dir / "multi.csv").read().value() == Value::parse(R"([{"a": "1", "b": "two\nlines"}])"));
  CHECK_THROWS_AS(atomicio::csv::read_fixed_columns<2>((dir / "multi.csv").string(), {"a", "b"}),
                  io::error::escaped_string_not_closed);
}

#endif
