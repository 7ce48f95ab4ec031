// ContentWriter: a streaming, encoding, locked commit. After any failure it is rolled back and
// refuses further use, like AtomicWriter.
#include "api/content_writer_state.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

namespace atomicio {

ContentWriter::ContentWriter(std::unique_ptr<detail::ContentWriterState> state) noexcept : state_(std::move(state)) {}
ContentWriter::ContentWriter(ContentWriter&&) noexcept = default;
ContentWriter& ContentWriter::operator=(ContentWriter&&) noexcept = default;
ContentWriter::~ContentWriter() = default;  // AtomicWriter rolls back; then the lock goes

namespace {

detail::ContentWriterState& usable(const std::unique_ptr<detail::ContentWriterState>& state, const char* operation) {
  if (!state) throw FileWriteError(operation, {}, "the writer was moved from");
  if (state->failed || state->writer.committed())
    throw FileWriteError(operation, state->writer.target(),
                         state->failed ? "an earlier failure rolled this writer back" : "already committed");
  return *state;
}

}  // namespace

void ContentWriter::write(std::string_view bytes) {
  detail::ContentWriterState& state = usable(state_, "write");
  try {
    state.pipeline.plaintext().write(bytes);
    state.plaintext_bytes += bytes.size();
  } catch (...) {
    state.failed = true;
    state.writer.abort();
    state.lock.unlock();
    throw;
  }
}

void ContentWriter::commit() {
  detail::ContentWriterState& state = usable(state_, "commit");
  try {
    state.pipeline.finish();
    state.writer.commit();
    state.lock.unlock();
  } catch (...) {
    state.failed = true;
    state.writer.abort();
    state.lock.unlock();
    throw;
  }
}

void ContentWriter::abort() noexcept {
  if (!state_) return;
  state_->writer.abort();
  state_->lock.unlock();
}

std::uint64_t ContentWriter::bytes_written() const noexcept { return state_ ? state_->plaintext_bytes : 0; }

}  // namespace atomicio
