// AsyncStream writes, flush, fsync and close. A plain stream writes each piece at the cursor
// (the end in append mode) before completing. A compressed one encodes it and gathers the
// compressed bytes until chunk_size of them are ready, then writes them in sequence at the
// file offset reached so far; close ends the codec's stream and writes the trailer.
#include "pool_job.hpp"
#include "stream_op.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

namespace atomicio::detail {

namespace {

using ErrorCode = boost::system::error_code;

// Writes the gathered compressed bytes, then calls `then` with the write's error. What was
// written leaves the buffer even when the write fails or is cancelled half-way; a failure
// marks the stream broken (its file lacks bytes from the middle of the compressed stream).
template <class Op, class Then>
void write_outgoing(const std::shared_ptr<Op>& op, Then then) {
  StreamState& s = op->state();
  if (s.outgoing.empty()) return then(ErrorCode{});
  s.file.async_write_at(s.file_offset, boost::asio::const_buffer(s.outgoing.data(), s.outgoing.size()),
                        op->inner([op, then = std::move(then)](ErrorCode error, std::size_t n) mutable {
                          StreamState& written = op->state();
                          written.file_offset += n;
                          written.outgoing.erase(0, n);
                          if (error && error != boost::asio::error::operation_aborted)
                            written.write_failure = write_error(written, "write", error);
                          then(error);
                        }));
}

std::string not_writable(const StreamState& state) {
  if (state.decoder)
    return "cannot write: a compressed stream opened for reading cannot be written; open it with mode \"w\" or "
           "\"a\"";
  return "cannot write: the stream was opened read-only";
}

class WriteOp : public StreamOp<WriteOp, std::size_t> {
 public:
  WriteOp(StreamPtr state, std::string data, StreamCountCompletion handler)
      : StreamOp(std::move(state), std::move(handler)), data_(std::move(data)) {}

  void start() {
    if (!claim("write")) return;
    StreamState& s = state();
    if (!s.writable) return complete(misuse_error(not_writable(s)), 0);
    if (s.write_failure) return complete(s.write_failure, 0);
    watch_cancellation();
    if (!s.encoder) return write_plain();
    if (data_.size() < kInlineCodecLimit) return encoded(encode(s, data_));
    run_on_pool(*s.engine, s.executor,
                Completion<void(std::exception_ptr)>(inner([self = shared_from_this()](std::exception_ptr error) {
                  self->encoded(std::move(error));
                })),
                // Runs even when cancelled while queued: the plaintext is the caller's to lose
                // only if it reports so, and it reports success once the codec took it.
                [self = shared_from_this()](const CancelFlag&) {
                  return std::tuple<std::exception_ptr>(encode(self->state(), self->data_));
                });
  }

 private:
  static std::exception_ptr encode(StreamState& s, const std::string& data) {
    try {
      s.encoder->encode(data, s.outgoing);
      return nullptr;
    } catch (...) {
      return std::current_exception();
    }
  }

  void write_plain() {
    StreamState& s = state();
    if (data_.empty()) return complete(nullptr, 0);
    const std::uint64_t offset = s.append ? s.end : s.cursor;
    s.file.async_write_at(offset, boost::asio::const_buffer(data_.data(), data_.size()),
                          inner([self = shared_from_this()](ErrorCode error, std::size_t n) {
                            self->wrote_plain(error, n);
                          }));
  }

  void wrote_plain(ErrorCode error, std::size_t n) {
    StreamState& s = state();
    if (s.seekable) {
      if (s.append) {
        s.end += n;
        s.cursor = s.end;
      } else {
        s.cursor += n;
      }
      // What was read ahead may be what this write replaced.
      s.drop_buffer();
    }
    complete(error ? write_error(s, "write", error) : nullptr, n);
  }

  void encoded(std::exception_ptr error) {
    StreamState& s = state();
    if (error) {
      s.write_failure = error;
      return complete(std::move(error), 0);
    }
    s.cursor += data_.size();
    const std::size_t taken = data_.size();
    std::string().swap(data_);
    if (s.outgoing.size() < s.options.chunk_size) return complete(nullptr, taken);
    write_outgoing(shared_from_this(), [self = shared_from_this(), taken](ErrorCode) {
      // A cancelled write of compressed bytes is not a lost write: they stay gathered.
      self->complete(self->state().write_failure, taken);
    });
  }

  std::string data_;
};

class FlushOp : public StreamOp<FlushOp> {
 public:
  FlushOp(StreamPtr state, bool fsync, StreamDoneCompletion handler)
      : StreamOp(std::move(state), std::move(handler)), fsync_(fsync) {}

  void start() {
    if (!claim(fsync_ ? "fsync" : "flush")) return;
    if (state().write_failure) return complete(state().write_failure);
    watch_cancellation();
    write_outgoing(shared_from_this(), [self = shared_from_this()](ErrorCode error) {
      if (error == boost::asio::error::operation_aborted) return self->complete(aborted_error());
      if (self->state().write_failure) return self->complete(self->state().write_failure);
      if (!self->fsync_) return self->complete(nullptr);
      self->sync();
    });
  }

 private:
  void sync() {
    state().file.async_fsync(inner([self = shared_from_this()](ErrorCode error) {
      const StreamState& s = self->state();
      if (!error) return self->complete(nullptr);
      self->complete(s.writable ? write_error(s, "fsync", error) : read_error(s, "fsync", error));
    }));
  }

  bool fsync_;
};

class CloseOp : public StreamOp<CloseOp> {
 public:
  using StreamOp::StreamOp;

  // Not cancellable: the caller's slot is never watched.
  void start() {
    if (!claim("close", true)) return;
    StreamState& s = state();
    s.closed = true;
    if (s.encoder && !s.write_failure) {
      try {
        s.encoder->finish(s.outgoing);
      } catch (...) {
        s.write_failure = std::current_exception();
      }
    }
    if (s.write_failure) return close_file();
    write_outgoing(shared_from_this(), [self = shared_from_this()](ErrorCode) { self->close_file(); });
  }

 private:
  void close_file() {
    state().file.async_close(inner([self = shared_from_this()](ErrorCode error) {
      StreamState& s = self->state();
      std::exception_ptr result = s.write_failure;
      if (!result && error) result = s.writable ? write_error(s, "close", error) : read_error(s, "close", error);
      std::string().swap(s.buffer);
      std::string().swap(s.outgoing);
      s.decoder.reset();
      s.encoder.reset();
      self->complete(std::move(result));
    }));
  }
};

}  // namespace

void start_stream_write(StreamPtr state, std::string data, StreamCountCompletion handler) {
  std::make_shared<WriteOp>(std::move(state), std::move(data), std::move(handler))->start();
}

void start_stream_flush(StreamPtr state, bool fsync, StreamDoneCompletion handler) {
  std::make_shared<FlushOp>(std::move(state), fsync, std::move(handler))->start();
}

void start_stream_close(StreamPtr state, StreamDoneCompletion handler) {
  std::make_shared<CloseOp>(std::move(state), std::move(handler))->start();
}

}  // namespace atomicio::detail
