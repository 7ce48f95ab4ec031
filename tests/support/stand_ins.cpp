// Stand-ins for the plugins the core's own tests use only as a means: a file that needs some
// format, a lock that needs some backend. Linked into the programs tests/CMakeLists.txt adds
// with STAND_INS, and active only where the build leaves the plugin out (ATOMICIO_PLUGINS,
// ATOMICIO_SKIP_PLUGINS), so that those tests run in any selective build; in a full build they
// use the real plugins and this file does nothing.
//
// - no format.json: ".json" is registered in-process, nlohmann's parser and 2-space dump
//   (the plugin's layout; a blank file reads as null, as there);
// - no format.text: ".txt" is registered in-process, the whole file as one string;
// - no lock.ofd: the process default lock backend becomes "none" (threads of this process
//   still exclude each other). A case that needs processes excluded, or the "ofd" name itself,
//   carries the tag [needs:lock.ofd] and is left out of such a build.
// Each stand-in says so on stderr once, so a test's output shows what it ran against.
#include <atomicio/file_lock.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/value.hpp>

#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace {

[[maybe_unused]] void register_json() {
  atomicio::register_format(
      ".json",
      [](std::istream& in) {
        const std::string text(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
        // As the plugin does: an empty (or all-blank) file reads as null.
        if (text.find_first_not_of(" \t\r\n") == std::string::npos) return atomicio::Value();
        return atomicio::Value::parse(text);
      },
      [](const atomicio::Value& value, std::ostream& out) { out << value.dump(2) << '\n'; });
  std::cerr << "stand-in: .json files through an in-process format (this build has no format.json)\n";
}

[[maybe_unused]] void register_text() {
  atomicio::register_format(
      ".txt",
      [](std::istream& in) {
        return atomicio::Value(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
      },
      [](const atomicio::Value& value, std::ostream& out) {
        if (!value.is_string()) throw std::invalid_argument(std::string("a text file holds a string, not ") + value.type_name());
        out << value.get_ref<const std::string&>();
      });
  std::cerr << "stand-in: .txt files through an in-process format (this build has no format.text)\n";
}

struct StandIns {
  StandIns() {
#ifndef ATOMICIO_TEST_HAVE_FORMAT_JSON
    register_json();
#endif
#ifndef ATOMICIO_TEST_HAVE_FORMAT_TEXT
    register_text();
#endif
#if !defined(ATOMICIO_TEST_HAVE_LOCK_OFD) && defined(ATOMICIO_TEST_HAVE_LOCK_NONE)
    atomicio::set_default_lock_backend("none");
    std::cerr << "stand-in: lock backend 'none' where a test names none (this build has no lock.ofd)\n";
#endif
  }
};

// Constructed before main(), so before any test case runs; the registrations stay for the
// whole process, as a test program's would.
const StandIns stand_ins;

}  // namespace
