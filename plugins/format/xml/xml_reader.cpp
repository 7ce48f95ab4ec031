// format.xml's reader: pugixml parses the file into its DOM, and this walks the DOM emitting the
// xmltodict-style value (see README.md) to the host's builder.
//
// Safety: pugixml never reads anything but the buffer it is given (no external entities, no DTD
// fetching, no network) and expands only the five predefined entities and character
// references. A custom entity reference would stay in the text as "&name;", silently changing
// its meaning, so a DOCTYPE that declares entities is refused outright, which also makes
// billion-laughs and XXE documents fail fast instead of being half-read.
#include "xml_mapping.hpp"

#include <atomicio/sdk/errors.hpp>
#include <atomicio/sdk/text_position.hpp>

#include <pugixml.hpp>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace atomicio::xml {
namespace {

// parse_doctype only records the DOCTYPE's text as a node (pugixml does no DTD processing) so
// that entity declarations can be seen and refused. parse_fragment keeps text and extra
// elements outside the root as nodes, so they are errors rather than silently dropped.
// parse_ws_pcdata_single keeps "<a>  </a>" as "  " (whitespace between elements still goes).
constexpr unsigned kParseFlags =
    pugi::parse_default | pugi::parse_doctype | pugi::parse_fragment | pugi::parse_ws_pcdata_single;

constexpr std::string_view kBlank = " \t\r\n";

bool is_blank(std::string_view text) { return text.find_first_not_of(kBlank) == std::string_view::npos; }

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlank) - first + 1);
}

[[noreturn]] void fail_at(std::string_view text, bool positions_known, const std::string& message,
                          std::size_t offset) {
  if (!positions_known || offset == std::string_view::npos) throw sdk::ParseError("invalid XML: " + message);
  throw sdk::parse_error_at(text, offset, "invalid XML: " + message);
}

bool is_text(const pugi::xml_node& node) {
  return node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata;
}

class Reader {
 public:
  Reader(std::string_view text, bool positions_known, sdk::ValueBuilder& out)
      : text_(text), positions_known_(positions_known), out_(out) {}

  void document(const pugi::xml_document& doc) {
    pugi::xml_node root;
    for (const pugi::xml_node& node : doc.children()) {
      if (node.type() == pugi::node_doctype) {
        const std::string_view declaration = node.value();
        if (auto entity = declaration.find("<!ENTITY"); entity != std::string_view::npos)
          fail("the DOCTYPE declares entities, which this format does not expand; remove the <!ENTITY "
               "declarations",
               static_cast<std::size_t>(node.offset_debug()) + entity);
      } else if (node.type() == pugi::node_element) {
        if (root) fail("more than one root element (second: <" + std::string(node.name()) + ">)", start_of(node));
        root = node;
      } else if (is_text(node) && !is_blank(node.value())) {
        const std::string_view stray = node.value();
        fail("text outside the root element",
             static_cast<std::size_t>(node.offset_debug()) + stray.find_first_not_of(kBlank));
      }
    }
    if (!root) fail("no root element", std::string_view::npos);
    out_.begin_object();
    out_.key(root.name());
    element(root);
    out_.end_object();
  }

 private:
  struct Group {
    std::string_view name;
    std::vector<pugi::xml_node> members;
  };

  void element(const pugi::xml_node& node) {
    std::string text;
    std::vector<Group> groups;
    std::unordered_map<std::string_view, std::size_t> group_of;
    for (const pugi::xml_node& child : node.children()) {
      if (is_text(child)) {
        text += child.value();
      } else if (child.type() == pugi::node_element) {
        auto [slot, added] = group_of.try_emplace(child.name(), groups.size());
        if (added) groups.push_back(Group{child.name(), {}});
        groups[slot->second].members.push_back(child);
      }
    }
    const bool has_attributes = static_cast<bool>(node.first_attribute());
    if (!has_attributes && groups.empty()) {
      // "<a/>" and "<a></a>" both read as null; XML cannot tell an empty string from no text.
      text.empty() ? out_.null_value() : out_.string(text);
      return;
    }
    out_.begin_object();
    if (has_attributes) attributes(node);
    // Between child elements, leading and trailing whitespace is indentation, not content.
    const std::string_view content = groups.empty() ? std::string_view(text) : trimmed(text);
    if (!content.empty()) {
      out_.key(kTextKey);
      out_.string(content);
    }
    for (const Group& group : groups) {
      out_.key(group.name);
      if (group.members.size() == 1) {
        element(group.members.front());
        continue;
      }
      out_.begin_array();
      for (const pugi::xml_node& member : group.members) element(member);
      out_.end_array();
    }
    out_.end_object();
  }

  void attributes(const pugi::xml_node& node) {
    // pugixml accepts repeated attribute names; XML forbids them and an object cannot hold them.
    std::unordered_set<std::string_view> seen;
    out_.key(kAttributesKey);
    out_.begin_object();
    for (const pugi::xml_attribute& attribute : node.attributes()) {
      if (!seen.insert(attribute.name()).second)
        fail("duplicate attribute '" + std::string(attribute.name()) + "' on <" + node.name() + ">", start_of(node));
      out_.key(attribute.name());
      out_.string(attribute.value());
    }
    out_.end_object();
  }

  // offset_debug() of an element is where its name starts; the element starts at the '<'.
  static std::size_t start_of(const pugi::xml_node& node) {
    const std::ptrdiff_t name = node.offset_debug();
    return name > 0 ? static_cast<std::size_t>(name - 1) : std::string_view::npos;
  }

  [[noreturn]] void fail(const std::string& message, std::size_t offset) const {
    fail_at(text_, positions_known_, message, offset);
  }

  std::string_view text_;
  bool positions_known_;
  sdk::ValueBuilder& out_;
};

}  // namespace

void read_document(std::string_view text, sdk::ValueBuilder& out) {
  // A blank file (say, made by `touch`) reads as null, as it does for JSON.
  const std::string_view body = text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
  if (is_blank(body)) {
    out.null_value();
    return;
  }
  pugi::xml_document doc;
  const pugi::xml_parse_result result = doc.load_buffer(text.data(), text.size(), kParseFlags, pugi::encoding_auto);
  // pugixml reports offsets into its own copy of the input, which matches the file's bytes only
  // when it did not have to convert the encoding.
  const bool positions_known = result.encoding == pugi::encoding_utf8;
  if (!result) fail_at(text, positions_known, result.description(), static_cast<std::size_t>(result.offset));
  if (positions_known) {
    // pugixml copies bytes through unchecked; the host's strings must be UTF-8.
    if (std::size_t bad = first_invalid_utf8(text); bad != std::string_view::npos)
      fail_at(text, positions_known, "not valid UTF-8", bad);
  }
  Reader(text, positions_known, out).document(doc);
}

}  // namespace atomicio::xml
