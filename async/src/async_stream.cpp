// AsyncStream's synchronous members: accessors, tell and seek (the cursor only; the next read
// does the I/O).
#include "stream_state.hpp"

#include <stdexcept>

namespace atomicio {

AsyncStream::AsyncStream() noexcept = default;
AsyncStream::AsyncStream(detail::StreamPtr state) noexcept : state_(std::move(state)) {}
AsyncStream::AsyncStream(AsyncStream&&) noexcept = default;
AsyncStream& AsyncStream::operator=(AsyncStream&&) noexcept = default;
AsyncStream::~AsyncStream() = default;

bool AsyncStream::is_open() const noexcept { return state_ && !state_->closed; }

AsyncStream::executor_type AsyncStream::get_executor() const noexcept {
  return state_ ? state_->executor : executor_type();
}

const std::filesystem::path& AsyncStream::path() const noexcept {
  static const std::filesystem::path none;
  return state_ ? state_->path : none;
}

const AsyncFile& AsyncStream::file() const noexcept {
  static const AsyncFile none;
  return state_ ? state_->file : none;
}

std::string AsyncStream::codecs() const {
  if (!state_) return {};
  if (state_->decoder) return state_->decoder->describe();
  if (state_->encoder) return state_->encoder->describe();
  return {};
}

std::uint64_t AsyncStream::tell() const noexcept { return state_ ? state_->cursor : 0; }

void AsyncStream::seek(std::uint64_t offset) {
  if (!is_open()) throw std::logic_error("AsyncStream: cannot seek: the stream is closed");
  if (state_->busy.load()) throw std::logic_error("AsyncStream: cannot seek while an operation is in flight");
  if (state_->encoder)
    throw std::logic_error("AsyncStream: cannot seek '" + state_->path.string() +
                           "': a compressed stream being written only goes forward");
  if (!state_->seekable)
    throw std::logic_error("AsyncStream: cannot seek '" + state_->path.string() +
                           "': a FIFO, socket or device has no offsets");
  state_->cursor = offset;
}

std::size_t AsyncStream::chunk_size() const noexcept {
  return state_ ? state_->options.chunk_size : AsyncStreamOptions{}.chunk_size;
}

}  // namespace atomicio
