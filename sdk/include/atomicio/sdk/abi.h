/*
 * The binary boundary between libatomicio and its plugins, in plain C.
 *
 * Only what is declared here crosses between the core and a plugin: fixed-width integers,
 * size-prefixed structs, pointer-plus-length UTF-8 strings, opaque handles and function
 * pointers. No C++ exception, standard-library container or third-party object ever does, so a
 * plugin built with another compiler, standard library or json library still works. Plugin
 * authors normally never touch this file directly: the C++ layer in format_plugin.hpp and
 * lock_backend.hpp implements it and catches every exception at each entry point.
 *
 * Evolution: every struct starts with `struct_size`. A new field or function is appended and
 * bumps ATOMICIO_ABI_MINOR; readers check struct_size before touching an appended member, so a
 * core serves plugins of any older minor. Anything else bumps ATOMICIO_ABI_MAJOR, which changes
 * the entry symbol's name and the plugin directory (plugins-abiN).
 */
#ifndef ATOMICIO_SDK_ABI_H
#define ATOMICIO_SDK_ABI_H

#include <stddef.h>
#include <stdint.h>

#define ATOMICIO_ABI_MAJOR 1
#define ATOMICIO_ABI_MINOR 2 /* 1: codec plugins (atomicio_codec_v1); 2: lock options */

/* The one symbol a plugin exports. Its name carries the ABI major. */
#define ATOMICIO_PLUGIN_ENTRY_NAME "atomicio_plugin_entry_v1"

