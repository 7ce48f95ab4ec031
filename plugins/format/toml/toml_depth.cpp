// The depth check that runs before toml++ sees a document. toml++ limits inline arrays and
// tables to 256 levels, but not the tables a long dotted key makes: `[a.a.a…]` with 100,000
// parts crashed the plugin with a stack overflow inside toml++. So we scan the text once, with
// no recursion, and refuse it when it certainly nests deeper than ATOMICIO_MAX_NESTING_DEPTH.
//
// The scan counts a lower bound of the depth, so it never refuses a document the host would
// take: a header `[a.b.c]` puts its table at least 4 levels down (the root, a, b, c; an
// `a` that is an array of tables adds one more, which we do not count), `[[a.b]]` one more
// for the array, each dot of a key one table, each `[` or `{` of a value one level. What passes
// here nests at most about twice the limit, which toml++ handles, and the host's builder then
// applies the exact limit.
#include "toml_format_internal.hpp"

#include <atomicio/sdk/text_position.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace atomicio::toml_format {
namespace {

// Offset just past the string or quoted key starting at `at` ("…", '…', """…""" or '''…'''),
// or the end of the line for an unterminated one; toml++ reports the syntax error itself.
std::size_t skip_string(std::string_view text, std::size_t at) {
  const char quote = text[at];
  const bool basic = quote == '"';
  if (text.substr(at, 3) == std::string(3, quote)) {
    std::size_t i = at + 3;
    while (i < text.size()) {
      if (basic && text[i] == '\\') i += 2;
      else if (text.substr(i, 3) == std::string(3, quote)) break;
      else ++i;
    }
    i = std::min(text.size(), i + 3);
    // A multi-line string may end in one or two quotes of its own before the delimiter.
    for (int extra = 0; extra < 2 && i < text.size() && text[i] == quote; ++extra) ++i;
    return i;
  }
  std::size_t i = at + 1;
  while (i < text.size() && text[i] != quote && text[i] != '\n')
    i += (basic && text[i] == '\\') ? std::size_t{2} : std::size_t{1};
  return std::min(text.size(), i + 1);
}

class DepthScan {
 public:
  explicit DepthScan(std::string_view text) : text_(text) {}

  void run() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (c == '#') {
        while (i_ < text_.size() && text_[i_] != '\n') ++i_;
      } else if (c == '"' || c == '\'') {
        if (mode_ == Mode::line_start) start_key();
        i_ = skip_string(text_, i_);
      } else {
        step(c);
        ++i_;
      }
    }
  }

 private:
  enum class Mode { line_start, header, key, value };
  struct Open {
    bool is_table;
    std::size_t depth;
  };

  void step(char c) {
    switch (mode_) {
      case Mode::line_start:
        if (c == '[') {
          array_header_ = i_ + 1 < text_.size() && text_[i_ + 1] == '[';
          if (array_header_) ++i_;
          mode_ = Mode::header;
          dots_ = 0;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          start_key();
          step(c);
        }
        return;
      case Mode::header:
        // Checked at each dot too, so a header that never closes cannot slip past.
        if (c == '.') check(1 + ++dots_ + 1);
        if (c == ']') {
          table_depth_ = 1 + (dots_ + 1) + (array_header_ ? 1 : 0);
          check(table_depth_);
          if (array_header_ && i_ + 1 < text_.size() && text_[i_ + 1] == ']') ++i_;
          mode_ = Mode::value;  // the rest of the line holds no keys
        }
        if (c == '\n') mode_ = Mode::line_start;
        return;
      case Mode::key:
        if (c == '.') check(key_base_ + ++dots_);
        if (c == '=') {
          holder_depth_ = key_base_ + dots_;
          check(holder_depth_);
          mode_ = Mode::value;
        }
        if (c == '}') close();
        if (c == '\n' && open_.empty()) mode_ = Mode::line_start;
        return;
      case Mode::value:
        if (c == '[' || c == '{') {
          open_.push_back(Open{c == '{', holder_depth_ + 1});
          check(open_.back().depth);
          holder_depth_ = open_.back().depth;
          if (c == '{') {
            mode_ = Mode::key;
            key_base_ = holder_depth_;
            dots_ = 0;
          }
        } else if (c == ']' || c == '}') {
          close();
        } else if (c == ',' && !open_.empty()) {
          if (open_.back().is_table) {
            mode_ = Mode::key;
            key_base_ = open_.back().depth;
            dots_ = 0;
          }
          holder_depth_ = open_.back().depth;
        } else if (c == '\n' && open_.empty()) {
          mode_ = Mode::line_start;
        }
        return;
    }
  }

  void start_key() {
    mode_ = Mode::key;
    key_base_ = table_depth_;
    dots_ = 0;
  }

  void close() {
    if (!open_.empty()) open_.pop_back();
    mode_ = Mode::value;
    if (!open_.empty()) holder_depth_ = open_.back().depth;
  }

  void check(std::size_t depth) const {
    if (depth > ATOMICIO_MAX_NESTING_DEPTH)
      throw sdk::parse_error_at(text_, i_,
                                "invalid TOML for atomicio: tables and values nest deeper than " +
                                    std::to_string(ATOMICIO_MAX_NESTING_DEPTH) + " levels here");
  }

  std::string_view text_;
  std::size_t i_ = 0;
  Mode mode_ = Mode::line_start;
  bool array_header_ = false;
  std::size_t dots_ = 0;
  std::size_t table_depth_ = 1;   // the table the current section's keys go into
  std::size_t key_base_ = 1;      // the table the key being read goes into
  std::size_t holder_depth_ = 1;  // the container the value being read goes into
  std::vector<Open> open_;        // inline arrays and tables not yet closed
};

}  // namespace

void check_depth(std::string_view text) { DepthScan(text).run(); }

}  // namespace atomicio::toml_format
