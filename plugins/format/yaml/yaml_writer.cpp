// The YAML writer: walks the host's document into a yaml-cpp Emitter (block style, 2-space
// indent, keys in document order) and hands the text to the host in one write.
//
// yaml-cpp decides quoting only by YAML syntax, so on its own it would write the string "true"
// or "123" plain and it would read back as a boolean or a number. Every string therefore goes
// through needs_quotes() first (yaml_scalars.cpp), and numbers are formatted here so a float
// always reads back as the same float.
#include "yaml_codec.hpp"

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include <string>

namespace atomicio::yaml {
namespace {

using sdk::ValueType;
using sdk::ValueView;

// 4 * 250 escaped characters and two quotes stay under YAML's 1024-character implicit key.
constexpr std::size_t kLongKeyBytes = 250;

struct TextCheck {
  bool valid_utf8 = true;
  bool needs_escapes = false;
  bool has_noncharacter = false;  // U+FDD0..U+FDEF, or U+FFFE or U+FFFF in any plane
};

// YAML streams are Unicode; yaml-cpp would silently turn invalid bytes into U+FFFD inside
// quotes, or copy them raw (an unreadable file) when plain. Some valid characters also need
// escaping that yaml-cpp does not do on its own: DEL and C1 controls are outside YAML's
// printable set (PyYAML refuses the file), NEL/LS/PS are line breaks to YAML 1.1 readers, and a
// BOM inside a document is not allowed. The noncharacters U+FFFE and U+FFFF are outside YAML's
// printable set too, and yaml-cpp cannot escape them (it writes U+FFFD instead), so they are
// refused rather than changed. The other noncharacters (U+FDD0..U+FDEF, U+1FFFE, ...) are
// printable, but yaml-cpp writes U+FFFD for them too whenever it double-quotes the string (found
// by fuzz/yaml), which depends on the rest of the string and on yaml-cpp's own choices, so they
// are refused as well: a predictable error rather than a change that only some strings get.
TextCheck check_text(std::string_view text) {
  TextCheck check;
  for (std::size_t i = 0; i < text.size();) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    std::size_t length = lead < 0x80 ? 1
                         : (lead >> 5) == 0x6 ? 2
                         : (lead >> 4) == 0xE ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) return TextCheck{false, false};
    char32_t code = length == 1 ? lead : static_cast<char32_t>(lead & (0x7F >> length));
    for (std::size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return TextCheck{false, false};
      code = (code << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kShortest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return TextCheck{false, false};
    if (code == 0x7F || (code >= 0x80 && code <= 0x9F) || code == 0x2028 || code == 0x2029 ||
        code == 0xFEFF)
      check.needs_escapes = true;
    if ((code & 0xFFFE) == 0xFFFE || (code >= 0xFDD0 && code <= 0xFDEF)) check.has_noncharacter = true;
    i += length;
  }
  return check;
}

class Writer {
 public:
  Writer() {
    emitter_.SetIndent(2);
    emitter_.SetNullFormat(YAML::LowerNull);
    emitter_.SetBoolFormat(YAML::TrueFalseBool);
  }

  std::string document(const ValueView& root) {
    value(root);
    if (!emitter_.good())
      throw sdk::UnsupportedValue("yaml-cpp could not emit the document: " + emitter_.GetLastError());
    std::string text(emitter_.c_str(), emitter_.size());
    text += '\n';
    return text;
  }

 private:
  void value(const ValueView& node) {
    switch (node.type()) {
      case ValueType::object: return object(node);
      case ValueType::array: return array(node);
      case ValueType::null: emitter_ << YAML::Null; return;
      case ValueType::boolean: emitter_ << node.as_bool(); return;
      case ValueType::integer: emitter_ << std::to_string(node.as_int()); return;
      case ValueType::unsigned_integer: emitter_ << std::to_string(node.as_uint()); return;
      case ValueType::floating: emitter_ << format_float(node.as_double()); return;
      case ValueType::string: return string(node.as_string());
    }
  }

  void object(const ValueView& node) {
    const std::size_t size = node.size();
    // An empty block collection has no block syntax; yaml-cpp would put "{}" on a line of its own.
    if (size == 0) {
      emitter_ << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    emitter_ << YAML::BeginMap;
    for (std::size_t i = 0; i < size; ++i) {
      // An implicit key ("key: value") may not be longer than 1024 characters as written
      // (YAML 1.2 section 7.4.2; yaml-cpp and PyYAML refuse longer ones), and escaping can make
      // a key up to four times its size ("\x01"), so a long key is written explicitly ("? key").
      const std::string_view key = node.key_at(i);
      if (key.size() > kLongKeyBytes) emitter_ << YAML::LongKey;
      emitter_ << YAML::Key;
      string(key);
      emitter_ << YAML::Value;
      value(node.value_at(i));
    }
    emitter_ << YAML::EndMap;
  }

  void array(const ValueView& node) {
    const std::size_t size = node.size();
    if (size == 0) {
      emitter_ << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    emitter_ << YAML::BeginSeq;
    for (std::size_t i = 0; i < size; ++i) value(node.at(i));
    emitter_ << YAML::EndSeq;
  }

  void string(std::string_view text) {
    TextCheck check = check_text(text);
    if (!check.valid_utf8)
      throw sdk::UnsupportedValue("YAML text must be UTF-8, but a string or key is not valid UTF-8");
    if (check.has_noncharacter)
      throw sdk::UnsupportedValue("a string or key holds a Unicode noncharacter (U+FDD0 to U+FDEF, or U+FFFE or "
                                  "U+FFFF in any plane), which yaml-cpp cannot write");
    // Both manipulators apply to the next scalar only.
    if (check.needs_escapes) emitter_ << YAML::EscapeNonAscii << YAML::DoubleQuoted;
    else if (needs_quotes(text)) emitter_ << YAML::DoubleQuoted;
    emitter_ << std::string(text);
  }

  YAML::Emitter emitter_;
};

}  // namespace

void write_document(const ValueView& value, sdk::Output& out) { out.write(Writer().document(value)); }

}  // namespace atomicio::yaml
