// cat, write, update, append, convert: one SafeFile operation each, so each is one atomic commit under
// the file's lock and other processes using atomicio on the same file see old or new, never a mix.
#include "commands.hpp"

#include "exit_codes.hpp"
#include "json_input.hpp"
#include "std_streams.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

namespace atomicio::cli {

namespace {

struct FileArguments {
  std::string path;
  std::string text;  // update's JSON, append's TEXT
  bool raw = false;
  std::uint64_t max_size = FileOptions{}.max_decoded_size;  // cat's and update's read
};

FileOptions reading_at_most(std::uint64_t max_size) {
  FileOptions options;
  options.max_decoded_size = max_size;
  return options;
}

int cat_file(const std::string& path, std::uint64_t max_size) {
  std::optional<Value> value = SafeFile(path, Timeout::infinite(), reading_at_most(max_size)).read();
  if (!value) throw FileReadError("read", path, "", std::make_error_code(std::errc::no_such_file_or_directory));
  std::string text;
  try {
    text = value->dump(2) + "\n";
  } catch (const Value::type_error& error) {  // a text file holding bytes that are not UTF-8
    throw FileReadError("show", path, std::string("cannot print as JSON: ") + error.what());
  }
  write_stdout(text);
  return kExitSuccess;
}

int write_file(const std::string& path, bool raw) {
  // All of stdin before touching the file: a writer that fails half-way must change nothing.
  const std::string input = read_all_stdin();
  SafeFile file(path);
  if (raw) file.write_bytes(input);
  else file.write(parse_json_input(input, "stdin"));
  // Durability::full (the default) means write() returned only after the commit was fsynced.
  return kExitSuccess;
}

int update_file(const std::string& path, const std::string& json, std::uint64_t max_size) {
  SafeFile(path, Timeout::infinite(), reading_at_most(max_size)).update(parse_json_input(json, "the JSON argument"));
  return kExitSuccess;
}

struct ConvertArguments {
  std::string source;
  std::string destination;
  int level = -1;
  std::uint64_t max_size = FileOptions{}.max_decoded_size;  // SRC's read
};

int convert_file(const ConvertArguments& arguments) {
  std::optional<Value> value =
      SafeFile(arguments.source, Timeout::infinite(), reading_at_most(arguments.max_size)).read();
  if (!value)
    throw FileReadError("read", arguments.source, "", std::make_error_code(std::errc::no_such_file_or_directory));
  FileOptions options;
  options.compression_level = arguments.level;
  SafeFile(arguments.destination, Timeout::infinite(), options).write(*value);
  return kExitSuccess;
}

int append_file(const std::string& path, const std::string& text) {
  SafeFile(path).append(text);
  return kExitSuccess;
}

CLI::App* add_verb(CLI::App& app, const char* name, const char* description, const char* details,
                   FileArguments& arguments) {
  CLI::App* verb = app.add_subcommand(name, description);
  verb->footer(details);
  verb->add_option("PATH", arguments.path, "The file; its extension picks the format (see 'atomicio formats')")
      ->required();
  return verb;
}

}  // namespace

void add_max_size_option(CLI::App& verb, std::uint64_t& bytes) {
  verb.add_option("--max-size", bytes,
                  "Refuse (exit 1) content larger than SIZE bytes once decompressed, before holding more "
                  "than that in memory; suffixes K, M, G, T are powers of 1024. Default: 256M")
      ->type_name("SIZE")
      ->envname("ATOMICIO_MAX_SIZE")
      ->transform(CLI::AsSizeValue(false).description(""));  // the help above says it shorter
}

void add_file_commands(CLI::App& app, Commands& commands) {
  auto cat = std::make_shared<FileArguments>();
  CLI::App* cat_verb = add_verb(app, "cat", "Print PATH's value as JSON",
                                "Reads under PATH's shared lock and prints the value with 2-space indent.\n"
                                "A missing file is an error.",
                                *cat);
  add_max_size_option(*cat_verb, cat->max_size);
  commands.push_back({cat_verb, [cat] { return cat_file(cat->path, cat->max_size); }});

  auto write = std::make_shared<FileArguments>();
  CLI::App* write_verb = add_verb(app, "write", "Replace PATH with the JSON document on stdin (or its bytes: --raw)",
                                  "Reads all of stdin, then replaces PATH in one atomic commit under its exclusive\n"
                                  "lock, written in PATH's format. Exits 0 only once the new content is durable.\n"
                                  "Example: curl -s $URL | atomicio write --raw page.html",
                                  *write);
  write_verb->add_flag("--raw", write->raw, "Write stdin's bytes as they are, any extension (an atomic sponge)");
  commands.push_back({write_verb, [write] { return write_file(write->path, write->raw); }});

  auto update = std::make_shared<FileArguments>();
  CLI::App* update_verb = add_verb(app, "update", "Merge a JSON document into PATH's value",
                                   "Under PATH's exclusive lock: objects are merged key by key, arrays appended to,\n"
                                   "anything else replaced; a missing file starts as JSON.\n"
                                   "Example: atomicio update config.json '{\"retries\": 3}'",
                                   *update);
  update_verb->add_option("JSON", update->text, "The JSON document to merge")->required();
  add_max_size_option(*update_verb, update->max_size);
  commands.push_back({update_verb, [update] { return update_file(update->path, update->text, update->max_size); }});

  auto append = std::make_shared<FileArguments>();
  CLI::App* append_verb = add_verb(app, "append", "Add TEXT at the end of PATH as one atomic commit",
                                   "The old content plus TEXT is committed at once under PATH's exclusive lock;\n"
                                   "PATH is created if missing. No newline is added.\n"
                                   "Example: atomicio append log.txt \"$(date) done\"$'\\n'",
                                   *append);
  append_verb->add_option("TEXT", append->text, "The text, appended exactly as given")->required();
  commands.push_back({append_verb, [append] { return append_file(append->path, append->text); }});

  auto convert = std::make_shared<ConvertArguments>();
  CLI::App* convert_verb = app.add_subcommand("convert", "Write SRC's value to DST in DST's format");
  convert_verb->footer(
      "Reads SRC under its shared lock and replaces DST in one atomic commit under DST's exclusive\n"
      "lock. Formats and compression follow each name (see 'atomicio formats'). When DST's format\n"
      "cannot hold the value (TOML needs a table at the top, CSV a list of flat records), DST is\n"
      "left untouched and the error says why.\n"
      "Example: atomicio convert settings.yaml settings.toml.xz");
  convert_verb->add_option("SRC", convert->source, "The file to read")->required();
  convert_verb->add_option("DST", convert->destination, "The file to write")->required();
  convert_verb->add_option("--level", convert->level, "Compression level for DST's codecs (gzip/bzip2 1-9, xz 0-9)")
      ->type_name("N");
  add_max_size_option(*convert_verb, convert->max_size);
  commands.push_back({convert_verb, [convert] { return convert_file(*convert); }});
}

}  // namespace atomicio::cli
