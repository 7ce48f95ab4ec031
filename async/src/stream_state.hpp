// What an AsyncStream and its operation in flight share: the file, the codec, the cursor, the
// plaintext read ahead and the compressed bytes not yet written. Only the one operation in
// flight (or the owner between operations) touches it; `busy` tells them apart.
#pragma once

#include <atomicio/async/async_stream.hpp>
#include <atomicio/codec_stream.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>

namespace atomicio::detail {

struct StreamState {
  AsyncFile file;
  boost::asio::any_io_executor executor;  // the file's, kept after it closes
  IoEngine* engine = nullptr;
  std::filesystem::path path;
  AsyncStreamOptions options;
  bool readable = false;
  bool writable = false;
  bool append = false;
  bool seekable = true;
  std::optional<StreamDecoder> decoder;  // a compressed stream being read
  std::optional<StreamEncoder> encoder;  // a compressed stream being written

  std::uint64_t cursor = 0;

  // Plaintext bytes [buffer_start, buffer_start + buffer.size()) read ahead of or around the
  // cursor. For a plain file `source_offset` is their end; for a compressed one it is the
  // compressed offset the decoder has reached.
  std::string buffer;
  std::uint64_t buffer_start = 0;
  std::uint64_t source_offset = 0;
  bool decoder_ended = false;
  // A decoder that threw is unusable until a seek back makes a fresh one; reads report this.
  std::exception_ptr decode_failure;

  // Compressed bytes encoded but not written yet, and the file offset they go to.
  std::string outgoing;
  std::uint64_t file_offset = 0;
  // Append mode: the end of the file as far as this stream knows it.
  std::uint64_t end = 0;
  // A compressed stream whose bytes failed to reach the file is incomplete for good.
  std::exception_ptr write_failure;

  std::atomic<bool> busy{false};
  bool closed = false;

  bool compressed() const noexcept { return decoder.has_value() || encoder.has_value(); }
  std::uint64_t buffer_end() const noexcept { return buffer_start + buffer.size(); }
  /// Forgets the read-ahead and restarts reads at the cursor (plain streams only).
  void drop_buffer() noexcept {
    buffer.clear();
    buffer_start = cursor;
    source_offset = cursor;
  }
};

/// The private constructor of AsyncStream, for the operations that hand one out.
struct StreamAccess {
  static AsyncStream make(StreamPtr state) noexcept { return AsyncStream(std::move(state)); }
};

}  // namespace atomicio::detail
