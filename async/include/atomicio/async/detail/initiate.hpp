// How every async operation of atomicio::async meets Asio's completion tokens: the template in
// the public header calls async_initiate, whose initiation erases the handler into an
// any_completion_handler and passes it to a function compiled into the library. So callbacks,
// use_future, use_awaitable, deferred, as_tuple and any other token work alike, while the
// operations themselves are not templates. The erased handler keeps the original's executor
// and cancellation slot, which is where the library attaches its cancellation (never to the
// original's slot: Boost 1.81 then frees the erased handler under it).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <utility>

namespace atomicio::detail {

template <class Signature>
using Completion = boost::asio::any_completion_handler<Signature>;

/// async_initiate for `Signature`, handing the erased handler and `args` to `start`. `start`
/// must hold what it needs by value (deferred operations run it later).
template <class Signature, class Token, class Start, class... Args>
auto initiate_erased(Token&& token, Start start, Args&&... args) {
  return boost::asio::async_initiate<Token, Signature>(
      [start = std::move(start)](auto handler, auto&&... arguments) mutable {
        start(Completion<Signature>(std::move(handler)), std::forward<decltype(arguments)>(arguments)...);
      },
      token, std::forward<Args>(args)...);
}

}  // namespace atomicio::detail
