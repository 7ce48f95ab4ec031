// AsyncContentWriter: ContentWriter's write and commit as pool jobs; the lock hold ends with the
// commit or the abort.
#include "content_writer_shared.hpp"
#include "pool_job.hpp"

#include <atomicio/errors.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include <stdexcept>
#include <tuple>

namespace atomicio {

namespace detail {

namespace {

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(boost::asio::error::operation_aborted));
}

template <class Step>
void run_writer_job(std::shared_ptr<ContentWriterShared> state, DoneCompletion handler, Step step) {
  if (!state) {
    auto error = std::make_exception_ptr(std::logic_error("AsyncContentWriter: no writer (moved from)"));
    return complete_later(boost::asio::any_io_executor(boost::asio::system_executor()), std::move(handler), error);
  }
  IoEngine& engine = engine_of(*state->file);
  auto executor = executor_of(*state->file);
  run_on_pool(engine, executor, std::move(handler),
              [state = std::move(state), step = std::move(step)](const CancelFlag& cancelled) mutable {
                if (cancelled.load(std::memory_order_relaxed)) return std::tuple<std::exception_ptr>(aborted());
                if (!state->writer)
                  return std::tuple<std::exception_ptr>(std::make_exception_ptr(
                      std::logic_error("AsyncContentWriter: already committed or aborted")));
                try {
                  step(*state);
                  return std::tuple<std::exception_ptr>(nullptr);
                } catch (...) {
                  // A failed write or commit has rolled the writer back: the hold ends too.
                  state->writer.reset();
                  state->held.reset();
                  return std::tuple<std::exception_ptr>(std::current_exception());
                }
              });
}

}  // namespace

void start_writer_write(std::shared_ptr<ContentWriterShared> writer, std::string bytes, DoneCompletion handler) {
  run_writer_job(std::move(writer), std::move(handler),
                 [bytes = std::move(bytes)](ContentWriterShared& state) { state.writer->write(bytes); });
}

void start_writer_commit(std::shared_ptr<ContentWriterShared> writer, DoneCompletion handler) {
  run_writer_job(std::move(writer), std::move(handler), [](ContentWriterShared& state) {
    state.writer->commit();
    state.writer.reset();
    state.held.reset();
  });
}

}  // namespace detail

AsyncContentWriter::~AsyncContentWriter() { abort(); }

void AsyncContentWriter::abort() noexcept {
  if (!state_) return;
  // Rolling back removes the temporary file, which may touch the disk: on the pool.
  IoEngine& engine = detail::engine_of(*state_->file);
  boost::asio::post(engine.pool(), [state = std::move(state_)] {
    if (state->writer) state->writer->abort();
    state->writer.reset();
    state->held.reset();
  });
}

}  // namespace atomicio
