// format.xml: XML through pugixml (linked privately into this plugin), mapped to the host's value
// the way xmltodict does it: the root element's name as the single top-level key, attributes
// under "@attributes", text beside them under "#text", repeated children as arrays. The reader
// and writer live in xml_reader.cpp and xml_writer.cpp; README.md documents the mapping, what
// round-trips and what does not, and why DOCTYPE entity declarations are refused.
#include "xml_mapping.hpp"

#include <atomicio/sdk/format_plugin.hpp>

namespace {

class XmlFormat final : public atomicio::sdk::FormatPlugin {
 public:
  void parse(atomicio::sdk::Input& input, atomicio::sdk::ValueBuilder& out) override {
    atomicio::xml::read_document(input.contents(), out);
  }

  void dump(const atomicio::sdk::ValueView& value, atomicio::sdk::Output& out) override {
    atomicio::xml::write_document(value, out);
  }
};

}  // namespace

ATOMICIO_FORMAT_PLUGIN(XmlFormat)
