// Marks the symbols libatomicio exports; everything else is hidden (-fvisibility=hidden), which
// keeps the ABI surface to what the public headers declare.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define ATOMICIO_EXPORT __attribute__((visibility("default")))
#else
#define ATOMICIO_EXPORT
#endif
