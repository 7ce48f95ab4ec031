// Opening a stream: the codec first (loading a plugin reads manifests and maps libraries, so it
// runs on the pool), then the file, then, in append mode, the file's size for tell(). The codec
// comes first so that a missing plugin fails before "w" truncates anything.
#include "pool_job.hpp"
#include "stream_op.hpp"

#include <atomicio/errors.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace atomicio::detail {

namespace {

struct Codecs {
  std::optional<StreamDecoder> decoder;
  std::optional<StreamEncoder> encoder;
};

// A stream that writes encodes; one that only reads decodes. A plain selection gives neither.
Codecs make_codecs(const std::filesystem::path& path, bool writing, const AsyncStreamOptions& options) {
  Codecs codecs;
  if (options.compression.none) return codecs;
  if (writing) {
    StreamEncoder encoder(path, options.compression, options.compression_level, options.plugins);
    if (!encoder.passthrough()) codecs.encoder.emplace(std::move(encoder));
  } else {
    StreamDecoder decoder(path, options.compression, options.plugins);
    if (!decoder.passthrough()) codecs.decoder.emplace(std::move(decoder));
  }
  return codecs;
}

StreamPtr make_state(AsyncFile file, bool readable, bool writable, bool append, Codecs codecs,
                     const AsyncStreamOptions& options) {
  auto state = std::make_shared<StreamState>();
  state->executor = file.get_executor();
  state->engine = &engine_of(options);
  state->path = file.path();
  state->options = options;
  if (state->options.chunk_size == 0) state->options.chunk_size = AsyncStreamOptions{}.chunk_size;
  state->seekable = file.seekable();
  state->decoder = std::move(codecs.decoder);
  state->encoder = std::move(codecs.encoder);
  // A compressed stream goes one way only: see the header.
  state->readable = readable && !state->encoder;
  state->writable = writable && !state->decoder;
  state->append = append;
  state->file = std::move(file);
  return state;
}

// Append mode starts at the end: the cursor of a plain stream, the write offset of both.
void start_at_end(StreamState& state, std::uint64_t size) {
  state.end = size;
  state.file_offset = size;
  if (!state.encoder) state.cursor = state.buffer_start = state.source_offset = size;
}

class OpenOp : public StreamOp<OpenOp, AsyncStream> {
 public:
  OpenOp(boost::asio::any_io_executor io_executor, std::filesystem::path path, OpenMode mode,
         AsyncStreamOptions options, StreamOpenCompletion handler)
      : StreamOp(nullptr, std::move(handler), io_executor),
        io_executor_(std::move(io_executor)),
        path_(std::move(path)),
        mode_(mode),
        options_(std::move(options)) {}

  void start() {
    watch_cancellation();
    using Result = std::tuple<std::exception_ptr, std::shared_ptr<Codecs>>;
    run_on_pool(engine_of(options_), io_executor_,
                Completion<void(std::exception_ptr, std::shared_ptr<Codecs>)>(
                    inner([self = shared_from_this()](std::exception_ptr error, std::shared_ptr<Codecs> codecs) {
                      self->opened_codecs(std::move(error), std::move(codecs));
                    })),
                [path = path_, writing = mode_.write, options = options_](const CancelFlag& cancelled) {
                  if (cancelled.load(std::memory_order_relaxed)) return Result(aborted_error(), nullptr);
                  try {
                    return Result(nullptr, std::make_shared<Codecs>(make_codecs(path, writing, options)));
                  } catch (...) {
                    return Result(std::current_exception(), nullptr);
                  }
                });
  }

 private:
  void opened_codecs(std::exception_ptr error, std::shared_ptr<Codecs> codecs) {
    if (!error && cancelled()) error = aborted_error();
    if (error) return complete(std::move(error), AsyncStream());
    codecs_ = std::move(codecs);
    AsyncFile::async_open(io_executor_, path_, mode_, options_.file,
                          inner([self = shared_from_this()](std::exception_ptr failure, AsyncFile file) {
                            self->opened_file(std::move(failure), std::move(file));
                          }));
  }

  void opened_file(std::exception_ptr error, AsyncFile file) {
    // A file opened while a cancellation came is reported opened: "w" has truncated it already.
    if (error) return complete(std::move(error), AsyncStream());
    state_ = make_state(std::move(file), mode_.read, mode_.write, mode_.append, std::move(*codecs_), options_);
    if (!mode_.append) return complete(nullptr, StreamAccess::make(std::move(state_)));
    state_->file.async_size(inner([self = shared_from_this()](boost::system::error_code failure, std::uint64_t size) {
      if (failure) return self->complete(read_error(*self->state_, "stat", failure), AsyncStream());
      start_at_end(*self->state_, size);
      self->complete(nullptr, StreamAccess::make(std::move(self->state_)));
    }));
  }

  boost::asio::any_io_executor io_executor_;
  std::filesystem::path path_;
  OpenMode mode_;
  AsyncStreamOptions options_;
  std::shared_ptr<Codecs> codecs_;
};

}  // namespace

void start_stream_open(boost::asio::any_io_executor executor, std::filesystem::path path, OpenMode mode,
                       AsyncStreamOptions options, StreamOpenCompletion handler) {
  auto op = std::make_shared<OpenOp>(std::move(executor), std::move(path), mode, std::move(options),
                                     std::move(handler));
  op->start();
}

}  // namespace atomicio::detail

namespace atomicio {

AsyncStream AsyncStream::adopt(AsyncFile file, AsyncStreamOptions options) {
  if (!file.is_open()) throw std::invalid_argument("AsyncStream::adopt: the file is not open");
  const int fd = file.native_handle();
  // Neither call waits for a device: F_GETFL reads the open file description, fstat the inode.
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) throw std::system_error(errno, std::generic_category(), "AsyncStream::adopt: fcntl(F_GETFL)");
  const int access = flags & O_ACCMODE;
  const bool readable = access != O_WRONLY;
  const bool writable = access != O_RDONLY;
  const bool append = (flags & O_APPEND) != 0;
  std::uint64_t size = 0;
  if (append) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) throw std::system_error(errno, std::generic_category(), "AsyncStream::adopt: fstat");
    size = static_cast<std::uint64_t>(info.st_size);
  }
  detail::Codecs codecs = detail::make_codecs(file.path(), writable, options);
  auto state = detail::make_state(std::move(file), readable, writable, append, std::move(codecs), options);
  if (append) detail::start_at_end(*state, size);
  return AsyncStream(std::move(state));
}

}  // namespace atomicio
