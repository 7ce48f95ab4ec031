// format.csv and format.tsv: two plugin libraries built from the same sources, differing only
// in the delimiter. The host chooses a plugin by file extension and never passes the file name
// to it, so one library cannot tell a .csv from a .tsv; the CMakeLists builds this file twice,
// once with ATOMICIO_CSV_TAB_DELIMITED defined, instead.
#include "csv_codec.hpp"

#include <atomicio/sdk/format_plugin.hpp>

namespace {

#ifdef ATOMICIO_CSV_TAB_DELIMITED
constexpr char kDelimiter = '\t';
#else
constexpr char kDelimiter = ',';
#endif

class CsvFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, atomicio::sdk::ValueBuilder& out) override {
    atomicio::csv::read_records(input.contents(), kDelimiter, out);
  }

  void dump(const atomicio::sdk::ValueView& value, atomicio::sdk::Output& out) override {
    atomicio::csv::write_records(value, kDelimiter, out);
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(CsvFormat)
