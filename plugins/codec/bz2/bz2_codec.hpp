// The private interface between codec.bz2's entry point (bz2_plugin.cpp) and its two
// directions, both on libbzip2's bz_stream: bz2_decoder.cpp and bz2_encoder.cpp. Nothing here
// is visible outside the plugin.
//
// Thread-safety: make_decoder()/make_encoder() may run on several threads at once; each stream
// they return is used by one thread at a time.
#pragma once

#include <atomicio/sdk/codec_plugin.hpp>

#include <memory>

namespace atomicio::bz2 {

/// The level is bzip2's block size in units of 100 kB, as in bzip2(1)'s -1 ... -9.
inline constexpr int kMinLevel = 1;
inline constexpr int kMaxLevel = 9;
inline constexpr int kDefaultLevel = 9;  // bzip2(1)'s default

/// A decoder of one or more concatenated bzip2 streams, read as one stream.
/// Throws std::bad_alloc when libbzip2 cannot allocate its state.
std::unique_ptr<sdk::CodecStream> make_decoder();

/// An encoder writing one bzip2 stream with blocks of `level` x 100 kB (already checked).
/// Throws std::bad_alloc when libbzip2 cannot allocate its state.
std::unique_ptr<sdk::CodecStream> make_encoder(int level);

}  // namespace atomicio::bz2
