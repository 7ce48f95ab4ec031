// Reading and writing a document of a few MB in each plugin format (json, yaml, toml, csv, xml)
// through atomicio, next to the format's library called directly (bench/direct/) on the same
// bytes and the same Value. Rows, per format F (see README.md for what each side does):
//
//   Read/F/LibraryParse         library parse of the bytes into its own document (from memory)
//   Read/F/LibraryToValue       the same, then a walk of that document building a Value
//   Read/F/ParseAs              atomicio::parse_as: the plugin, through the C ABI, into a Value
//   Read/F/SlurpLibraryToValue  std::ifstream into a string + LibraryToValue
//   Read/F/SafeFileRead         SafeFile::read: shared lock, read, plugin, Value
//   Write/F/LibraryEmit         the library serializes its own (prepared) document to a string
//   Write/F/ValueToLibraryEmit  a walk of the Value into the library, which serializes it
//   Write/F/DumpAs              atomicio::dump_as: the plugin walks the Value through the C ABI
//   Write/F/BareReplace         ValueToLibraryEmit + write a temp file + rename, no fsync
//   Write/F/SafeFileWrite       SafeFile::write with Durability::process_crash_only: lock,
//                               plugin, commit without fsync
//
// and Read/F/Interleaved, Write/F/Interleaved, which run the five in every iteration in rotating
// order and report each one's median and the medians of the per-iteration ratios (the rows the
// README's tables come from; see atomicio::bench::Interleaved). The fixture file of each format
// is written once by SafeFile, so both sides read the same bytes. Everything is timed in CPU
// time: reads hit the page cache and writes skip fsync, so all of it is CPU work, and CPU time
// is what the other jobs on this shared machine disturb least.
#include "bench_support.hpp"
#include "compared_rows.hpp"
#include "direct/direct_format.hpp"
#include "sample_document.hpp"

#include <atomicio/formats.hpp>
#include <atomicio/safe_file.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using atomicio::Value;
using atomicio::bench::Operation;
using atomicio::bench::slurp;

// One format: its file name, the document in the shape the format can hold, and its library.
struct FormatCase {
  std::string name;
  std::string file_name;
  Value (*document)();
  bool reads_as_text;  // CSV and XML have no types: every scalar reads back as a string
  std::unique_ptr<atomicio::bench::DirectFormat> (*direct)();
  int iterations;  // of each separate row
  int rounds;      // of the interleaved rows, each running all five operations
};

// Record counts chosen so that each file is about 4 MB.
Value json_document() { return atomicio::bench::sample_records(8000); }
Value yaml_document() { return atomicio::bench::sample_records(11000); }
Value toml_document() { return Value{{"records", atomicio::bench::sample_records(11000)}}; }

Value csv_document() {
  Value records = Value::array();
  for (int i = 0; i < 22000; ++i) records.push_back(atomicio::bench::flattened(atomicio::bench::sample_record(i)));
  return records;
}

// The record with its id and active flag as attributes, and its arrays as repeated elements
// (<tag>, <h>). A one-element array is written as the plain element, since it reads back so.
Value xml_record(const Value& record) {
  Value element = Value::object();
  element["@attributes"] = {{"id", record["id"]}, {"active", record["active"]}};
  for (const auto& [key, member] : record.items()) {
    if (key == "id" || key == "active") continue;
    if (key == "tags")
      element[key] = {{"tag", member.size() == 1 ? member[0] : member}};
    else if (key == "history")
      element[key] = {{"h", member}};
    else
      element[key] = member;
  }
  return element;
}

Value xml_document() {
  Value records = Value::array();
  for (int i = 0; i < 7500; ++i) records.push_back(xml_record(atomicio::bench::sample_record(i)));
  return Value{{"records", {{"record", std::move(records)}}}};
}

// What every row of one format works on, made once (untimed) on first use.
struct Fixture {
  Value document;
  Value expected;  // what reading the file must give
  std::filesystem::path file;
  std::string bytes;  // the file's content
  std::unique_ptr<atomicio::bench::DirectFormat> direct;
};

Fixture& fixture(const FormatCase& format) {
  static std::map<std::string, Fixture> fixtures;
  auto [slot, added] = fixtures.try_emplace(format.name);
  Fixture& f = slot->second;
  if (!added) return f;
  f.document = format.document();
  f.expected = format.reads_as_text ? atomicio::bench::scalars_as_text(f.document) : f.document;
  f.file = atomicio::bench::fresh_dir("fixture-" + format.name) / format.file_name;
  atomicio::SafeFile(f.file).write(f.document);
  f.bytes = atomicio::bench::slurp(f.file);
  f.direct = format.direct();
  f.direct->prepare_native(f.document);
  return f;
}

