// A consumer of the installed async layer: writes at two offsets, fsyncs and reads back in a
// coroutine, on the engine's automatic backend. Prints "backend <name>" and "async ok".
//
// usage: consumer_async_app <data-directory>
#include <atomicio/async/async_file.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <iostream>

namespace asio = boost::asio;

int main(int argc, char* argv[]) {
  if (argc != 2) return 2;
  std::filesystem::path path = std::filesystem::path(argv[1]) / "async.txt";
  asio::io_context context;
  int status = 1;
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        auto file = co_await atomicio::AsyncFile::async_open(context.get_executor(), path,
                                                             atomicio::OpenMode::parse("w+"), asio::use_awaitable);
        co_await file.async_write_at(6, std::string("world"), asio::use_awaitable);
        co_await file.async_write_at(0, std::string("Hello "), asio::use_awaitable);
        co_await file.async_fsync(asio::use_awaitable);
        std::string text = co_await file.async_read_at(0, 64, asio::use_awaitable);
        std::cout << "backend " << atomicio::to_string(file.backend()) << "\n";
        if (text == "Hello world") {
          std::cout << "async ok\n";
          status = 0;
        }
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  context.run();
  return status;
}
