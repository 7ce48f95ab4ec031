// The framing every codec plugin's decoder shares: reading concatenated streams (multi-member
// gzip, multi-stream bzip2 and xz) as one, telling a following stream from trailing garbage,
// detecting input that ends inside a stream, and counting the compressed byte offset that
// every error carries. The library-specific part is an Engine that decodes one stream.
//
// Header-only, compiled into each codec plugin; nothing here is visible outside a plugin.
#pragma once

#include <atomicio/sdk/codec_plugin.hpp>
#include <atomicio/sdk/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace atomicio::codec {

/// What one call of an Engine did. `error` is the library's message for invalid data (then
/// `consumed` says how far into `in` the library got before it noticed), or null.
struct EngineResult {
  std::size_t consumed = 0;
  std::size_t produced = 0;
  bool stream_end = false;
  const char* error = nullptr;
};

/// A decoder of concatenated streams over `Engine`, which must provide:
///   static constexpr std::string_view kFormat;   // "gzip", in messages
///   static constexpr std::string_view kUnit;     // "member" or "stream", in messages
///   static constexpr std::size_t kMagicSize;     // bytes that identify the start of a stream
///   static constexpr bool kZeroPadding;          // zero bytes in fours may follow a stream (xz)
///   static bool magic_byte_ok(std::size_t index, unsigned char byte);
///   void start();  // (re)initialise the library for a new stream; throws std::bad_alloc
///   EngineResult run(std::span<const unsigned char> in, std::span<unsigned char> out);
/// run() decodes what it can of one stream, as far as `in` or `out` allows, and reports the
/// stream's end once its trailer has been checked; it must not read past that end.
///
/// Thread-safety: one object is used by one thread at a time.
template <class Engine>
class ConcatenatedDecoder final : public sdk::CodecStream {
 public:
  Progress step(std::span<const unsigned char> in, std::span<unsigned char> out, bool finish) override {
    Progress progress;
    for (;;) {
      std::span<const unsigned char> rest = in.subspan(progress.consumed);
      if (!in_stream_) {
        if (rest.empty()) {
          if (finish) {
            check_end_of_input();
            progress.done = true;
          }
          return progress;
        }
        if constexpr (Engine::kZeroPadding) {
          if (streams_ > 0 && rest.front() == 0) {
            std::size_t zeros = 0;
            while (zeros < rest.size() && rest[zeros] == 0) ++zeros;
            padding_ += static_cast<std::int64_t>(zeros);
            consume(progress, zeros);
            continue;
          }
        }
        if (padding_ % 4 != 0) throw trailing_data(offset_ - padding_);
        // The library is reset only when the next stream's first byte is here, so a stream
        // that ends the input costs nothing extra.
        engine_.start();
        in_stream_ = true;
        stream_start_ = offset_;
        padding_ = 0;
      }
      check_magic(rest);
      if (progress.produced == out.size()) return progress;
      EngineResult result = engine_.run(rest, out.subspan(progress.produced));
      if (result.error != nullptr)
        throw corrupt(offset_ + static_cast<std::int64_t>(result.consumed), result.error);
      if (result.consumed > rest.size() || result.produced > out.size() - progress.produced)
        throw std::logic_error(std::string(Engine::kFormat) + " library reported more bytes than it was given");
      progress.produced += result.produced;
      consume(progress, result.consumed);
      if (result.stream_end) {
        in_stream_ = false;
        ++streams_;
        continue;
      }
      if (result.consumed == 0 && result.produced == 0) {
        // The library stops only when it needs input or output space, and there is output
        // space: so it needs input, and at the end of the input that means a cut stream.
        if (!rest.empty())
          throw std::logic_error(std::string(Engine::kFormat) + " decoder stopped without using its input");
        if (finish) throw truncated();
        return progress;
      }
    }
  }

 private:
  void consume(Progress& progress, std::size_t bytes) {
    progress.consumed += bytes;
    offset_ += static_cast<std::int64_t>(bytes);
  }

  // Rejects, before the library sees them, bytes that cannot start a stream: after a complete
  // stream they are trailing data rather than a corrupt stream.
  void check_magic(std::span<const unsigned char> rest) const {
    const auto seen = static_cast<std::size_t>(offset_ - stream_start_);
    for (std::size_t i = seen; i < Engine::kMagicSize && i - seen < rest.size(); ++i) {
      if (Engine::magic_byte_ok(i, rest[i - seen])) continue;
      if (streams_ > 0) throw trailing_data(stream_start_);
      const std::int64_t at = offset_ + static_cast<std::int64_t>(i - seen);
      throw sdk::ParseError("not " + std::string(Engine::kFormat) + " data: bad magic number at byte " +
                                std::to_string(at),
                            -1, -1, at);
    }
  }

  void check_end_of_input() const {
    if (streams_ == 0) throw truncated();
    if (padding_ % 4 != 0) throw trailing_data(offset_ - padding_);
  }

  sdk::ParseError truncated() const {
    // A piece of a magic number after a complete stream is garbage, not a cut stream.
    if (streams_ > 0 && offset_ - stream_start_ < static_cast<std::int64_t>(Engine::kMagicSize))
      return trailing_data(stream_start_);
    if (offset_ == 0)
      return sdk::ParseError("truncated " + std::string(Engine::kFormat) + " data: the input is empty", -1, -1, 0);
    return sdk::ParseError("truncated " + std::string(Engine::kFormat) + " data: the input ends at byte " +
                               std::to_string(offset_) + " inside a " + std::string(Engine::kUnit),
                           -1, -1, offset_);
  }

  sdk::ParseError trailing_data(std::int64_t at) const {
    std::string message = "trailing data after the last " + std::string(Engine::kFormat) + " " +
                          std::string(Engine::kUnit) + " at byte " + std::to_string(at);
    if (padding_ % 4 != 0) message += " (stream padding must be a multiple of four zero bytes)";
    return sdk::ParseError(message, -1, -1, at);
  }

  static sdk::ParseError corrupt(std::int64_t at, const char* library_message) {
    return sdk::ParseError("corrupt " + std::string(Engine::kFormat) + " data at byte " + std::to_string(at) +
                               ": " + library_message,
                           -1, -1, at);
  }

  Engine engine_;
  bool in_stream_ = false;
  std::size_t streams_ = 0;      // complete streams decoded so far
  std::int64_t offset_ = 0;      // compressed bytes consumed so far
  std::int64_t stream_start_ = 0;
  std::int64_t padding_ = 0;     // zero bytes since the last stream (kZeroPadding only)
};

}  // namespace atomicio::codec