// Each operation keeps its own result, so that every one is checked.
std::vector<Operation> read_operations(const FormatCase& format, Fixture& f) {
  auto reading = [&f](const char* name, auto read) {
    auto value = std::make_shared<Value>();
    return Operation{name, [value, read] { *value = read(); }, "same_document",
                     [value, &f] { return *value == f.expected; }};
  };
  auto file = std::make_shared<atomicio::SafeFile>(f.file);
  return {
      {"LibraryParse", [&f] { f.direct->parse_native(f.bytes); }},  // nothing to compare: the library's own document
      reading("LibraryToValue", [&f] { return f.direct->parse_to_value(f.bytes); }),
      reading("ParseAs", [&f, &format] { return atomicio::parse_as(format.file_name, f.bytes); }),
      reading("SlurpLibraryToValue", [&f] { return f.direct->parse_to_value(slurp(f.file)); }),
      reading("SafeFileRead", [file] { return file->read().value(); }),
  };
}

std::vector<Operation> write_operations(const FormatCase& format, Fixture& f) {
  // The check of every write: the output reads back through the plugin as the document.
  auto reads_back = [&f, &format](const std::string& text) {
    return atomicio::parse_as(format.file_name, text) == f.expected;
  };
  auto emitting = [reads_back](const char* name, auto emit) {
    auto text = std::make_shared<std::string>();
    return Operation{name, [text, emit] { *text = emit(); }, "reads_back_same",
                     [text, reads_back] { return reads_back(*text); }};
  };
  auto bare = std::make_shared<atomicio::bench::OpenDirectory>("bare-" + format.name);
  auto target = atomicio::bench::fresh_dir("safefile-" + format.name) / format.file_name;
  auto file =
      std::make_shared<atomicio::SafeFile>(target, atomicio::Timeout::infinite(), atomicio::bench::without_fsync());
  return {
      emitting("LibraryEmit", [&f] { return f.direct->emit_native(); }),
      emitting("ValueToLibraryEmit", [&f] { return f.direct->emit_from_value(f.document); }),
      emitting("DumpAs", [&f, &format] { return atomicio::dump_as(format.file_name, f.document); }),
      {"BareReplace",
       [bare, &f, &format] {
         atomicio::bench::replace_without_fsync(bare->fd(), format.file_name, f.direct->emit_from_value(f.document));
       },
       "reads_back_same", [bare, reads_back, &format] { return reads_back(slurp(bare->path() / format.file_name)); }},
      {"SafeFileWrite", [file, &f] { file->write(f.document); }, "same_bytes_as_dump_as",
       [target, &f, &format] { return slurp(target) == atomicio::dump_as(format.file_name, f.document); }},
  };
}

// Iterations keep each row near a second (yaml-cpp reads about 6 MB/s here), each interleaved
// row (five operations per round) a few seconds.
const FormatCase kFormats[] = {
    {"json", "data.json", json_document, false, atomicio::bench::make_json_direct, 10, 10},
    {"yaml", "data.yaml", yaml_document, false, atomicio::bench::make_yaml_direct, 3, 4},
    {"toml", "data.toml", toml_document, false, atomicio::bench::make_toml_direct, 5, 6},
    {"csv", "data.csv", csv_document, true, atomicio::bench::make_csv_direct, 10, 10},
    {"xml", "data.xml", xml_document, true, atomicio::bench::make_xml_direct, 10, 10},
};

[[maybe_unused]] const bool kRegistered = [] {
  for (const FormatCase& format : kFormats) {
    auto bytes = [&format] { return static_cast<std::int64_t>(fixture(format).bytes.size()); };
    atomicio::bench::register_group(
        {"Read/" + format.name + "/",
         {"LibraryParse", "LibraryToValue", "ParseAs", "SlurpLibraryToValue", "SafeFileRead"},
         [&format] { return read_operations(format, fixture(format)); },
         bytes,
         format.iterations,
         format.rounds,
         {{"ParseAs", "LibraryToValue"}, {"SafeFileRead", "SlurpLibraryToValue"}, {"ParseAs", "LibraryParse"}}});
    atomicio::bench::register_group(
        {"Write/" + format.name + "/",
         {"LibraryEmit", "ValueToLibraryEmit", "DumpAs", "BareReplace", "SafeFileWrite"},
         [&format] { return write_operations(format, fixture(format)); },
         bytes,
         format.iterations,
         format.rounds,
         {{"DumpAs", "ValueToLibraryEmit"}, {"SafeFileWrite", "BareReplace"}, {"DumpAs", "LibraryEmit"}}});
  }
  return true;
}();

}  // namespace
