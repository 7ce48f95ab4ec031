// Marks the symbols libatomicio_async exports; everything else is hidden.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define ATOMICIO_ASYNC_EXPORT __attribute__((visibility("default")))
#else
#define ATOMICIO_ASYNC_EXPORT
#endif
