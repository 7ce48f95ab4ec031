// The YAML reader: yaml-cpp's event parser feeds a Recorder, which checks the document and
// keeps it as a flat list of events; only when the whole input has passed is the list replayed
// into the host's builder, expanding each alias by replaying its anchor's events.
//
// Why events and not YAML::Load: Load gives no way to tell how big the document becomes once
// aliases are expanded without walking it (and walking a billion-laughs graph is the attack),
// and no cheap node identity to memoize on. Counting while recording makes the guard exact and
// immediate: each anchor's expanded size (values, bytes of text, levels of nesting) is known
// when its node ends, an alias adds that size, and the count stops the parse the moment it
// passes a budget or the nesting limit, before anything is built.
#include "yaml_codec.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <istream>
#include <streambuf>
#include <unordered_set>
#include <vector>

namespace atomicio::yaml {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

// yaml-cpp reads from a std::istream; this one reads the host's buffer without copying it.
class ViewStreambuf : public std::streambuf {
 public:
  explicit ViewStreambuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // the get area is only ever read
    setg(begin, begin, begin + text.size());
  }
};

enum class EventKind { scalar, alias, begin_object, end_object, begin_array, end_array };

struct Event {
  EventKind kind;
  Scalar scalar;            // kind == scalar
  std::size_t target = 0;   // kind == alias: index of the anchored node's first event
  std::string text;         // kind == scalar: the scalar as written (needed for keys)
};

struct Anchor {
  std::string name;
  std::size_t begin = 0;
  bool complete = false;
  std::uint64_t expanded = 0;        // values the anchored node stands for, itself included
  std::uint64_t expanded_bytes = 0;  // bytes of scalar and key text it stands for
  std::size_t height = 0;            // levels of objects and arrays it holds, itself included
};

struct Frame {
  bool is_object;
  YAML::anchor_t anchor;
  std::uint64_t count_at_start;
  std::uint64_t bytes_at_start;
  bool expecting_key = true;
  std::size_t child_height = 0;  // the tallest child so far, aliases expanded
  std::unordered_set<std::string> keys;
};

class Recorder final : public YAML::EventHandler {
 public:
  Recorder(std::string_view input, std::size_t mark_offset)
      : input_(input),
        mark_offset_(mark_offset),
        budget_(std::max(kMinNodeBudget, kNodesPerInputByte * static_cast<std::uint64_t>(input.size()))),
        byte_budget_(std::max(kMinByteBudget, kBytesPerInputByte * static_cast<std::uint64_t>(input.size()))) {}

  const std::vector<Event>& events() const { return events_; }
  const std::vector<Anchor>& anchors() const { return anchors_; }

