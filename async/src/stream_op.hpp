// StreamOp: what every AsyncStream operation does around its own steps. It claims the stream
// (one operation at a time), chains inner operations (AsyncFile reads and writes, pool jobs)
// whose completions run on the handler's executor, relays the caller's cancellation to
// whichever inner operation is waiting, and completes the caller's handler exactly once.
//
// The caller's slot gets one handler for the whole operation, which sets a flag and re-emits
// on the operation's own signal, whose slot each inner operation takes in turn. So a
// cancellation that lands between two inner operations (while decoding, say) is not lost: the
// next step sees the flag.
#pragma once

#include "stream_state.hpp"

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <utility>

namespace atomicio::detail {

/// boost::system::system_error(operation_aborted).
std::exception_ptr aborted_error();
/// std::logic_error("AsyncStream: " + what).
std::exception_ptr misuse_error(const std::string& what);
/// FileReadError(operation, path, "", OS code), or aborted_error() for operation_aborted.
std::exception_ptr read_error(const StreamState& state, const char* operation, const boost::system::error_code& error);
/// FileWriteError(operation, path, "", OS code), or aborted_error() for operation_aborted.
std::exception_ptr write_error(const StreamState& state, const char* operation, const boost::system::error_code& error);
/// The engine codec work and codec loading run on.
IoEngine& engine_of(const AsyncStreamOptions& options) noexcept;

/// Input at least this large is decoded or encoded on the pool; smaller pieces on the caller's
/// thread, where the hop would cost more than the work (CPU only, never a blocking call).
inline constexpr std::size_t kInlineCodecLimit = 256 * 1024;

template <class Derived, class... Results>
class StreamOp : public std::enable_shared_from_this<Derived> {
 public:
  using Handler = Completion<void(std::exception_ptr, Results...)>;

  /// The handler runs on its associated executor, by default the stream's (`fallback` when
  /// there is no stream yet, the system executor when neither).
  StreamOp(StreamPtr state, Handler handler, boost::asio::any_io_executor fallback = {})
      : state_(std::move(state)),
        handler_(std::move(handler)),
        io_executor_(default_executor(state_, std::move(fallback))),
        executor_(boost::asio::get_associated_executor(handler_, io_executor_)) {}

  /// Takes the stream for this operation. False after completing the handler with a misuse
  /// error: no stream, a closed one (`closed_ok`: success instead), or one already busy.
  bool claim(const char* verb, bool closed_ok = false) {
    if (!state_ || state_->closed) {
      if (closed_ok) complete(nullptr, Results()...);
      else complete(misuse_error(std::string("cannot ") + verb + ": the stream is closed"), Results()...);
      return false;
    }
    if (state_->busy.exchange(true)) {
      complete(misuse_error(std::string("cannot ") + verb +
                            ": another operation of this stream is in flight (start one at a time)"),
               Results()...);
      return false;
    }
    owns_stream_ = true;
    return true;
  }

  /// Relays the caller's cancellation to the inner operations from now on.
  void watch_cancellation() {
    slot_ = handler_.get_cancellation_slot();
    if (!slot_.is_connected()) return;
    slot_.assign([this](boost::asio::cancellation_type type) {
      if (type == boost::asio::cancellation_type::none) return;
      cancelled_ = true;
      signal_.emit(type);
    });
  }

  /// `body` as the handler of an inner operation: run on the handler's executor, cancelled
  /// through this operation's signal.
  template <class Body>
  auto inner(Body body) {
    async_ = true;
    // `body` holds the operation alive, so `this` is valid whenever the handler runs.
    return boost::asio::bind_cancellation_slot(
        signal_.slot(), boost::asio::bind_executor(executor_, [this, body = std::move(body)](auto&&... args) mutable {
          // The inner operation is over: its cancellation handler must not be emitted into later.
          signal_.slot().clear();
          body(std::forward<decltype(args)>(args)...);
        }));
  }

  /// Releases the stream and completes the caller: directly from an inner completion (already
  /// on the handler's executor), posted when nothing asynchronous happened yet.
  void complete(std::exception_ptr error, Results... results) {
    if (owns_stream_) {
      owns_stream_ = false;
      state_->busy.store(false);
    }
    if (slot_.is_connected()) slot_.clear();
    if (async_) {
      std::move(handler_)(std::move(error), std::move(results)...);
      return;
    }
    // Posted through the stream's executor; the handler then runs on its own.
    boost::asio::post(io_executor_, boost::asio::append(std::move(handler_), std::move(error), std::move(results)...));
  }

  bool cancelled() const noexcept { return cancelled_; }
  StreamState& state() noexcept { return *state_; }

 protected:
  StreamPtr state_;

 private:
  static boost::asio::any_io_executor default_executor(const StreamPtr& state, boost::asio::any_io_executor fallback) {
    if (state) return state->executor;
    if (fallback) return fallback;
    return boost::asio::system_executor();
  }

  Handler handler_;
  boost::asio::any_io_executor io_executor_;
  boost::asio::any_completion_executor executor_;
  boost::asio::cancellation_slot slot_;
  boost::asio::cancellation_signal signal_;
  bool cancelled_ = false;
  bool owns_stream_ = false;
  bool async_ = false;
};

}  // namespace atomicio::detail
