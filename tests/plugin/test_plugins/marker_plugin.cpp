// format.marker (test only): appends a line to the file named by ATOMICIO_TEST_MARKER when its
// static constructor runs ("constructed") and each time its entry point is called ("entry"), and
// parses any input into {"constructor_runs": N, "entry_calls": N}. Tests use it to see whether,
// when and how often the host loaded it, both from outside (the marker file) and through
// behaviour (what a read returns).
#include <atomicio/sdk/format_plugin.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace {

std::atomic<int> constructor_runs{0};
std::atomic<int> entry_calls{0};

void record(const char* event) {
  const char* path = std::getenv("ATOMICIO_TEST_MARKER");
  if (path == nullptr) return;
  if (std::FILE* file = std::fopen(path, "a")) {
    std::fprintf(file, "%s\n", event);
    std::fclose(file);
  }
}

struct LoadMarker {
  LoadMarker() {
    ++constructor_runs;
    record("constructed");
  }
};
const LoadMarker load_marker;

class MarkerFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input&, atomicio::sdk::ValueBuilder& out) override {
    out.begin_object();
    out.key("constructor_runs");
    out.integer(constructor_runs.load());
    out.key("entry_calls");
    out.integer(entry_calls.load());
    out.end_object();
  }
  void dump(const atomicio::sdk::ValueView&, atomicio::sdk::Output& out) override { out.write("marker\n"); }
};

}  // namespace

// Written out instead of ATOMICIO_FORMAT_PLUGIN so the entry point can count its calls.
extern "C" ATOMICIO_PLUGIN_EXPORT const atomicio_plugin_v1* atomicio_plugin_entry_v1(const atomicio_host_v1* host) {
  ++entry_calls;
  record("entry");
  return atomicio::sdk::detail::format_entry<MarkerFormat>(host, ATOMICIO_PLUGIN_ID, ATOMICIO_PLUGIN_VERSION);
}
