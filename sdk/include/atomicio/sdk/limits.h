/*
 * Limits the host and every format plugin share, in plain C so both sides of the ABI see one
 * value.
 */
#ifndef ATOMICIO_SDK_LIMITS_H
#define ATOMICIO_SDK_LIMITS_H

/* The deepest nesting of objects and arrays (the top-level value counts as one level) that any
 * document may have. The host refuses to build a deeper document and refuses to write one, and
 * a format plugin whose parser recurses checks its input against it before parsing, so a hostile
 * file is a parse error and not a stack overflow. 256 is the deepest every first-party format
 * reads back: toml++ stops inline values at 256 levels and yaml-cpp 0.7 at about 500. */
#define ATOMICIO_MAX_NESTING_DEPTH 256

#endif
