// Host-side implementations of atomicio_value_builder and atomicio_value_view over Value.
// Every callback is noexcept: a C++ exception must not unwind through the plugin's frames.
#include "format/value_bridge.hpp"

#include "plugin/diagnostic.hpp"

#include <atomicio/errors.hpp>

#include <exception>
#include <iterator>
#include <utility>
#include <vector>

namespace atomicio::detail {

namespace {

struct Builder {
  Value root;
  std::vector<Value*> stack;
  std::string key;
  bool has_key = false;
  bool has_root = false;
  std::string error;

  Value* add(Value&& value) noexcept {
    try {
      if (stack.empty()) {
        if (has_root) return fail("more than one top-level value");
        has_root = true;
        root = std::move(value);
        return &root;
      }
      Value& parent = *stack.back();
      if (parent.is_array()) {
        parent.push_back(std::move(value));
        return &parent.back();
      }
      if (!has_key) return fail("an object member without a key");
      has_key = false;
      Value& slot = parent[key];
      slot = std::move(value);
      return &slot;
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  Value* fail(std::string why) noexcept {
    error = std::move(why);
    return nullptr;
  }
  std::int32_t scalar(Value&& value) noexcept { return add(std::move(value)) != nullptr ? 0 : 1; }
  std::int32_t open(Value&& container) noexcept {
    if (stack.size() >= kMaxNestingDepth) {
      error = "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels";
      return 1;
    }
    Value* added = add(std::move(container));
    if (added == nullptr) return 1;
    stack.push_back(added);
    return 0;
  }
  std::int32_t close(bool object) noexcept {
    if (stack.empty() || stack.back()->is_object() != object) {
      error = "unbalanced end of container";
      return 1;
    }
    stack.pop_back();
    return 0;
  }
};

Builder& self(void* context) { return *static_cast<Builder*>(context); }

const atomicio_value_builder kBuilderTable{
    sizeof(atomicio_value_builder), nullptr,
    [](void* c) noexcept { return self(c).scalar(Value(nullptr)); },
    [](void* c, std::int32_t v) noexcept { return self(c).scalar(Value(v != 0)); },
    [](void* c, std::int64_t v) noexcept { return self(c).scalar(Value(v)); },
    [](void* c, std::uint64_t v) noexcept { return self(c).scalar(Value(v)); },
    [](void* c, double v) noexcept { return self(c).scalar(Value(v)); },
    [](void* c, const char* data, std::size_t size) noexcept {
      try {
        return self(c).scalar(Value(std::string(data, size)));
      } catch (...) {
        self(c).error = "out of memory";
        return std::int32_t{1};
      }
    },
    [](void* c) noexcept { return self(c).open(Value::object()); },
    [](void* c, const char* data, std::size_t size) noexcept {
      Builder& b = self(c);
      if (b.stack.empty() || !b.stack.back()->is_object() || b.has_key) {
        b.error = "a key outside an object";
        return std::int32_t{1};
      }
      try {
        b.key.assign(data, size);
      } catch (...) {
        b.error = "out of memory";
        return std::int32_t{1};
      }
      b.has_key = true;
      return std::int32_t{0};
    },
    [](void* c) noexcept { return self(c).close(true); },
    [](void* c) noexcept { return self(c).open(Value::array()); },
    [](void* c) noexcept { return self(c).close(false); },
};

const Value& node(atomicio_node n) { return *reinterpret_cast<const Value*>(n); }
atomicio_node handle(const Value& v) { return reinterpret_cast<atomicio_node>(&v); }
atomicio_string view_of(const std::string& s) { return {s.data(), s.size()}; }

auto member(atomicio_node n, std::size_t index) {
  const auto& object = node(n).get_ref<const Value::object_t&>();
  return std::next(object.begin(), static_cast<std::ptrdiff_t>(index));
}

const atomicio_value_view kViewTable{
    sizeof(atomicio_value_view), nullptr, nullptr,
    [](void*, atomicio_node n) noexcept -> std::int32_t {
      switch (node(n).type()) {
        case Value::value_t::null: return ATOMICIO_VALUE_NULL;
        case Value::value_t::boolean: return ATOMICIO_VALUE_BOOLEAN;
        case Value::value_t::number_integer: return ATOMICIO_VALUE_INTEGER;
        case Value::value_t::number_unsigned: return ATOMICIO_VALUE_UNSIGNED;
        case Value::value_t::number_float: return ATOMICIO_VALUE_FLOATING;
        case Value::value_t::string: return ATOMICIO_VALUE_STRING;
        case Value::value_t::array: return ATOMICIO_VALUE_ARRAY;
        case Value::value_t::object: return ATOMICIO_VALUE_OBJECT;
        default: return ATOMICIO_VALUE_NULL;  // binary and discarded never come from a parse
      }
    },
    [](void*, atomicio_node n) noexcept -> std::int32_t { return node(n).is_boolean() && node(n).get<bool>(); },
    [](void*, atomicio_node n) noexcept -> std::int64_t {
      return node(n).is_number() ? node(n).get<std::int64_t>() : 0;
    },
    [](void*, atomicio_node n) noexcept -> std::uint64_t {
      return node(n).is_number() ? node(n).get<std::uint64_t>() : 0;
    },
    [](void*, atomicio_node n) noexcept -> double { return node(n).is_number() ? node(n).get<double>() : 0.0; },
    [](void*, atomicio_node n) noexcept -> atomicio_string {
      return node(n).is_string() ? view_of(node(n).get_ref<const std::string&>()) : atomicio_string{"", 0};
    },
    [](void*, atomicio_node n) noexcept -> std::size_t {
      return node(n).is_structured() ? node(n).size() : 0;
    },
    [](void*, atomicio_node n, std::size_t i) noexcept { return handle(node(n)[i]); },
    [](void*, atomicio_node n, std::size_t i) noexcept { return view_of(member(n, i)->first); },
    [](void*, atomicio_node n, std::size_t i) noexcept { return handle(member(n, i)->second); },
    [](void*, atomicio_node n, const char* key, std::size_t size) noexcept -> atomicio_node {
      if (!node(n).is_object()) return nullptr;
      const auto& object = node(n).get_ref<const Value::object_t&>();
      auto found = object.find(std::string_view(key, size));  // heterogeneous: no allocation
      return found == object.end() ? nullptr : handle(found->second);
    },
};

// Walks `value` with a heap stack, never recursing: the value may come from a caller's own
// nlohmann parse (the CLI's stdin) and be nested far deeper than any printer's stack allows.
void require_readable_depth(const Value& value, const std::filesystem::path& file) {
  std::vector<std::pair<const Value*, std::size_t>> pending{{&value, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    if (depth > kMaxNestingDepth)
      throw FileWriteError("serialize", file,
                           "the value nests objects and arrays deeper than " + std::to_string(kMaxNestingDepth) +
                               " levels, the most atomicio reads back; nothing was written");
    for (const Value& child : *node)
      if (child.is_structured()) pending.emplace_back(&child, depth + 1);
  }
}

struct SinkContext {
  ByteSink* sink;
  std::exception_ptr failure;
};

}  // namespace

Value parse_with_plugin(const atomicio_format_v1& format, const std::string& plugin_id,
                        std::string_view bytes, const std::filesystem::path& file) {
  Builder builder;
  atomicio_value_builder table = kBuilderTable;
  table.context = &builder;
  const atomicio_input input{sizeof(atomicio_input), reinterpret_cast<const unsigned char*>(bytes.data()),
                             bytes.size(), nullptr, nullptr};
  Diagnostic diagnostic;
  std::int32_t status = format.parse(format.self, &input, &table, &diagnostic.raw);
  if (status == ATOMICIO_OK && builder.stack.empty() && builder.has_root) return std::move(builder.root);
  std::string detail;
  if (status == ATOMICIO_OK) detail = plugin_id + " ended the document early";
  else if (status == ATOMICIO_ERR_ABORTED) detail = "document rejected: " + builder.error;
  else detail = plugin_id + ": " + diagnostic.message + diagnostic.position();
  std::error_code code;
  if (status == ATOMICIO_ERR_OS) code = {diagnostic.raw.os_errno, std::generic_category()};
  throw FileReadError("parse", file, detail, code, diagnostic.raw.line, diagnostic.raw.column,
                      diagnostic.raw.byte_offset);
}

void dump_with_plugin(const atomicio_format_v1& format, const std::string& plugin_id, const Value& value,
                      ByteSink& out, const std::filesystem::path& file) {
  require_readable_depth(value, file);
  atomicio_value_view view = kViewTable;
  view.root = handle(value);
  SinkContext sink{&out, nullptr};
  const atomicio_output output{sizeof(atomicio_output), &sink,
                               [](void* c, const void* data, std::size_t size) noexcept -> std::int32_t {
                                 auto& s = *static_cast<SinkContext*>(c);
                                 try {
                                   s.sink->write(std::string_view(static_cast<const char*>(data), size));
                                   return 0;
                                 } catch (...) {
                                   s.failure = std::current_exception();
                                   return 1;
                                 }
                               }};
  Diagnostic diagnostic;
  std::int32_t status = format.dump(format.self, &view, &output, &diagnostic.raw);
  if (sink.failure) std::rethrow_exception(sink.failure);
  if (status == ATOMICIO_OK) return;
  std::error_code code;
  if (status == ATOMICIO_ERR_OS) code = {diagnostic.raw.os_errno, std::generic_category()};
  std::string detail = status == ATOMICIO_ERR_UNSUPPORTED
                           ? plugin_id + " cannot hold this value: " + diagnostic.message
                           : plugin_id + " failed to serialize: " + diagnostic.message;
  throw FileWriteError("serialize", file, detail, code);
}

}  // namespace atomicio::detail
