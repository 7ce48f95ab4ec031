// Choosing the inter-process lock backend for a file: by name, the process default, from
// ATOMICIO_LOCK_BACKEND, else "ofd". Never a choice based on what is installed.
#pragma once

#include <atomicio/plugin_host.hpp>
#include <atomicio/sdk/abi.h>

#include <chrono>
#include <string>

namespace atomicio::detail {

struct LockBackendRef {
  std::string name;
  const atomicio_lock_backend_v1* table = nullptr;
  /// Passed to the backend when it opens the sidecar (see LockOptions::stale_after).
  std::chrono::nanoseconds stale_after{-1};
};

/// Resolves `requested` (empty: set_default_lock_backend()'s name, else ATOMICIO_LOCK_BACKEND,
/// else "ofd") to a loaded backend. Throws PluginNotInstalledError naming the backend and where plugins were searched,
/// or PluginLoadError.
LockBackendRef resolve_lock_backend(std::string requested, PluginHost& host);

}  // namespace atomicio::detail
