// What an AsyncContentWriter and its operations in flight share: the file, the hold on its lock
// (kept from the open until the commit or the abort) and the core's ContentWriter.
#pragma once

#include <atomicio/async/async_safe_file.hpp>

#include <memory>
#include <optional>

namespace atomicio::detail {

struct SafeFileShared;

struct ContentWriterShared {
  std::shared_ptr<SafeFileShared> file;
  std::shared_ptr<AsyncLockGuard> held;
  std::optional<ContentWriter> writer;  // empty once committed or aborted
};

/// The engine and executor of `file` (SafeFileShared is private to async_safe_file.cpp).
IoEngine& engine_of(const SafeFileShared& file);
const boost::asio::any_io_executor& executor_of(const SafeFileShared& file);

}  // namespace atomicio::detail
