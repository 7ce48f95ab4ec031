// The errors AsyncStream operations complete with: atomicio's typed errors for the file and the
// OS, system_error for a cancellation, logic_error for a misuse.
#include "stream_op.hpp"

#include <atomicio/errors.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <stdexcept>

namespace atomicio::detail {

namespace {

// errno values in the generic category, as the sync API's errors carry them (posix/os_error.hpp).
std::error_code std_code(const boost::system::error_code& error) {
  if (error.category() == boost::system::system_category() || error.category() == boost::system::generic_category())
    return {error.value(), std::generic_category()};
  return error;
}

}  // namespace

std::exception_ptr aborted_error() {
  return std::make_exception_ptr(boost::system::system_error(boost::asio::error::operation_aborted));
}

std::exception_ptr misuse_error(const std::string& what) {
  return std::make_exception_ptr(std::logic_error("AsyncStream: " + what));
}

std::exception_ptr read_error(const StreamState& state, const char* operation, const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return aborted_error();
  return std::make_exception_ptr(FileReadError(operation, state.path, "", std_code(error)));
}

std::exception_ptr write_error(const StreamState& state, const char* operation, const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return aborted_error();
  return std::make_exception_ptr(FileWriteError(operation, state.path, "", std_code(error)));
}

IoEngine& engine_of(const AsyncStreamOptions& options) noexcept {
  return options.file.engine != nullptr ? *options.file.engine : IoEngine::shared();
}

}  // namespace atomicio::detail
