// The private interface between codec.gzip's entry point (gzip_plugin.cpp) and its two
// directions, both on zlib's z_stream: gzip_decoder.cpp (inflate) and gzip_encoder.cpp
// (deflate). Nothing here is visible outside the plugin.
//
// Thread-safety: make_decoder()/make_encoder() may run on several threads at once; each stream
// they return is used by one thread at a time.
#pragma once

#include <atomicio/sdk/codec_plugin.hpp>

#include <memory>

namespace atomicio::gzip {

inline constexpr int kMinLevel = 1;
inline constexpr int kMaxLevel = 9;
inline constexpr int kDefaultLevel = 6;  // zlib's Z_DEFAULT_COMPRESSION, and gzip(1)'s default

/// A decoder of one or more concatenated gzip members (RFC 1952), read as one stream.
/// Throws std::bad_alloc when zlib cannot allocate its state.
std::unique_ptr<sdk::CodecStream> make_decoder();

/// An encoder writing one gzip member at `level` (kMinLevel..kMaxLevel, already checked).
/// Throws std::bad_alloc when zlib cannot allocate its state.
std::unique_ptr<sdk::CodecStream> make_encoder(int level);

}  // namespace atomicio::gzip