#ifdef __cplusplus
extern "C" {
#endif

/* What a call across the boundary reports. The plugin fills an atomicio_diagnostic as well. */
typedef enum atomicio_status {
  ATOMICIO_OK = 0,
  ATOMICIO_ERR_PARSE = 1,       /* input is not valid in this format; position in the diagnostic */
  ATOMICIO_ERR_UNSUPPORTED = 2, /* the value cannot be represented in this format */
  ATOMICIO_ERR_IO = 3,          /* a host callback (read/write) failed; the host knows why */
  ATOMICIO_ERR_OS = 4,          /* a system call failed; os_errno says which error */
  ATOMICIO_ERR_BUSY = 5,        /* a lock is held elsewhere (try-lock or timeout expired) */
  ATOMICIO_ERR_ABORTED = 6,     /* a host callback asked the plugin to stop */
  ATOMICIO_ERR_INTERNAL = 7     /* anything else, e.g. an exception caught by the SDK */
} atomicio_status;

typedef enum atomicio_plugin_kind {
  ATOMICIO_KIND_FORMAT = 1,
  ATOMICIO_KIND_CODEC = 2, /* since minor 1 */
  ATOMICIO_KIND_LOCK_BACKEND = 3
} atomicio_plugin_kind;

typedef struct atomicio_string {
  const char* data;
  size_t size;
} atomicio_string;

/* Filled by the plugin when a call fails. Positions are -1 when unknown; lines and columns
 * count from 1. The message is copied by the host during set_message. */
typedef struct atomicio_diagnostic {
  uint32_t struct_size;
  int32_t os_errno;
  int64_t line;
  int64_t column;
  int64_t byte_offset;
  void* host_context;
  void (*set_message)(void* host_context, const char* message, size_t size);
} atomicio_diagnostic;

/* Bytes for a parser. When `data` is non-null the whole content is in memory; otherwise it is
 * pulled with `read`, which returns the number of bytes stored, 0 at the end, or -1 when the
 * host failed (the plugin then returns ATOMICIO_ERR_IO). */
typedef struct atomicio_input {
  uint32_t struct_size;
  const unsigned char* data;
  size_t size;
  void* context;
  int64_t (*read)(void* context, void* buffer, size_t capacity);
} atomicio_input;

/* Where a serializer writes. `write` returns 0, or non-zero when the host failed (disk full,
 * I/O error); the plugin must then stop and return ATOMICIO_ERR_IO. */
typedef struct atomicio_output {
  uint32_t struct_size;
  void* context;
  int32_t (*write)(void* context, const void* data, size_t size);
} atomicio_output;

/* Host-side document builder a parser pushes events into, in document order. Each callback
 * returns 0 to continue or non-zero to stop (the plugin then returns ATOMICIO_ERR_ABORTED). */
typedef struct atomicio_value_builder {
  uint32_t struct_size;
  void* context;
  int32_t (*null_value)(void* context);
  int32_t (*boolean)(void* context, int32_t value);
  int32_t (*integer)(void* context, int64_t value);
  int32_t (*unsigned_integer)(void* context, uint64_t value);
  int32_t (*floating)(void* context, double value);
  int32_t (*string)(void* context, const char* data, size_t size);
  int32_t (*begin_object)(void* context);
  int32_t (*key)(void* context, const char* data, size_t size);
  int32_t (*end_object)(void* context);
  int32_t (*begin_array)(void* context);
  int32_t (*end_array)(void* context);
} atomicio_value_builder;

typedef enum atomicio_value_type {
  ATOMICIO_VALUE_NULL = 0,
  ATOMICIO_VALUE_BOOLEAN = 1,
  ATOMICIO_VALUE_INTEGER = 2,
  ATOMICIO_VALUE_UNSIGNED = 3,
  ATOMICIO_VALUE_FLOATING = 4,
  ATOMICIO_VALUE_STRING = 5,
  ATOMICIO_VALUE_ARRAY = 6,
  ATOMICIO_VALUE_OBJECT = 7
} atomicio_value_type;

/* A node of a host-owned document; valid only during the call it was passed to. */
typedef const struct atomicio_node_tag* atomicio_node;

/* Read-only random access to a host-owned document, for serializers. Object members are
 * visited by index in the document's key order. */
typedef struct atomicio_value_view {
  uint32_t struct_size;
  void* context;
  atomicio_node root;
  int32_t (*type)(void* context, atomicio_node node);
  int32_t (*get_boolean)(void* context, atomicio_node node);
  int64_t (*get_integer)(void* context, atomicio_node node);
  uint64_t (*get_unsigned)(void* context, atomicio_node node);
  double (*get_floating)(void* context, atomicio_node node);
  atomicio_string (*get_string)(void* context, atomicio_node node);
  size_t (*size)(void* context, atomicio_node node);
  atomicio_node (*array_at)(void* context, atomicio_node node, size_t index);
  atomicio_string (*key_at)(void* context, atomicio_node node, size_t index);
  atomicio_node (*value_at)(void* context, atomicio_node node, size_t index);
  atomicio_node (*find)(void* context, atomicio_node node, const char* key, size_t size);
} atomicio_value_view;

/* A format plugin: bytes to document and back. Both calls may run concurrently on several
 * threads with the same `self`. */
typedef struct atomicio_format_v1 {
  uint32_t struct_size;
  void* self;
  int32_t (*parse)(void* self, const atomicio_input* input, const atomicio_value_builder* out,
                   atomicio_diagnostic* diagnostic);
  int32_t (*dump)(void* self, const atomicio_value_view* value, const atomicio_output* out,
                  atomicio_diagnostic* diagnostic);
} atomicio_format_v1;

typedef enum atomicio_lock_mode {
  ATOMICIO_LOCK_EXCLUSIVE = 0,
  ATOMICIO_LOCK_SHARED = 1
} atomicio_lock_mode;

/* Per-lock settings a backend may use (since minor 2). */
typedef struct atomicio_lock_options {
  uint32_t struct_size;
  /* Backends with stale-lock detection (lockfile): how old a lock whose owner cannot be
   * checked must be to count as abandoned; 0 never, -1 the backend's own default. */
  int64_t stale_after_ns;
} atomicio_lock_options;

/* An inter-process lock backend. The core calls it on the sidecar lock file, at most once at a
 * time per handle (its in-process table serializes threads), so a backend need not be
 * re-entrant per handle. timeout_ns < 0 waits forever, 0 tries once, > 0 waits up to that long;
 * a lock that stays held returns ATOMICIO_ERR_BUSY. */
typedef struct atomicio_lock_backend_v1 {
  uint32_t struct_size;
  void* self;
  int32_t (*open)(void* self, const char* sidecar_path, size_t size, void** handle,
                  atomicio_diagnostic* diagnostic);
  int32_t (*lock)(void* self, void* handle, int32_t mode, int64_t timeout_ns,
                  atomicio_diagnostic* diagnostic);
  int32_t (*unlock)(void* self, void* handle, atomicio_diagnostic* diagnostic);
  void (*close)(void* self, void* handle);
  /* Since minor 2 (check struct_size): open() with settings. */
  int32_t (*open_with_options)(void* self, const char* sidecar_path, size_t size,
                               const atomicio_lock_options* options, void** handle,
                               atomicio_diagnostic* diagnostic);
} atomicio_lock_backend_v1;

typedef enum atomicio_codec_direction {
  ATOMICIO_CODEC_DECODE = 0,
  ATOMICIO_CODEC_ENCODE = 1
} atomicio_codec_direction;

/* One step of a codec stream, in the manner of zlib's z_stream: the codec consumes what it can
 * of `in`, produces what fits into `out`, and records both in `in_used` and `out_used` (the
 * host sets them to 0 before each call). The host sets `finish` once `in` holds the last of
 * the input; the codec sets `done` when, with `finish` set, all its output has been produced.
 * The host calls again while the codec makes progress; `out_size` is never 0. */
typedef struct atomicio_codec_step {
  uint32_t struct_size;
  const unsigned char* in;
  size_t in_size;
  size_t in_used;
  unsigned char* out;
  size_t out_size;
  size_t out_used;
  int32_t finish;
  int32_t done;
} atomicio_codec_step;

/* A compression codec (since minor 1). A decoder reads concatenated streams (multi-member gzip,
 * multi-stream xz and bzip2) as one; bytes after the last stream that do not start another are
 * ATOMICIO_ERR_PARSE, as is input that ends inside a stream once `finish` is set, each with the
 * compressed byte offset in the diagnostic. `level` is the codec's own scale, -1 for its
 * default; decoders ignore it. Streams are independent: several may run at once on different
 * threads. */
typedef struct atomicio_codec_v1 {
  uint32_t struct_size;
  void* self;
  int32_t (*open)(void* self, int32_t direction, int32_t level, void** stream,
                  atomicio_diagnostic* diagnostic);
  int32_t (*step)(void* self, void* stream, atomicio_codec_step* io,
                  atomicio_diagnostic* diagnostic);
  void (*close)(void* self, void* stream);
} atomicio_codec_v1;

/* What the core tells a plugin when it loads it. */
typedef struct atomicio_host_v1 {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
} atomicio_host_v1;

/* What a plugin answers: who it is and its interface (an atomicio_format_v1,
 * atomicio_codec_v1 or atomicio_lock_backend_v1 according to `kind`). The core checks id, kind and ABI against the
 * plugin's manifest. The descriptor must stay valid while the library is loaded. */
typedef struct atomicio_plugin_v1 {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  int32_t kind;
  const char* id;
  const char* version;
  const void* interface;
} atomicio_plugin_v1;

/* The entry point. Returns null when the plugin cannot serve this host (e.g. ABI too old). */
typedef const atomicio_plugin_v1* (*atomicio_plugin_entry_fn)(const atomicio_host_v1* host);

#ifdef __cplusplus
}
#endif

#endif /* ATOMICIO_SDK_ABI_H */
