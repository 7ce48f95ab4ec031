// AsyncStream reads: read(n), read to the end and readline, all served from the plaintext read
// ahead into the stream's buffer, which is filled one file read at a time (decoded on the way
// for a compressed stream). Nothing is taken from the buffer before the operation succeeds, so
// a cancelled or failed read leaves the cursor where it was and keeps what it read (a FIFO's
// bytes cannot be read twice).
#include "pool_job.hpp"
#include "stream_op.hpp"

#include <atomicio/errors.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace atomicio::detail {

namespace {

// A whole-file read doubles its file reads up to this, so a large file takes few hops.
constexpr std::size_t kLargestFill = 16 << 20;
// Consumed plaintext kept behind the cursor, so a short seek back needs no re-reading.
constexpr std::size_t kKeepBehind = 64 * 1024;

std::string not_readable(const StreamState& state) {
  if (state.encoder)
    return "cannot read: a compressed stream opened for writing cannot be read back; close it and open it "
           "again with mode \"r\"";
  return "cannot read: the stream was opened write-only";
}

// Decodes a piece of the compressed file into the buffer; a codec error is kept, not thrown.
void decode_into(StreamState& state, const std::string& compressed, bool at_end) {
  try {
    state.decoder->decode(compressed, state.buffer);
    if (at_end) {
      state.decoder->finish(state.buffer);
      state.decoder_ended = true;
    }
  } catch (...) {
    state.decode_failure = std::current_exception();
  }
}

class ReadOp : public StreamOp<ReadOp, std::string> {
 public:
  // Reads `count` bytes, or a line when `separator` is not empty.
  ReadOp(StreamPtr state, std::size_t count, std::string separator, StreamTextCompletion handler)
      : StreamOp(std::move(state), std::move(handler)), count_(count), separator_(std::move(separator)) {}

  void start(bool line) {
    if (!claim(line ? "read a line" : "read")) return;
    if (!state().readable) return complete(misuse_error(not_readable(state())), {});
    fill_size_ = state().options.chunk_size;
    watch_cancellation();
    step();
  }

 private:
  bool line() const noexcept { return !separator_.empty(); }

  void step() {
    StreamState& s = state();
    if (s.decoder && s.cursor < s.buffer_start) return rewind();
    if (!s.decoder && (s.cursor < s.buffer_start || s.cursor > s.buffer_end())) s.drop_buffer();
    if (s.decoder && s.cursor >= s.buffer_end() && !s.buffer.empty()) {
      // Decoding forward to a sought offset: what lies before it is not needed.
      s.buffer_start = s.buffer_end();
      s.buffer.clear();
    }
    if (try_finish()) return;
    if (s.decode_failure) return complete(s.decode_failure, {});
    fill();
  }

  // Completes when the buffer holds what was asked for (or all there is); false to read more.
  bool try_finish() {
    StreamState& s = state();
    const std::uint64_t end = s.buffer_end();
    const std::size_t available = s.cursor < end ? static_cast<std::size_t>(end - s.cursor) : 0;
    if (line()) {
      const std::size_t at = static_cast<std::size_t>(std::min(s.cursor, end) - s.buffer_start);
      std::string_view view(s.buffer.data() + at, available);
      std::size_t found = view.find(separator_, scan_from_);
      if (found != std::string_view::npos) {
        std::size_t length = found + separator_.size();
        if (length > s.options.max_line) return fail_long_line();
        take(length);
        return true;
      }
      if (available > s.options.max_line) return fail_long_line();
      // A separator may straddle the next fill: rescan its possible start.
      scan_from_ = available >= separator_.size() ? available - separator_.size() + 1 : 0;
      if (!ended_) return false;
      take(available);
      return true;
    }
    if (available >= count_ || ended_) {
      take(std::min(available, count_));
      return true;
    }
    return false;
  }

  void take(std::size_t length) {
    StreamState& s = state();
    // A compressed stream sought past its end stops at the end, as Python's gzip does.
    if (s.cursor > s.buffer_end()) s.cursor = s.buffer_end();
    std::string out;
    if (s.cursor == s.buffer_start && length == s.buffer.size()) {
      out = std::move(s.buffer);
      s.buffer.clear();
      s.buffer_start += length;
    } else {
      out.assign(s.buffer, static_cast<std::size_t>(s.cursor - s.buffer_start), length);
    }
    s.cursor += length;
    const std::uint64_t behind = s.cursor - s.buffer_start;
    if (behind > kKeepBehind && behind * 2 > s.buffer.size()) {
      s.buffer.erase(0, static_cast<std::size_t>(behind));
      s.buffer_start = s.cursor;
    }
    complete(nullptr, std::move(out));
  }

  bool fail_long_line() {
    const StreamState& s = state();
    complete(std::make_exception_ptr(FileReadError(
                 "readline", s.path,
                 "the line at offset " + std::to_string(s.cursor) + " is longer than the limit of " +
                     std::to_string(s.options.max_line) + " bytes (AsyncStreamOptions::max_line)",
                 {}, -1, -1, static_cast<long long>(s.cursor))),
             {});
    return true;
  }