  sdk::ParseError error_at(const YAML::Mark& mark, const std::string& message) const {
    return sdk::ParseError(message, mark.line + 1, mark.column + 1,
                           static_cast<std::int64_t>(mark_offset_) + mark.pos);
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0)
      throw error_at(mark, "the file holds more than one YAML document (a second one starts here); "
                           "atomicio reads exactly one document per file");
  }
  void OnDocumentEnd() override {}

  void OnAnchor(const YAML::Mark&, const std::string& name) override { anchor_name_ = name; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    scalar(mark, anchor, Scalar{ScalarKind::null}, null_text(mark));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    scalar(mark, anchor, resolve(mark, tag, value), value);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const Anchor& target = anchors_.at(anchor);
    if (!target.complete)
      throw error_at(mark, "alias *" + target.name + " refers to a node that contains it (recursive alias)");
    const Event& first = events_[target.begin];
    if (in_key_position()) {
      if (first.kind != EventKind::scalar)
        throw error_at(mark, "mapping keys must be scalars, but alias *" + target.name + " is a collection");
      add_key(mark, first.text);
    }
    count(mark, target.expanded);
    count_bytes(mark, target.expanded_bytes);
    reached(mark, target.height);
    events_.push_back(Event{EventKind::alias, {}, target.begin, {}});
    node_done();
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    begin_collection(mark, tag, anchor, false);
  }
  void OnSequenceEnd() override { end_collection(EventKind::end_array); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    begin_collection(mark, tag, anchor, true);
  }
  void OnMapEnd() override { end_collection(EventKind::end_object); }

 private:
  bool in_key_position() const {
    return !frames_.empty() && frames_.back().is_object && frames_.back().expecting_key;
  }

  void add_key(const YAML::Mark& mark, const std::string& key) {
    if (!frames_.back().keys.insert(key).second) throw error_at(mark, "duplicate mapping key '" + key + "'");
  }

  // Every value, alias copies included, counts against the budget; see the file comment.
  void count(const YAML::Mark& mark, std::uint64_t values) {
    count_ += values;
    if (count_ > budget_)
      throw error_at(mark, "expanding aliases would produce more than " + std::to_string(budget_) +
                               " values (an alias bomb?); the limit is the larger of " +
                               std::to_string(kMinNodeBudget) + " and " + std::to_string(kNodesPerInputByte) +
                               " per input byte");
  }

  // Text is budgeted apart from values: one alias of a megabyte string is one value, but the
  // host receives a copy of the whole string for each.
  void count_bytes(const YAML::Mark& mark, std::uint64_t bytes) {
    bytes_ += bytes;
    if (bytes_ > byte_budget_)
      throw error_at(mark, "expanding aliases would produce more than " + std::to_string(byte_budget_) +
                               " bytes of text (an alias bomb?); the limit is the larger of " +
                               std::to_string(kMinByteBudget) + " bytes and " + std::to_string(kBytesPerInputByte) +
                               " per input byte");
  }

  // A node `height` levels tall (aliases expanded) now ends below the open collections. Checked
  // as each event arrives, so the replay below never recurses deeper than the limit.
  void reached(const YAML::Mark& mark, std::size_t height) {
    if (frames_.size() + height > ATOMICIO_MAX_NESTING_DEPTH)
      throw error_at(mark, "objects and arrays nest deeper than " + std::to_string(ATOMICIO_MAX_NESTING_DEPTH) +
                               " levels here (aliases expanded)");
    if (!frames_.empty()) frames_.back().child_height = std::max(frames_.back().child_height, height);
  }

  void register_anchor(YAML::anchor_t anchor, bool complete, std::uint64_t bytes) {
    if (anchor == YAML::NullAnchor) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    anchors_[anchor] = Anchor{anchor_name_, events_.size(), complete, 1, bytes, 0};
  }

  void node_done() {
    if (!frames_.empty() && frames_.back().is_object)
      frames_.back().expecting_key = !frames_.back().expecting_key;
  }

  void scalar(const YAML::Mark& mark, YAML::anchor_t anchor, const Scalar& value, const std::string& text) {
    // A key is only ever text, so its range does not matter.
    if (in_key_position()) add_key(mark, text);
    else if (value.kind == ScalarKind::too_large)
      throw error_at(mark, "integer " + text + " is outside the 64-bit range");
    count(mark, 1);
    count_bytes(mark, text.size());
    register_anchor(anchor, true, text.size());
    events_.push_back(Event{EventKind::scalar, value, 0, text});
    node_done();
  }

  void begin_collection(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                        bool is_object) {
    const char* what = is_object ? "mapping" : "sequence";
    if (in_key_position()) throw error_at(mark, std::string("mapping keys must be scalars, not a ") + what);
    std::string expected = std::string(kTagPrefix) + (is_object ? "map" : "seq");
    if (tag != "?" && tag != "!" && tag != expected)
      throw error_at(mark, "unsupported tag " + tag + " on a " + what);
    reached(mark, 1);
    frames_.push_back(Frame{is_object, anchor, count_, bytes_, true, 0, {}});
    count(mark, 1);
    register_anchor(anchor, false, 0);
    events_.push_back(Event{is_object ? EventKind::begin_object : EventKind::begin_array, {}, 0, {}});
  }

  void end_collection(EventKind kind) {
    events_.push_back(Event{kind, {}, 0, {}});
    Frame& frame = frames_.back();
    const std::size_t height = frame.child_height + 1;
    if (frame.anchor != YAML::NullAnchor) {
      anchors_[frame.anchor].complete = true;
      anchors_[frame.anchor].expanded = count_ - frame.count_at_start;
      anchors_[frame.anchor].expanded_bytes = bytes_ - frame.bytes_at_start;
      anchors_[frame.anchor].height = height;
    }
    frames_.pop_back();
    if (!frames_.empty()) frames_.back().child_height = std::max(frames_.back().child_height, height);
    node_done();
  }

  Scalar resolve(const YAML::Mark& mark, const std::string& tag, const std::string& text) const {
    // yaml-cpp tags plain scalars "?" and quoted or block scalars (and `! x`) "!".
    if (tag == "?") return resolve_plain(text);
    if (tag == "!" || tag == std::string(kTagPrefix) + "str") return Scalar{};
    Scalar s = resolve_plain(text);
    std::string_view name = std::string_view(tag).substr(std::min(tag.size(), kTagPrefix.size()));
    bool core = tag.compare(0, kTagPrefix.size(), kTagPrefix) == 0;
    bool is_integer = s.kind == ScalarKind::integer || s.kind == ScalarKind::unsigned_integer ||
                      s.kind == ScalarKind::too_large;
    if (core && name == "int" && is_integer) return s;
    if (core && name == "float" && s.kind == ScalarKind::floating) return s;
    if (core && name == "float" && is_integer) return resolve_plain(text + ".0");
    if (core && name == "bool" && s.kind == ScalarKind::boolean) return s;
    if (core && name == "null" && s.kind == ScalarKind::null) return s;
    if (core && (name == "int" || name == "float" || name == "bool" || name == "null"))
      throw error_at(mark, "'" + text + "' is not a valid !!" + std::string(name));
    throw error_at(mark, "unsupported tag " + tag + " (only the core schema's !!str, !!int, !!float, "
                                                    "!!bool, !!null, !!seq and !!map are understood)");
  }

  // yaml-cpp reports plain nulls without their text; a key needs it ("~: x" has the key "~"), so
  // read it back from the input at the mark. An empty node's mark points past it, at whatever
  // follows, which then matches none of the words.
  std::string null_text(const YAML::Mark& mark) const {
    static constexpr std::array<std::string_view, 4> kWords{"null", "Null", "NULL", "~"};
    std::size_t at = mark_offset_ + static_cast<std::size_t>(std::max(mark.pos, 0));
    if (at >= input_.size()) return {};
    std::string_view rest = input_.substr(at);
    // The mark of an anchored or tagged node points at its anchor or tag ("&n ~").
    while (!rest.empty() && (rest.front() == '&' || rest.front() == '!')) {
      rest.remove_prefix(std::min(rest.size(), rest.find_first_of(" \t\r\n")));
      rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    }
    for (std::string_view word : kWords) {
      bool ends = rest.size() == word.size() ||
                  (rest.size() > word.size() &&
                   std::string_view(" \t\r\n,:]}#").find(rest[word.size()]) != std::string_view::npos);
      if (rest.substr(0, word.size()) == word && ends) return std::string(word);
    }
    return {};
  }

  std::string_view input_;
  std::size_t mark_offset_;
  std::uint64_t budget_;
  std::uint64_t byte_budget_;
  std::uint64_t count_ = 0;
  std::uint64_t bytes_ = 0;
  int documents_ = 0;
  std::string anchor_name_;
  std::vector<Event> events_;
  std::vector<Anchor> anchors_;
  std::vector<Frame> frames_;
};

