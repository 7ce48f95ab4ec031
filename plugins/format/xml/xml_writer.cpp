// format.xml's writer: builds a pugixml DOM from the host's value (the reverse of the reader's
// mapping, see README.md), checking every name and text on the way, then lets pugixml
// serialize it with escaping and 2-space indentation. The DOM is complete before the first byte
// goes out, so an unsupported value fails before anything is written.
#include "xml_mapping.hpp"

#include <atomicio/sdk/errors.hpp>

#include <pugixml.hpp>

#include <string>

namespace atomicio::xml {
namespace {

using sdk::UnsupportedValue;
using sdk::ValueType;
using sdk::ValueView;

std::string quoted(std::string_view key) {
  std::string text = "'";
  text += key;
  text += '\'';
  return text;
}

std::string checked_name(std::string_view key, const char* what) {
  if (!is_xml_name(key))
    throw UnsupportedValue("key " + quoted(key) + " is not a valid XML " + what +
                           " name (names start with a letter, '_' or ':' and hold no spaces)");
  return std::string(key);
}

// pugixml's writer interface, forwarding its (buffered) chunks to the host.
class OutputWriter final : public pugi::xml_writer {
 public:
  explicit OutputWriter(sdk::Output& out) : out_(out) {}
  void write(const void* data, std::size_t size) override {
    out_.write(std::string_view(static_cast<const char*>(data), size));
  }

 private:
  sdk::Output& out_;
};

class Builder {
 public:
  void root(const ValueView& value, pugi::xml_node parent) {
    if (!value.is_object() || value.size() != 1)
      throw UnsupportedValue(
          "an XML document has exactly one root element, so the value must be an object with exactly one key "
          "(the root element's name)");
    const std::string_view name = value.key_at(0);
    if (value.value_at(0).is_array())
      throw UnsupportedValue("the root element " + quoted(name) + " cannot be an array: XML allows one root");
    child(parent, name, value.value_at(0), 1);
  }

 private:
  void child(pugi::xml_node parent, std::string_view key, const ValueView& value, std::size_t depth) {
    if (depth > kMaxDepth) throw UnsupportedValue("elements nest deeper than " + std::to_string(kMaxDepth) + " levels");
    const std::string name = checked_name(key, "element");
    if (!value.is_array()) return content(parent.append_child(name.c_str()), name, value, depth);
    // An array is the element repeated, once per item, in order.
    for (std::size_t i = 0, size = value.size(); i < size; ++i) {
      const ValueView item = value.at(i);
      if (item.is_array())
        throw UnsupportedValue("key " + quoted(key) + " holds an array inside an array, which XML cannot express");
      content(parent.append_child(name.c_str()), name, item, depth);
    }
  }

  void content(pugi::xml_node node, const std::string& name, const ValueView& value, std::size_t depth) {
    if (!value.is_object())
      return text(node, scalar_text(value, [&name] { return "the value of <" + name + ">"; }), name);
    for (std::size_t i = 0, size = value.size(); i < size; ++i) {
      const std::string_view key = value.key_at(i);
      if (key == kAttributesKey) {
        attributes(node, value.value_at(i), name);
      } else if (key == kTextKey) {
        text(node, scalar_text(value.value_at(i), [&name] { return "the #text of <" + name + ">"; }), name);
      } else {
        child(node, key, value.value_at(i), depth + 1);
      }
    }
  }

  static void attributes(pugi::xml_node node, const ValueView& value, const std::string& element) {
    if (!value.is_object())
      throw UnsupportedValue("the @attributes of <" + element + "> must be an object of attribute names to values");
    for (std::size_t i = 0, size = value.size(); i < size; ++i) {
      const std::string name = checked_name(value.key_at(i), "attribute");
      const Describe what = [&name, &element] { return "attribute " + quoted(name) + " of <" + element + ">"; };
      const std::string text = scalar_text(value.value_at(i), what);
      require_xml_chars(text, what);
      node.append_attribute(name.c_str()).set_value(text.data(), text.size());
    }
  }

  static void text(pugi::xml_node node, const std::string& text, const std::string& element) {
    // Empty text adds nothing: "<a/>" is how XML spells both null and "".
    if (text.empty()) return;
    require_xml_chars(text, [&element] { return "the text of <" + element + ">"; });
    node.append_child(pugi::node_pcdata).set_value(text.data(), text.size());
  }
};

}  // namespace

void write_document(const ValueView& value, sdk::Output& out) {
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version").set_value("1.0");
  declaration.append_attribute("encoding").set_value("UTF-8");
  Builder().root(value, doc);
  OutputWriter writer(out);
  doc.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
}

}  // namespace atomicio::xml
