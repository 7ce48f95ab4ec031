// pugixml called directly: load_buffer into its DOM, save to write, with the plugin's mapping
// between XML and a Value (attributes under "@attributes", repeated children as an array, an
// element with only text as that text), written as a straightforward walk: it does not handle
// mixed text beside child elements, check names and characters, or refuse entity declarations,
// which the plugin does.
#include "direct_format.hpp"
#include "sample_document.hpp"

#include <pugixml.hpp>

#include <stdexcept>

namespace atomicio::bench {
namespace {

Value element_to_value(const pugi::xml_node& element) {
  const bool has_children = static_cast<bool>(
      element.find_child([](const pugi::xml_node& child) { return child.type() == pugi::node_element; }));
  if (!element.first_attribute() && !has_children) {
    const char* text = element.child_value();
    return *text == '\0' ? Value(nullptr) : Value(text);
  }
  Value object = Value::object();
  if (element.first_attribute()) {
    Value& attributes = object["@attributes"] = Value::object();
    for (const pugi::xml_attribute& attribute : element.attributes())
      attributes[attribute.name()] = attribute.value();
  }
  for (const pugi::xml_node& child : element.children()) {
    if (child.type() != pugi::node_element) continue;
    // Element content is never an array, so an array here means the name repeated before.
    auto found = object.find(child.name());
    if (found == object.end()) {
      object[child.name()] = element_to_value(child);
      continue;
    }
    if (!found->is_array()) *found = Value::array({std::move(*found)});
    found->push_back(element_to_value(child));
  }
  return object;
}

Value document_to_value(const pugi::xml_document& document) {
  const pugi::xml_node root = document.document_element();
  return Value{{root.name(), element_to_value(root)}};
}

void append_content(pugi::xml_node element, const Value& value);

void append_element(pugi::xml_node parent, const std::string& name, const Value& value) {
  if (!value.is_array()) return append_content(parent.append_child(name.c_str()), value);
  for (const Value& item : value) append_content(parent.append_child(name.c_str()), item);
}

void append_content(pugi::xml_node element, const Value& value) {
  if (!value.is_object()) {
    const std::string text = scalar_text(value);
    if (!text.empty()) element.append_child(pugi::node_pcdata).set_value(text.c_str());
    return;
  }
  for (const auto& [key, member] : value.items()) {
    if (key == "@attributes") {
      for (const auto& [name, attribute] : member.items())
        element.append_attribute(name.c_str()).set_value(scalar_text(attribute).c_str());
    } else {
      append_element(element, key, member);
    }
  }
}

void build(const Value& value, pugi::xml_document& document) {
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version").set_value("1.0");
  declaration.append_attribute("encoding").set_value("UTF-8");
  const auto root = value.begin();  // the one member: the root element's name and content
  append_element(document, root.key(), root.value());
}

struct StringWriter final : pugi::xml_writer {
  std::string text;
  void write(const void* data, std::size_t size) override { text.append(static_cast<const char*>(data), size); }
};

std::string saved(const pugi::xml_document& document) {
  StringWriter writer;
  document.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
  return std::move(writer.text);
}

class XmlDirect final : public DirectFormat {
 public:
  void parse_native(std::string_view text) override {
    pugi::xml_document document;
    load(text, document);
  }
  Value parse_to_value(std::string_view text) override {
    pugi::xml_document document;
    load(text, document);
    return document_to_value(document);
  }
  void prepare_native(const Value& value) override {
    prepared_.reset();
    build(value, prepared_);
  }
  std::string emit_native() override { return saved(prepared_); }
  std::string emit_from_value(const Value& value) override {
    pugi::xml_document document;
    build(value, document);
    return saved(document);
  }

 private:
  static void load(std::string_view text, pugi::xml_document& document) {
    if (!document.load_buffer(text.data(), text.size())) throw std::runtime_error("pugixml: invalid XML");
  }

  pugi::xml_document prepared_;
};

}  // namespace

std::unique_ptr<DirectFormat> make_xml_direct() { return std::make_unique<XmlDirect>(); }

}  // namespace atomicio::bench
