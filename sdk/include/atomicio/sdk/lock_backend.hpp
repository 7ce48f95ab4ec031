// What a lock backend author implements: open a sidecar lock file, lock it shared or
// exclusive with a timeout, unlock it. Derive from LockBackend and end one source file with
// ATOMICIO_LOCK_BACKEND_PLUGIN(YourClass).
//
// Thread-safety: open() may run on several threads at once; the host never calls lock() or
// unlock() concurrently on one handle (its in-process lock table serializes them).
#pragma once

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/deadline.hpp>
#include <atomicio/sdk/entry_guard.hpp>
#include <atomicio/sdk/errors.hpp>
#include <atomicio/sdk/export.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace atomicio::sdk {
inline namespace abi_v1 {

enum class LockMode { exclusive = ATOMICIO_LOCK_EXCLUSIVE, shared = ATOMICIO_LOCK_SHARED };

/// What the application asked of a lock besides its mode.
struct LockSettings {
  /// For backends that detect stale locks: how old a lock whose owner cannot be checked must
  /// be to count as abandoned. Zero: never; negative: the backend's own default.
  std::chrono::nanoseconds stale_after{-1};
};

class LockBackend {
 public:
  /// The backend's state for one open sidecar; destroying it closes the sidecar.
  class Handle {
   public:
    virtual ~Handle() = default;
  };

  virtual ~LockBackend() = default;

  /// Opens (creating if needed) the sidecar lock file. Throws OsError on failure.
  virtual std::unique_ptr<Handle> open(const std::string& sidecar_path) = 0;
  /// open() with the application's settings; override when the backend has any. The default
  /// ignores them.
  virtual std::unique_ptr<Handle> open_with(const std::string& sidecar_path, const LockSettings& settings) {
    (void)settings;
    return open(sidecar_path);
  }

  /// Takes the lock. A negative timeout waits forever, zero tries once. Returns false when the
  /// lock is still held elsewhere at the deadline; throws OsError when locking itself fails.
  virtual bool lock(Handle& handle, LockMode mode, std::chrono::nanoseconds timeout) = 0;

  /// Releases the lock. Throws OsError on failure.
  virtual void unlock(Handle& handle) = 0;
};

/// Calls `try_once` until it returns true or `timeout` passes, sleeping with a capped
/// exponential backoff between tries: the waiting strategy for backends whose system call has
/// no timed form. Returns try_once's last answer.
template <class TryOnce>
bool poll_until(std::chrono::nanoseconds timeout, TryOnce&& try_once) {
  const auto deadline = deadline_after(timeout);
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    if (try_once()) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
    std::this_thread::sleep_for(pause < left ? pause : left);
    if (pause < std::chrono::milliseconds(10)) pause *= 2;
  }
}

namespace detail {

template <class Plugin>
const atomicio_plugin_v1* lock_backend_entry(const atomicio_host_v1* host, const char* id,
                                             const char* version) noexcept {
  if (host == nullptr || host->abi_major != ATOMICIO_ABI_MAJOR) return nullptr;
  Plugin* instance = plugin_instance<Plugin>();
  if (instance == nullptr) return nullptr;
  using Handle = LockBackend::Handle;
  static const atomicio_lock_backend_v1 table{
      sizeof(atomicio_lock_backend_v1), instance,
      [](void* self, const char* path, std::size_t size, void** handle,
         atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic, [&] {
          *handle = static_cast<Plugin*>(self)->open(std::string(path, size)).release();
        });
      },
      [](void* self, void* handle, std::int32_t mode, std::int64_t timeout_ns,
         atomicio_diagnostic* diagnostic) noexcept {
        bool acquired = false;
        std::int32_t status = guarded(diagnostic, [&] {
          acquired = static_cast<Plugin*>(self)->lock(*static_cast<Handle*>(handle),
                                                      static_cast<LockMode>(mode),
                                                      std::chrono::nanoseconds(timeout_ns));
        });
        return status == ATOMICIO_OK && !acquired ? std::int32_t{ATOMICIO_ERR_BUSY} : status;
      },
      [](void* self, void* handle, atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic,
                       [&] { static_cast<Plugin*>(self)->unlock(*static_cast<Handle*>(handle)); });
      },
      [](void*, void* handle) noexcept { delete static_cast<Handle*>(handle); },
      [](void* self, const char* path, std::size_t size, const atomicio_lock_options* options, void** handle,
         atomicio_diagnostic* diagnostic) noexcept {
        return guarded(diagnostic, [&] {
          LockSettings settings;
          if (options != nullptr && options->struct_size >= sizeof(atomicio_lock_options))
            settings.stale_after = std::chrono::nanoseconds(options->stale_after_ns);
          LockBackend* backend = static_cast<Plugin*>(self);  // virtual dispatch past name hiding
          *handle = backend->open_with(std::string(path, size), settings).release();
        });
      }};
  static const atomicio_plugin_v1 descriptor{sizeof(atomicio_plugin_v1), ATOMICIO_ABI_MAJOR,
                                             declared_abi_minor<0>(),     ATOMICIO_KIND_LOCK_BACKEND,
                                             id,                          version,
                                             &table};
  return &descriptor;
}

}  // namespace detail
}  // namespace abi_v1
}  // namespace atomicio::sdk

/// Emits the plugin's entry point for lock backend class `PluginClass` (default-constructible).
#define ATOMICIO_LOCK_BACKEND_PLUGIN(PluginClass)                                                \
  extern "C" ATOMICIO_PLUGIN_EXPORT const atomicio_plugin_v1* atomicio_plugin_entry_v1(          \
      const atomicio_host_v1* host) {                                                            \
    return ::atomicio::sdk::detail::lock_backend_entry<PluginClass>(host, ATOMICIO_PLUGIN_ID,    \
                                                                    ATOMICIO_PLUGIN_VERSION);    \
  }
