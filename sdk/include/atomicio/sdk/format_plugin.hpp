// What a format plugin author implements: parse bytes into the host's document and dump the
// host's document as bytes. Include this, derive from FormatPlugin, and end one source file with
// ATOMICIO_FORMAT_PLUGIN(YourClass).
//
// Thread-safety: the host may call parse() and dump() on one instance from several threads at
// once, so keep per-call state on the stack.
#pragma once

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/entry_guard.hpp>
#include <atomicio/sdk/errors.hpp>
#include <atomicio/sdk/export.hpp>
#include <atomicio/sdk/io.hpp>
#include <atomicio/sdk/value_builder.hpp>
#include <atomicio/sdk/value_view.hpp>

namespace atomicio::sdk {
inline namespace abi_v1 {

class FormatPlugin {
 public:
  virtual ~FormatPlugin() = default;

  /// Reads `input` and reports the document to `out`. Throws ParseError (with a position when
  /// known) for invalid input; the host discards whatever was built.
  virtual void parse(Input& input, ValueBuilder& out) = 0;

  /// Writes `value` to `out`. Throws UnsupportedValue when the format cannot hold it. The host
  /// writes into a temporary file, so a throw leaves the target untouched.
  virtual void dump(const ValueView& value, Output& out) = 0;
};

namespace detail {

template <class Plugin>
const atomicio_plugin_v1* format_entry(const atomicio_host_v1* host, const char* id,
                                       const char* version) noexcept {
  if (host == nullptr || host->abi_major != ATOMICIO_ABI_MAJOR) return nullptr;
  Plugin* instance = plugin_instance<Plugin>();
  if (instance == nullptr) return nullptr;
  static const atomicio_format_v1 table{
      sizeof(atomicio_format_v1), instance,
      [](void* self, const atomicio_input* raw_in, const atomicio_value_builder* raw_out,
         atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic, [&] {
          Input in(*raw_in);
          ValueBuilder out(*raw_out);
          static_cast<Plugin*>(self)->parse(in, out);
        });
      },
      [](void* self, const atomicio_value_view* raw_value, const atomicio_output* raw_out,
         atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic, [&] {
          Output out(*raw_out);
          static_cast<Plugin*>(self)->dump(ValueView(*raw_value), out);
        });
      }};
  static const atomicio_plugin_v1 descriptor{sizeof(atomicio_plugin_v1), ATOMICIO_ABI_MAJOR,
                                             declared_abi_minor<0>(),     ATOMICIO_KIND_FORMAT,
                                             id,                          version,
                                             &table};
  return &descriptor;
}

}  // namespace detail
}  // namespace abi_v1
}  // namespace atomicio::sdk

/// Emits the plugin's entry point for format class `PluginClass` (default-constructible).
#define ATOMICIO_FORMAT_PLUGIN(PluginClass)                                                  \
  extern "C" ATOMICIO_PLUGIN_EXPORT const atomicio_plugin_v1* atomicio_plugin_entry_v1(      \
      const atomicio_host_v1* host) {                                                        \
    return ::atomicio::sdk::detail::format_entry<PluginClass>(host, ATOMICIO_PLUGIN_ID,      \
                                                              ATOMICIO_PLUGIN_VERSION);      \
  }
