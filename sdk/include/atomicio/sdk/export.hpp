// How a plugin exports its single entry point. The SDK's CMake helper also hides every other
// symbol (visibility and a version script), so a plugin's statically linked code can never
// interpose on another plugin's or the host's.
#pragma once

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
