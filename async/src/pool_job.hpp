// run_on_pool: an operation run as one blocking job on the engine's pool, its result delivered
// to the handler on the handler's executor. The job gets a flag that a cancellation sets; it
// checks it before it starts and wherever it waits, never in the middle of a system call that
// changes the file. Work is counted on the handler's executor meanwhile, so its io_context does
// not run out of work while the job is on the pool.
#pragma once

#include <atomicio/async/io_engine.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <atomic>
#include <memory>
#include <tuple>
#include <utility>

namespace atomicio::detail {

using CancelFlag = std::atomic<bool>;

template <class... Results, class Job>
void run_on_pool(IoEngine& engine, const boost::asio::any_io_executor& io_executor,
                 boost::asio::any_completion_handler<void(Results...)> handler, Job job) {
  auto cancelled = std::make_shared<CancelFlag>(false);
  auto slot = handler.get_cancellation_slot();
  if (slot.is_connected())
    slot.assign([cancelled](boost::asio::cancellation_type type) {
      if (type != boost::asio::cancellation_type::none) cancelled->store(true, std::memory_order_relaxed);
    });
  auto work = boost::asio::prefer(boost::asio::get_associated_executor(handler, io_executor),
                                  boost::asio::execution::outstanding_work.tracked);
  boost::asio::post(engine.pool(), [handler = std::move(handler), work = std::move(work), cancelled,
                                    job = std::move(job)]() mutable {
    std::tuple<Results...> results = job(static_cast<const CancelFlag&>(*cancelled));
    // From a pool thread, dispatch queues the handler on its executor; only an executor that
    // runs work inline wherever it is (use_future's) runs it here, which is harmless.
    boost::asio::dispatch(work, [handler = std::move(handler), results = std::move(results)]() mutable {
      // The slot belongs to the handler's executor: clear it there, before the handler runs.
      auto handler_slot = handler.get_cancellation_slot();
      if (handler_slot.is_connected()) handler_slot.clear();
      std::apply(std::move(handler), std::move(results));
    });
  });
}

/// Completes `handler` with `values` without running it inside the initiating call.
template <class... Results, class... Values>
void complete_later(const boost::asio::any_io_executor& io_executor,
                    boost::asio::any_completion_handler<void(Results...)> handler, Values&&... values) {
  boost::asio::post(io_executor, boost::asio::append(std::move(handler), Results(std::forward<Values>(values))...));
}

}  // namespace atomicio::detail
