// The libFuzzer harness every fuzz program shares: it reads the input as the file kTarget names
// (parse_as, the same plugin path a real read takes, minus the file), writes what it read back
// out (dump_as) and, as far as the format promises, checks that reading that gives the same
// value again. Expected failures are typed errors naming the file; anything else is a finding:
// a crash or sanitizer report in the core or a plugin, an exception of another type (libFuzzer
// reports it as an abort), or a broken round trip, reported here with abort().
#include "fuzz_target.hpp"
#include "same_value.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/plugin_host.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

using atomicio::Value;
using atomicio::fuzz::kTarget;
using atomicio::fuzz::RoundTrip;

// One host for the whole run: plugins load on the first input and stay loaded, as in a real
// process. Only the build's plugin directory is searched, never the environment or an install.
atomicio::PluginHost& plugins() {
  static atomicio::PluginHost host(atomicio::PluginHostOptions{{kTarget.plugin_dir}, false, false});
  return host;
}

std::string shortened(std::string text) {
  if (text.size() > 2000) text = text.substr(0, 2000) + "...";
  return text;
}

// As JSON with every non-ASCII character escaped, so that the report itself is readable.
std::string shown_value(const Value& value) {
  return shortened(value.dump(-1, ' ', true, Value::error_handler_t::replace));
}

// Bytes as a C string literal would spell them.
std::string shown_bytes(std::string_view bytes) {
  std::string text;
  for (char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    if (c == '\\' || c == '"') {
      text += '\\';
      text += static_cast<char>(c);
    } else if (c == '\n') {
      text += "\\n";
    } else if (c >= 0x20 && c < 0x7f) {
      text += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      text += escaped;
    }
  }
  return shortened("\"" + text + "\"");
}

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "\nFUZZ FINDING (%s): %s\n", kTarget.file_name, what.c_str());
  std::abort();
}

// A failure of `step` must be its own error type, name the data, and say something.
template <class ExpectedError, class Step>
auto attempt(const char* step, Step&& run) -> std::optional<decltype(run())> {
  try {
    return run();
  } catch (const ExpectedError& error) {
    if (error.path() != kTarget.file_name)
      finding(std::string(step) + " failed naming '" + error.path().string() + "', not the file name: " + error.what());
    if (std::string_view(error.what()).empty()) finding(std::string(step) + " failed with an empty message");
    return std::nullopt;
  } catch (const atomicio::AtomicIOError& error) {
    finding(std::string(step) + " threw an unexpected error type: " + error.what());
  }
}

std::optional<Value> read(std::string_view bytes, const char* step) {
  return attempt<atomicio::FileReadError>(step, [&] { return atomicio::parse_as(kTarget.file_name, bytes, &plugins()); });
}

std::optional<std::string> write(const Value& value, const char* step) {
  return attempt<atomicio::FileWriteError>(step, [&] { return atomicio::dump_as(kTarget.file_name, value, &plugins()); });
}

// Writes `value` and reads the result back, which must succeed and give `value` again.
void expect_round_trip(const Value& value, const std::string& written) {
  std::optional<Value> again = read(written, "reading what was written");
  if (!again) finding("what was written could not be read back; written: " + shown_bytes(written));
  if (!atomicio::fuzz::same_value(value, *again))
    finding("the value changed on a round trip\n  before: " + shown_value(value) + "\n  after:  " + shown_value(*again) +
            "\n  written: " + shown_bytes(written));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Fail at once, not with a million quiet rejections, when the plugin is missing or broken.
  try {
    (void)atomicio::parse_as(kTarget.file_name, "", &plugins());
  } catch (const atomicio::FileReadError&) {
    // The format is there; an empty input just is not valid in it.
  } catch (const atomicio::AtomicIOError& error) {
    std::fprintf(stderr, "fuzz %s: cannot fuzz, the format is not usable from %s: %s\n", kTarget.file_name,
                 kTarget.plugin_dir, error.what());
    std::exit(1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::optional<Value> value = read(bytes, "reading the input");
  if (!value) return 0;
  std::optional<std::string> written = write(*value, "writing the value read");
  if (!written) return 0;

  switch (kTarget.round_trip) {
    case RoundTrip::none:
      (void)read(*written, "reading what was written");
      break;
    case RoundTrip::exact:
      expect_round_trip(*value, *written);
      break;
    case RoundTrip::stable: {
      std::optional<Value> normalised = read(*written, "reading what was written");
      if (!normalised) finding("what was written could not be read back; written: " + shown_bytes(*written));
      std::optional<std::string> rewritten = write(*normalised, "writing the value read back");
      if (!rewritten) finding("the value read back could not be written again: " + shown_value(*normalised));
      expect_round_trip(*normalised, *rewritten);
      break;
    }
  }
  return 0;
}