  std::size_t next_fill_size() {
    StreamState& s = state();
    const std::size_t chunk = s.options.chunk_size;
    if (line()) return chunk;
    std::size_t size = fill_size_;
    fill_size_ = std::max(chunk, std::min(fill_size_ * 2, kLargestFill));
    if (!s.decoder && count_ != AsyncStream::npos) {
      const std::uint64_t end = s.buffer_end();
      const std::uint64_t have = s.cursor < end ? end - s.cursor : 0;
      size = std::max<std::size_t>(chunk, std::min<std::uint64_t>(count_ - have, size));
    }
    return size;
  }

  void fill() {
    StreamState& s = state();
    if (s.decoder && s.decoder_ended) {
      ended_ = true;
      return step();
    }
    auto chunk = std::make_shared<std::string>(next_fill_size(), '\0');
    s.file.async_read_some_at(s.source_offset, boost::asio::buffer(*chunk),
                              inner([self = shared_from_this(), chunk](boost::system::error_code error, std::size_t n) {
                                self->filled(error, n, chunk);
                              }));
  }

  void filled(boost::system::error_code error, std::size_t n, const std::shared_ptr<std::string>& chunk) {
    StreamState& s = state();
    // Whatever came is kept, also with an error or a cancellation: a FIFO's bytes come once.
    chunk->resize(n);
    s.source_offset += n;
    const bool at_end = error == boost::asio::error::eof;
    if (at_end) error = {};
    if (!s.decoder) {
      s.buffer += *chunk;
      return after_fill(error, at_end);
    }
    if (chunk->size() < kInlineCodecLimit) {
      decode_into(s, *chunk, at_end);
      return after_fill(error, at_end);
    }
    // Decoding runs to its end even when cancelled: the compressed bytes were consumed.
    run_on_pool(*s.engine, s.executor,
                Completion<void(std::exception_ptr)>(inner([self = shared_from_this(), error, at_end](std::exception_ptr) {
                  self->after_fill(error, at_end);
                })),
                [state = state_, chunk, at_end](const CancelFlag&) {
                  decode_into(*state, *chunk, at_end);
                  return std::tuple<std::exception_ptr>(nullptr);
                });
  }

  void after_fill(boost::system::error_code error, bool at_end) {
    // A decoder that failed at the end (a truncated file) has not reached the end of the data.
    if (at_end && !state().decode_failure) ended_ = true;
    if (error == boost::asio::error::operation_aborted || cancelled()) return complete(aborted_error(), {});
    if (error) return complete(read_error(state(), "read", error), {});
    step();
  }

  // A seek before the buffer: a fresh decoder from the start of the file (made on the pool, as
  // it may look up plugins), then decoding forward to the cursor.
  void rewind() {
    StreamState& s = state();
    using Result = std::tuple<std::exception_ptr, std::shared_ptr<StreamDecoder>>;
    run_on_pool(*s.engine, s.executor,
                Completion<void(std::exception_ptr, std::shared_ptr<StreamDecoder>)>(inner(
                    [self = shared_from_this()](std::exception_ptr error, std::shared_ptr<StreamDecoder> fresh) {
                      self->rewound(std::move(error), std::move(fresh));
                    })),
                [path = s.path, options = s.options](const CancelFlag& cancelled) {
                  if (cancelled.load(std::memory_order_relaxed)) return Result(aborted_error(), nullptr);
                  try {
                    return Result(nullptr, std::make_shared<StreamDecoder>(path, options.compression, options.plugins));
                  } catch (...) {
                    return Result(std::current_exception(), nullptr);
                  }
                });
  }

  void rewound(std::exception_ptr error, std::shared_ptr<StreamDecoder> fresh) {
    if (!error && cancelled()) error = aborted_error();
    if (error) return complete(std::move(error), {});
    StreamState& s = state();
    s.decoder.emplace(std::move(*fresh));
    s.buffer.clear();
    s.buffer_start = 0;
    s.source_offset = 0;
    s.decoder_ended = false;
    s.decode_failure = nullptr;
    scan_from_ = 0;
    ended_ = false;
    step();
  }

  std::size_t count_;
  std::string separator_;
  std::size_t scan_from_ = 0;  // where the separator search resumes, from the cursor
  std::size_t fill_size_ = 0;
  bool ended_ = false;  // this operation reached the end of the file
};

}  // namespace

void start_stream_read(StreamPtr state, std::size_t size, StreamTextCompletion handler) {
  std::make_shared<ReadOp>(std::move(state), size, std::string(), std::move(handler))->start(false);
}

void start_stream_readline(StreamPtr state, std::string separator, StreamTextCompletion handler) {
  if (separator.empty()) {
    auto op = std::make_shared<ReadOp>(std::move(state), 0, std::string(), std::move(handler));
    return op->complete(std::make_exception_ptr(std::invalid_argument("AsyncStream::async_readline: empty separator")),
                        {});
  }
  std::make_shared<ReadOp>(std::move(state), 0, std::move(separator), std::move(handler))->start(true);
}

}  // namespace atomicio::detail
