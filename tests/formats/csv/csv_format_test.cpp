// format.csv and format.tsv through SafeFile: the record mapping (values read back as strings),
// the exact bytes written (header union, quoting, CRLF), what the reader accepts (BOM, LF/CRLF,
// multi-line quoted fields, blank lines) and the errors it gives with their lines, and values
// that cannot be written leaving the old file as it was.
#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <string>

using atomicio::FileReadError;
using atomicio::FileWriteError;
using atomicio::SafeFile;
using atomicio::Value;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

Value records(const char* json) { return Value::parse(json); }

// Reads `content` as `name` and returns the FileReadError it must raise.
FileReadError read_error(const std::string& name, const std::string& content) {
  TempDir dir;
  spit(dir / name, content);
  try {
    (void)SafeFile(dir / name).read();
  } catch (const FileReadError& error) {
    return error;
  }
  FAIL("reading " << name << " did not throw FileReadError");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("CSV records with awkward strings round-trip exactly", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "people.csv");
  Value doc = records(R"([
    {"name": "Smith, John", "quote": "she said \"hi\"", "lines": "one\ntwo\r\nthree\rfour", "empty": ""},
    {"name": "caf\u00e9 \u2713 \u65e5\u672c", "quote": "\"", "lines": "", "empty": ""},
    {"name": "", "quote": ",", "lines": "\n", "empty": " padded "}])");
  file.write(doc);
  CHECK(file.read().value() == doc);
}

TEST_CASE("scalars are written to CSV as text and read back as strings", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "n.csv");
  file.write(records(R"([{"i": 1, "f": 2.5, "t": true, "b": false, "n": null, "neg": -7, "small": 0.1, "e": 1e300}])"));
  CHECK(slurp(dir / "n.csv") == "i,f,t,b,n,neg,small,e\r\n1,2.5,true,false,,-7,0.1,1e+300\r\n");
  CHECK(file.read().value() ==
        records(R"([{"i": "1", "f": "2.5", "t": "true", "b": "false", "n": "", "neg": "-7", "small": "0.1", "e": "1e+300"}])"));

  file.write(Value::array({Value{{"max", std::numeric_limits<std::uint64_t>::max()},
                                 {"min", std::numeric_limits<std::int64_t>::min()}}}));
  CHECK(file.read().value() == records(R"([{"max": "18446744073709551615", "min": "-9223372036854775808"}])"));
}

TEST_CASE("the CSV header is the union of keys in first-seen order and missing keys are empty", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "u.csv");
  file.write(records(R"([{"b": "1", "a": "2"}, {"c": "3", "a": "4"}, {}, {"d": "5", "b": "6"}])"));
  CHECK(slurp(dir / "u.csv") == "b,a,c,d\r\n1,2,,\r\n,4,3,\r\n,,,\r\n6,,,5\r\n");
  Value back = file.read().value();
  REQUIRE(back.size() == 4);
  CHECK(back[1] == records(R"({"b": "", "a": "4", "c": "3", "d": ""})"));
  std::string order;
  for (const auto& item : back[0].items()) order += item.key();
  CHECK(order == "bacd");
}

TEST_CASE("CSV fields are quoted only when they must be and rows end in CRLF", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "q.csv");
  file.write(records(R"([{"plain": "a b", "comma": "x,y", "quote": "5'10\"", "nl": "l1\nl2", "cr": "c\r"}])"));
  CHECK(slurp(dir / "q.csv") ==
        "plain,comma,quote,nl,cr\r\na b,\"x,y\",\"5'10\"\"\",\"l1\nl2\",\"c\r\"\r\n");
}

TEST_CASE("a single empty CSV column is written as a quoted empty field so the row survives", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "one.csv");
  Value doc = records(R"([{"only": ""}, {"only": "x"}, {"only": null}])");
  file.write(doc);
  CHECK(slurp(dir / "one.csv") == "only\r\n\"\"\r\nx\r\n\"\"\r\n");
  CHECK(file.read().value() == records(R"([{"only": ""}, {"only": "x"}, {"only": ""}])"));
}

TEST_CASE("an empty array writes an empty CSV file and an empty CSV file reads as an empty array", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "e.csv");
  file.write(Value::array());
  CHECK(slurp(dir / "e.csv").empty());
  CHECK(file.read().value() == Value::array());

  spit(dir / "header_only.csv", "a,b\r\n");
  CHECK(SafeFile(dir / "header_only.csv").read().value() == Value::array());
  spit(dir / "blank.csv", "\r\n\n");
  CHECK(SafeFile(dir / "blank.csv").read().value() == Value::array());
}

TEST_CASE("LF, CRLF and lone CR line ends and a leading BOM read the same CSV records", "[format][csv]") {
  TempDir dir;
  const Value expected = records(R"([{"a": "1", "b": "x\r\ny"}, {"a": "2", "b": ""}])");
  spit(dir / "crlf.csv", "a,b\r\n1,\"x\r\ny\"\r\n2,\r\n");
  spit(dir / "lf.csv", "a,b\n1,\"x\r\ny\"\n2,");
  spit(dir / "cr.csv", "a,b\r1,\"x\r\ny\"\r2,\r");
  spit(dir / "bom.csv", "\xEF\xBB\xBF" "a,b\r\n1,\"x\r\ny\"\r\n2,\r\n");
  for (const char* name : {"crlf.csv", "lf.csv", "cr.csv", "bom.csv"}) {
    INFO(name);
    CHECK(SafeFile(dir / name).read().value() == expected);
  }
}

