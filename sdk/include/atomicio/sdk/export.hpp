// How a plugin exports its single entry point. The SDK's CMake helper also hides every other
// symbol (visibility and a version script), so a plugin's statically linked code can never
// interpose on another plugin's or the host's.
#pragma once

#include <atomicio/sdk/abi.h>

#include <cstdint>

#if defined(__GNUC__) || defined(__clang__)
#define ATOMICIO_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define ATOMICIO_PLUGIN_EXPORT
#endif

// The id and version come from the build helper (atomicio_add_plugin), which also writes them
// into the manifest, so the two cannot disagree by accident. Define them yourself only when you
// build without the helper.
#ifndef ATOMICIO_PLUGIN_ID
#error "ATOMICIO_PLUGIN_ID is not defined: build the plugin with atomicio_add_plugin()"
#endif
#ifndef ATOMICIO_PLUGIN_VERSION
#define ATOMICIO_PLUGIN_VERSION "0.0.0"
#endif

// The ABI minor the plugin declares, in its descriptor and (through the build helper) its
// manifest: the newest part of the ABI it uses, so that cores of every minor from there on load
// it. Without the helper it is the oldest minor that has the plugin's kind.
namespace atomicio::sdk {
inline namespace abi_v1 {
namespace detail {

template <std::uint32_t KindFloor>
constexpr std::uint32_t declared_abi_minor() noexcept {
#ifdef ATOMICIO_PLUGIN_NEEDS_ABI_MINOR
  static_assert(ATOMICIO_PLUGIN_NEEDS_ABI_MINOR >= KindFloor, "this plugin kind needs a newer ABI minor");
  static_assert(ATOMICIO_PLUGIN_NEEDS_ABI_MINOR <= ATOMICIO_ABI_MINOR, "this SDK does not know that ABI minor");
  return ATOMICIO_PLUGIN_NEEDS_ABI_MINOR;
#else
  return KindFloor;
#endif
}

}  // namespace detail
}  // namespace abi_v1
}  // namespace atomicio::sdk