class Replayer {
 public:
  Replayer(const std::vector<Event>& events, sdk::ValueBuilder& out) : events_(events), out_(out) {}

  // Emits the node starting at event `i`; returns the index just past it.
  std::size_t node(std::size_t i) {
    const Event& event = events_[i];
    switch (event.kind) {
      case EventKind::scalar: scalar(event); return i + 1;
      case EventKind::alias: node(event.target); return i + 1;
      case EventKind::begin_array:
        out_.begin_array();
        for (++i; events_[i].kind != EventKind::end_array;) i = node(i);
        out_.end_array();
        return i + 1;
      case EventKind::begin_object:
        out_.begin_object();
        for (++i; events_[i].kind != EventKind::end_object;) {
          const Event& key = events_[i].kind == EventKind::alias ? events_[events_[i].target] : events_[i];
          out_.key(key.text);
          i = node(i + 1);
        }
        out_.end_object();
        return i + 1;
      case EventKind::end_object:
      case EventKind::end_array: break;
    }
    throw sdk::ParseError("internal error: unbalanced YAML events");
  }

 private:
  void scalar(const Event& event) {
    const Scalar& s = event.scalar;
    switch (s.kind) {
      case ScalarKind::null: return out_.null_value();
      case ScalarKind::boolean: return out_.boolean(s.boolean);
      case ScalarKind::integer: return out_.integer(s.integer);
      case ScalarKind::unsigned_integer: return out_.unsigned_integer(s.unsigned_integer);
      case ScalarKind::floating: return out_.floating(s.floating);
      case ScalarKind::string:
      case ScalarKind::too_large: return out_.string(event.text);
    }
  }

  const std::vector<Event>& events_;
  sdk::ValueBuilder& out_;
};

}  // namespace

void read_document(sdk::Input& input, sdk::ValueBuilder& out) {
  std::string_view text = input.contents();
  // yaml-cpp consumes a UTF-8 byte order mark without counting it in its marks.
  std::size_t mark_offset = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  ViewStreambuf buffer(text);
  std::istream stream(&buffer);
  Recorder recorder(text, mark_offset);
  try {
    YAML::Parser parser(stream);
    if (!parser.HandleNextDocument(recorder)) {
      out.null_value();  // empty, or only comments: a file made by `touch` is not an error
      return;
    }
    parser.HandleNextDocument(recorder);  // throws from OnDocumentStart if there is a second
  } catch (const YAML::DeepRecursion& error) {
    // yaml-cpp 0.7 gives this one the message "bad file" and a mark at the start of the input.
    throw sdk::ParseError("invalid YAML: nesting deeper than yaml-cpp's parser allows (" +
                          std::to_string(error.depth()) + " levels)");
  } catch (const YAML::Exception& error) {
    if (error.mark.is_null()) throw sdk::ParseError("invalid YAML: " + error.msg);
    throw recorder.error_at(error.mark, "invalid YAML: " + error.msg);
  }
  Replayer(recorder.events(), out).node(0);
}

}  // namespace atomicio::yaml
