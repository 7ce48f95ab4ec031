// What the sequential readers share: reading "the next chunk" of an AsyncFile, which means a
// whole chunk at an offset on a file that can seek and whatever has arrived on one that cannot
// (a FIFO would otherwise hold a line back until a whole chunk came), and the executor that
// completes an operation that needs no I/O.
#pragma once

#include <atomicio/async/async_file.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>

namespace atomicio::detail {

/// The file's executor, or the system executor for a closed file (which has none).
boost::asio::any_io_executor io_executor(const AsyncFile& file);

/// Reads up to `size` bytes at `offset`: void(error_code, std::string), "" at the end of the file
/// without an error, "" with every error. The handler's executor and cancellation slot apply.
void read_next_chunk(AsyncFile& file, std::uint64_t offset, std::size_t size, StringCompletion handler);

}  // namespace atomicio::detail
