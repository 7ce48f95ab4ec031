// What the async tests share: the engine of the backend this run tests, and small helpers to
// run an io_context until a coroutine or a set of operations is done.
#pragma once

#include <atomicio/async/async_stream_options.hpp>
#include <atomicio/async/io_engine.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <string>

namespace atomicio::test {

/// Chooses the backend of this run ("io_uring", "thread_pool", "blocked"); false for another name.
bool select_backend(const std::string& name);
/// "io_uring", "thread_pool" or "blocked".
const std::string& backend_variant();
/// The engine every test of this run uses: forced io_uring, forced pool, or automatic under the
/// seccomp filter.
IoEngine& engine();
/// The backend the engine must have chosen.
IoBackend expected_backend();

/// File options whose engine is engine(); the nowait try only in the `blocked` variant.
AsyncFileOptions file_options();
/// Stream options whose file engine is engine(), with `compression`.
AsyncStreamOptions stream_options(CodecSelection compression = CodecSelection::by_name());

/// True when `error` holds a boost::system::system_error with asio::error::operation_aborted.
bool is_operation_aborted(const std::exception_ptr& error);

/// Waits `duration` on the calling coroutine's executor.
boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration);

/// Runs `coroutine` on a fresh io_context to its end, rethrowing what it throws.
template <class Awaitable>
void run_coroutine(Awaitable coroutine) {
  boost::asio::io_context context;
  std::exception_ptr failure;
  boost::asio::co_spawn(context, std::move(coroutine), [&](std::exception_ptr error) { failure = error; });
  context.run();
  if (failure) std::rethrow_exception(failure);
}

/// Like run_coroutine, for a coroutine that takes the context's executor.
template <class Function>
void run_with_context(Function function) {
  boost::asio::io_context context;
  std::exception_ptr failure;
  boost::asio::co_spawn(context, function(context.get_executor()),
                        [&](std::exception_ptr error) { failure = error; });
  context.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace atomicio::test