TEST_CASE("empty lines between CSV records are skipped", "[format][csv]") {
  TempDir dir;
  spit(dir / "gaps.csv", "\na,b\n\n1,2\r\n\r\n3,4\n\n");
  CHECK(SafeFile(dir / "gaps.csv").read().value() == records(R"([{"a": "1", "b": "2"}, {"a": "3", "b": "4"}])"));
}

TEST_CASE("a ragged CSV row is a read error at the line where its record starts", "[format][csv]") {
  FileReadError fewer = read_error("r.csv", "a,b,c\n1,2,3\n4,5\n");
  CHECK(fewer.line() == 3);
  CHECK_THAT(fewer.what(), Catch::Contains("2 fields but the header has 3"));
  CHECK_THAT(fewer.what(), Catch::Contains("format.csv"));

  CHECK(read_error("r.csv", "a,b\r\n1,2\r\n1,2,3\r\n").line() == 3);

  // Line 2 holds a field spanning lines 2-4, so the ragged record after it starts on line 5.
  FileReadError after = read_error("r.csv", "a,b\n\"x\ny\nz\",2\n1\n");
  CHECK(after.line() == 5);
  CHECK(after.column() == 1);
}

TEST_CASE("a ragged CSV record containing a multi-line field is reported at its first line", "[format][csv]") {
  CHECK(read_error("r.csv", "a,b\n1,2\n3,\"multi\nline\",extra\n").line() == 3);
}

TEST_CASE("an unterminated quoted CSV field is a read error at its opening quote", "[format][csv]") {
  FileReadError error = read_error("u.csv", "a,b\n1,2\n3,\"never\nclosed,4\n");
  CHECK(error.line() == 3);
  CHECK(error.column() == 3);
  CHECK_THAT(error.what(), Catch::Contains("unterminated quoted field"));
}

TEST_CASE("text after a closing quote in CSV is a read error", "[format][csv]") {
  FileReadError error = read_error("t.csv", "a,b\n\"ab\"cd,1\n");
  CHECK(error.line() == 2);
  CHECK(error.column() == 5);
}

TEST_CASE("duplicate CSV header names are a read error", "[format][csv]") {
  FileReadError error = read_error("d.csv", "id,name,id\n1,2,3\n");
  CHECK(error.line() == 1);
  CHECK_THAT(error.what(), Catch::Contains("duplicate column name \"id\""));
}

TEST_CASE("a quote inside an unquoted CSV field is kept literally", "[format][csv]") {
  TempDir dir;
  spit(dir / "h.csv", "height,name\n5'10\",O\"Brien\n");
  CHECK(SafeFile(dir / "h.csv").read().value() == records(R"([{"height": "5'10\"", "name": "O\"Brien"}])"));
}

TEST_CASE("a nested value is a CSV write error naming the record and column and keeps the old file",
          "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "keep.csv");
  file.write(records(R"([{"a": "old"}])"));
  const std::string before = slurp(dir / "keep.csv");

  try {
    file.write(records(R"([{"a": "1"}, {"a": "2", "tags": ["x", "y"]}])"));
    FAIL("writing a nested array did not throw");
  } catch (const FileWriteError& error) {
    CHECK_THAT(error.what(), Catch::Contains("record 1, column \"tags\" holds an array"));
  }
  CHECK_THROWS_AS(file.write(records(R"([{"a": {"b": 1}}])")), FileWriteError);
  CHECK(slurp(dir / "keep.csv") == before);
  CHECK(dir.entries() == std::vector<std::string>{"keep.csv", "keep.csv.lock"});
}

TEST_CASE("a document that is not an array of objects is a CSV write error", "[format][csv]") {
  TempDir dir;
  SafeFile file(dir / "bad.csv");
  CHECK_THROWS_WITH(file.write(records(R"({"a": 1})")), Catch::Contains("not an object"));
  CHECK_THROWS_WITH(file.write(records(R"("text")")), Catch::Contains("not a string"));
  CHECK_THROWS_WITH(file.write(records(R"([{"a": 1}, 2])")), Catch::Contains("record 1 is a number"));
  CHECK_THROWS_WITH(file.write(records(R"([{}, {}])")), Catch::Contains("at least one column"));
  CHECK_THROWS_AS(file.write(records("[[1, 2]]")), FileWriteError);
  CHECK_FALSE(std::filesystem::exists(dir / "bad.csv"));
}

TEST_CASE("a .tsv file is tab-delimited with the same quoting rules", "[format][csv][tsv]") {
  TempDir dir;
  SafeFile file(dir / "t.tsv");
  Value doc = records(R"([{"name": "a,b", "note": "tab\there"}, {"name": "x", "note": ""}])");
  file.write(doc);
  CHECK(slurp(dir / "t.tsv") == "name\tnote\r\na,b\t\"tab\there\"\r\nx\t\r\n");
  CHECK(file.read().value() == doc);

  spit(dir / "r.tsv", "a\tb\n1\t2\t3\n");
  CHECK_THROWS_AS(SafeFile(dir / "r.tsv").read(), FileReadError);
}
