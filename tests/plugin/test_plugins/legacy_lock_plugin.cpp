// lock.legacy.so (test only): a lock backend as a plugin built for ABI 1.0 would ship it, with
// an atomicio_lock_backend_v1 that ends before open_with_options (added in 1.2). Written against
// the C header alone so its table has exactly the old size. It locks nothing between processes
// (the host's in-process lock table still applies) and counts the calls it receives.
//
// Its open_with_options member, beyond struct_size, holds a trap: a host that read past
// struct_size would call it, and the test would see that.
#include <atomicio/sdk/abi.h>

#include <cstddef>
#include <cstdint>

namespace {

int opened = 0;
int trapped = 0;
int marker = 0;  // the handle: any non-null pointer

int32_t open_sidecar(void*, const char*, size_t, void** handle, atomicio_diagnostic*) {
  ++opened;
  *handle = &marker;
  return ATOMICIO_OK;
}
int32_t lock(void*, void*, int32_t, int64_t, atomicio_diagnostic*) { return ATOMICIO_OK; }
int32_t unlock(void*, void*, atomicio_diagnostic*) { return ATOMICIO_OK; }
void close_sidecar(void*, void*) {}
int32_t trap(void*, const char*, size_t, const atomicio_lock_options*, void**, atomicio_diagnostic*) {
  ++trapped;
  return ATOMICIO_ERR_INTERNAL;
}

const atomicio_lock_backend_v1 backend{static_cast<uint32_t>(offsetof(atomicio_lock_backend_v1, open_with_options)),
                                       nullptr, open_sidecar, lock, unlock, close_sidecar, trap};

const atomicio_plugin_v1 descriptor{sizeof(atomicio_plugin_v1), 1, 0, ATOMICIO_KIND_LOCK_BACKEND,
                                    "lock.legacy", "1.0.0", &backend};

}  // namespace

extern "C" __attribute__((visibility("default"))) const atomicio_plugin_v1* atomicio_plugin_entry_v1(
    const atomicio_host_v1*) {
  return &descriptor;
}

// For the test, which finds these with dlsym: how often each entry was called.
extern "C" __attribute__((visibility("default"))) int legacy_lock_opened() { return opened; }
extern "C" __attribute__((visibility("default"))) int legacy_lock_trapped() { return trapped; }
