// The private interface between codec.xz's entry point (xz_plugin.cpp) and its two directions,
// both on liblzma's lzma_stream: xz_decoder.cpp and xz_encoder.cpp. Nothing here is visible
// outside the plugin.
//
// Thread-safety: make_decoder()/make_encoder() may run on several threads at once; each stream
// they return is used by one thread at a time.
#pragma once

#include <atomicio/sdk/codec_plugin.hpp>

#include <memory>

namespace atomicio::xz {

/// liblzma's presets, as in xz(1)'s -0 ... -9 (without --extreme).
inline constexpr int kMinLevel = 0;
inline constexpr int kMaxLevel = 9;
inline constexpr int kDefaultLevel = 6;  // LZMA_PRESET_DEFAULT, and xz(1)'s default

/// A decoder of one or more concatenated .xz streams, with stream padding, read as one stream.
/// Throws std::bad_alloc when liblzma cannot allocate its state.
std::unique_ptr<sdk::CodecStream> make_decoder();

/// An encoder writing one .xz stream (LZMA2, CRC64 check) with preset `level` (already
/// checked). Throws std::bad_alloc when liblzma cannot allocate its state (preset 9 needs
/// about 674 MiB for encoding).
std::unique_ptr<sdk::CodecStream> make_encoder(int level);

}  // namespace atomicio::xz
