// AsyncLineReader: a buffer of what was read and not yet returned, searched for the separator;
// more is read only when the buffer holds no whole line.
#include <atomicio/async/async_line_reader.hpp>

#include "chunk_read.hpp"
#include "pool_job.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/system_executor.hpp>

#include <stdexcept>
#include <string_view>
#include <utility>

namespace atomicio::detail {

struct LineReaderState {
  AsyncFile* file;
  std::string separator;
  std::size_t chunk_size;
  std::size_t max_line;
  // Bytes read and not returned are buffer[start, size). Lines are taken off the front by moving
  // `start`, not by erasing, so many short lines in one big chunk cost no copying each.
  std::string buffer;
  std::size_t start = 0;
  // How many of the pending bytes are known to hold no beginning of a separator, so that each
  // new chunk is searched once, apart from the separator's length less one before it.
  std::size_t scanned = 0;
  // The file offset just past the buffer, where the next chunk is read.
  std::uint64_t read_offset;
  bool reading = false;

  std::size_t pending() const noexcept { return buffer.size() - start; }
};

namespace {

enum class Search { line, too_long, need_more };

Search take_line(LineReaderState& state, std::string& line) {
  std::string_view pending(state.buffer.data() + state.start, state.pending());
  std::size_t at = pending.find(state.separator, state.scanned);
  if (at != std::string_view::npos) {
    std::size_t length = at + state.separator.size();
    if (length > state.max_line) return Search::too_long;
    line.assign(pending.substr(0, length));
    state.start += length;
    state.scanned = 0;
    return Search::line;
  }
  // No separator, so the line is longer than what is pending even if the file ends here.
  if (pending.size() > state.max_line) return Search::too_long;
  // A separator may begin in the last bytes and end in the next chunk.
  std::size_t partial = state.separator.size() - 1;
  state.scanned = pending.size() > partial ? pending.size() - partial : 0;
  return Search::need_more;
}

void append_chunk(LineReaderState& state, const std::string& data) {
  state.buffer.erase(0, state.start);
  state.start = 0;
  state.buffer += data;
  state.read_offset += data.size();
}

// The last line at the end of the file: whatever is pending, maybe "".
std::string take_rest(LineReaderState& state) {
  std::string rest = state.buffer.substr(state.start);
  state.buffer.clear();
  state.start = 0;
  state.scanned = 0;
  return rest;
}

// `initiating`: still inside async_read_line, where the handler must not run.
void finish(std::shared_ptr<LineReaderState> state, StringCompletion handler, bool initiating, ErrorCode error,
            std::string line) {
  state->reading = false;
  if (initiating)
    complete_later(io_executor(*state->file), std::move(handler), error, std::move(line));
  else
    std::move(handler)(error, std::move(line));
}

void next_line(std::shared_ptr<LineReaderState> state, StringCompletion handler, bool initiating) {
  std::string line;
  switch (take_line(*state, line)) {
    case Search::line:
      return finish(std::move(state), std::move(handler), initiating, {}, std::move(line));
    case Search::too_long:
      return finish(std::move(state), std::move(handler), initiating, boost::asio::error::message_size, {});
    case Search::need_more:
      break;
  }
  AsyncFile& file = *state->file;
  auto executor = boost::asio::get_associated_executor(handler, io_executor(file));
  auto slot = handler.get_cancellation_slot();
  std::uint64_t offset = state->read_offset;
  std::size_t size = state->chunk_size;
  read_next_chunk(
      file, offset, size,
      boost::asio::bind_cancellation_slot(
          slot, boost::asio::bind_executor(executor, [state = std::move(state), handler = std::move(handler)](
                                                         ErrorCode error, std::string data) mutable {
            // An error keeps the buffer as it was: what this read appended from earlier chunks
            // stays pending and the next read returns it with the rest of its line.
            if (error) return finish(std::move(state), std::move(handler), false, error, {});
            if (data.empty()) {
              std::string rest = take_rest(*state);
              return finish(std::move(state), std::move(handler), false, {}, std::move(rest));
            }
            append_chunk(*state, data);
            next_line(std::move(state), std::move(handler), false);
          })));
}

}  // namespace

void start_read_line(std::shared_ptr<LineReaderState> state, StringCompletion handler) {
  if (!state)
    return complete_later(boost::asio::system_executor(), std::move(handler), boost::asio::error::bad_descriptor,
                          std::string());
  if (state->reading)
    return complete_later(io_executor(*state->file), std::move(handler), boost::asio::error::already_started,
                          std::string());
  state->reading = true;
  next_line(std::move(state), std::move(handler), true);
}

}  // namespace atomicio::detail

namespace atomicio {

AsyncLineReader::AsyncLineReader(AsyncFile& file, std::string separator, std::size_t chunk_size, std::uint64_t offset,
                                 std::size_t max_line) {
  if (separator.empty()) throw std::invalid_argument("AsyncLineReader: the separator must not be empty");
  if (chunk_size == 0) throw std::invalid_argument("AsyncLineReader: the chunk size must be at least 1");
  if (max_line == 0) throw std::invalid_argument("AsyncLineReader: max_line must be at least 1");
  state_ = std::make_shared<detail::LineReaderState>();
  state_->file = &file;
  state_->separator = std::move(separator);
  state_->chunk_size = chunk_size;
  state_->max_line = max_line;
  state_->read_offset = offset;
}
AsyncLineReader::AsyncLineReader(AsyncLineReader&&) noexcept = default;
AsyncLineReader& AsyncLineReader::operator=(AsyncLineReader&&) noexcept = default;
AsyncLineReader::~AsyncLineReader() = default;

std::uint64_t AsyncLineReader::offset() const noexcept { return state_ ? state_->read_offset - state_->pending() : 0; }
const std::string& AsyncLineReader::separator() const noexcept {
  static const std::string none;
  return state_ ? state_->separator : none;
}
std::size_t AsyncLineReader::max_line() const noexcept { return state_ ? state_->max_line : 0; }

}  // namespace atomicio
