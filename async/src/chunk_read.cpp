// The next chunk of a file for AsyncReader and AsyncLineReader.
#include "chunk_read.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/system_executor.hpp>

#include <memory>
#include <string>
#include <utility>

namespace atomicio::detail {

boost::asio::any_io_executor io_executor(const AsyncFile& file) {
  if (auto executor = file.get_executor()) return executor;
  return boost::asio::system_executor();
}

void read_next_chunk(AsyncFile& file, std::uint64_t offset, std::size_t size, StringCompletion handler) {
  // The inner operations complete through the handler's executor and are cancelled through its
  // slot, as if the handler had been passed to them.
  auto executor = boost::asio::get_associated_executor(handler, io_executor(file));
  auto slot = handler.get_cancellation_slot();
  if (file.seekable()) {
    // A short chunk here is the end of the file: async_read_at fills the chunk otherwise.
    file.async_read_at(offset, size,
                       boost::asio::bind_cancellation_slot(
                           slot, boost::asio::bind_executor(executor, [handler = std::move(handler)](
                                                                          ErrorCode error, std::string data) mutable {
                             if (error) data.clear();
                             std::move(handler)(error, std::move(data));
                           })));
    return;
  }
  // The pool's job may still fill the buffer after a cancellation was asked for, so the
  // completion owns it.
  auto buffer = std::make_shared<std::string>(size, '\0');
  file.async_read_some_at(
      offset, boost::asio::buffer(*buffer),
      boost::asio::bind_cancellation_slot(
          slot, boost::asio::bind_executor(
                    executor, [buffer, handler = std::move(handler)](ErrorCode error, std::size_t bytes) mutable {
                      if (error == boost::asio::error::eof) error = {};
                      buffer->resize(error ? 0 : bytes);
                      std::move(handler)(error, std::move(*buffer));
                    })));
}

}  // namespace atomicio::detail
