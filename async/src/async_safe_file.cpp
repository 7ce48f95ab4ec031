// AsyncSafeFile's operations: the file's lock taken without a thread (async_lock_file), then one
// pool job running the SafeFile operation as the lock's task owner, so SafeFile's own locking
// inside re-enters instead of waiting, then the release.
#include <atomicio/async/async_safe_file.hpp>

#include "content_writer_shared.hpp"
#include "pool_job.hpp"

#include <atomicio/detail/lock_queue.hpp>
#include <atomicio/errors.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/system_executor.hpp>

#include <stdexcept>
#include <tuple>

namespace atomicio {

namespace detail {

struct SafeFileShared {
  SafeFileShared(boost::asio::any_io_executor io_executor, std::filesystem::path file_path, Timeout lock_timeout,
                 FileOptions options, IoEngine& io_engine)
      : executor(std::move(io_executor)),
        engine(io_engine),
        timeout(lock_timeout),
        file(file_path, lock_timeout, options),
        path(std::move(file_path)) {
    lock.engine = &engine;
    lock.lock.backend = options.lock_backend;
    lock.lock.plugins = options.plugins;
    lock.lock.stale_after = options.lock_stale_after;
  }

  boost::asio::any_io_executor executor;
  IoEngine& engine;
  Timeout timeout;
  SafeFile file;
  std::filesystem::path path;
  AsyncLockOptions lock;
};

IoEngine& engine_of(const SafeFileShared& file) { return file.engine; }
const boost::asio::any_io_executor& executor_of(const SafeFileShared& file) { return file.executor; }

namespace {

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(boost::asio::error::operation_aborted));
}

template <class... Results>
using Outcome = std::tuple<std::exception_ptr, Results...>;
using Held = std::shared_ptr<AsyncLockGuard>;

// The pool job of an operation: `job(file, held)` as `held`'s owner (or as this thread where
// nothing is held), its exception captured, `held` released at its end so the lock is free before
// the handler runs (unless the job kept a reference: an open writer holds the lock on).
template <class... Results, class Job>
void run_job(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held,
             Completion<void(std::exception_ptr, Results...)> handler, Job job) {
  IoEngine& engine = file->engine;
  auto executor = file->executor;
  run_on_pool(engine, executor, std::move(handler),
              [file = std::move(file), held = std::move(held), job = std::move(job)](const CancelFlag& cancelled) mutable {
                Outcome<Results...> outcome(aborted(), Results{}...);
                if (!cancelled.load(std::memory_order_relaxed)) {
                  std::optional<LockOwnerScope> scope;
                  if (held) scope.emplace(held->owner());
                  try {
                    outcome = job(file->file, held);
                  } catch (...) {
                    outcome = Outcome<Results...>(std::current_exception(), Results{}...);
                  }
                }
                held.reset();
                return outcome;
              });
}

bool is_lock_failure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const LockFailedError&) {
    return true;
  } catch (...) {
    return false;
  }
}

// Takes the lock unless `held` holds it already, then runs the job. A read whose lock failed
// (no sidecar can be made) still runs: SafeFile then reads without the inter-process lock.
template <class... Results, class Job>
void run_locked(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held, LockMode mode,
                bool reading, Completion<void(std::exception_ptr, Results...)> handler, Job job) {
  if (!file) {
    auto error = std::make_exception_ptr(
        std::logic_error("this AsyncSafeFileGuard or AsyncSafeFile holds nothing (default-constructed, moved from or unlocked)"));
    return complete_later(boost::asio::any_io_executor(boost::asio::system_executor()), std::move(handler), error,
                          Results{}...);
  }
  if (held) return run_job<Results...>(std::move(file), std::move(held), std::move(handler), std::move(job));
  auto executor = boost::asio::get_associated_executor(handler, file->executor);
  auto slot = handler.get_cancellation_slot();
  auto executor_for_lock = file->executor;
  auto path = file->path;
  auto timeout = file->timeout;
  auto options = file->lock;
  async_lock_file(
      std::move(executor_for_lock), std::move(path), mode, timeout, std::move(options),
      boost::asio::bind_cancellation_slot(
          slot, boost::asio::bind_executor(executor, [file = std::move(file), reading, handler = std::move(handler),
                                                      job = std::move(job)](std::exception_ptr error,
                                                                            AsyncLockGuard guard) mutable {
            if (error && !(reading && is_lock_failure(error)))
              return std::apply(std::move(handler), Outcome<Results...>(error, Results{}...));
            std::shared_ptr<AsyncLockGuard> lock;
            if (!error) lock = std::make_shared<AsyncLockGuard>(std::move(guard));
            run_job<Results...>(std::move(file), std::move(lock), std::move(handler), std::move(job));
          })));
}

}  // namespace

void start_safe_value_op(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held, SafeFileOp,
                         ValueCompletion handler) {
  run_locked<std::optional<Value>>(std::move(file), std::move(held), LockMode::shared, true, std::move(handler),
                                   [](SafeFile& safe, const Held&) { return Outcome<std::optional<Value>>(nullptr, safe.read()); });
}

void start_safe_bytes_op(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held,
                         BytesCompletion handler) {
  run_locked<std::optional<std::string>>(
      std::move(file), std::move(held), LockMode::shared, true, std::move(handler),
      [](SafeFile& safe, const Held&) { return Outcome<std::optional<std::string>>(nullptr, safe.read_bytes()); });
}

void start_safe_write_op(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held, SafeFileOp op,
                         SafeFileInput input, DoneCompletion handler) {
  run_locked<>(std::move(file), std::move(held), LockMode::exclusive, false, std::move(handler),
               [op, input = std::move(input)](SafeFile& safe, const Held&) {
                 switch (op) {
                   case SafeFileOp::write: safe.write(input.value); break;
                   case SafeFileOp::update: safe.update(input.value); break;
                   case SafeFileOp::write_bytes: safe.write_bytes(input.bytes); break;
                   case SafeFileOp::append: safe.append(input.bytes); break;
                   case SafeFileOp::read:
                   case SafeFileOp::read_bytes: break;
                 }
                 return Outcome<>(nullptr);
               });
}

void start_safe_locked(std::shared_ptr<SafeFileShared> file, LockMode mode, GuardCompletion handler) {
  auto executor = boost::asio::get_associated_executor(handler, file->executor);
  auto slot = handler.get_cancellation_slot();
  auto executor_for_lock = file->executor;
  auto path = file->path;
  auto options = file->lock;
  const Timeout timeout = file->timeout;
  async_lock_file(std::move(executor_for_lock), std::move(path), mode, timeout, std::move(options),
                  boost::asio::bind_cancellation_slot(
                      slot, boost::asio::bind_executor(executor, [file = std::move(file), handler = std::move(handler)](
                                                                     std::exception_ptr error, AsyncLockGuard guard) mutable {
                        if (error) return std::move(handler)(error, AsyncSafeFileGuard());
                        std::move(handler)(nullptr, AsyncSafeFileGuard(std::move(file), std::move(guard)));
                      })));
}

void start_safe_read_stream(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held,
                            PieceConsumer consumer, ExistsCompletion handler) {
  run_locked<bool>(std::move(file), std::move(held), LockMode::shared, true, std::move(handler),
                   [consumer = std::move(consumer)](SafeFile& safe, const Held&) {
                     return Outcome<bool>(nullptr, safe.read_stream(consumer));
                   });
}

void start_open_writer(std::shared_ptr<SafeFileShared> file, std::shared_ptr<AsyncLockGuard> held, WriteMode mode,
                       WriterCompletion handler) {
  auto shared_file = file;
  run_locked<AsyncContentWriter>(
      std::move(file), std::move(held), LockMode::exclusive, false, std::move(handler),
      [mode, shared_file = std::move(shared_file)](SafeFile& safe, const Held& lock) {
        // The writer's own lock re-enters the hold (same task owner); the state keeps the hold
        // until the commit or the abort.
        auto state = std::make_shared<ContentWriterShared>();
        state->file = shared_file;
        state->held = lock;
        state->writer.emplace(safe.open_writer(mode));
        return Outcome<AsyncContentWriter>(nullptr, AsyncContentWriter(std::move(state)));
      });
}

}  // namespace detail

AsyncSafeFileGuard::AsyncSafeFileGuard(std::shared_ptr<detail::SafeFileShared> file, AsyncLockGuard lock)
    : AsyncSafeFileOps(std::move(file), std::make_shared<AsyncLockGuard>(std::move(lock))) {}

AsyncSafeFile::AsyncSafeFile(boost::asio::any_io_executor executor, std::filesystem::path path, Timeout timeout,
                             FileOptions options, IoEngine* engine)
    : AsyncSafeFileOps(std::make_shared<detail::SafeFileShared>(std::move(executor), std::move(path), timeout,
                                                                std::move(options),
                                                                engine != nullptr ? *engine : IoEngine::shared()),
                       nullptr) {}

const std::filesystem::path& AsyncSafeFile::path() const noexcept { return file_->path; }
boost::asio::any_io_executor AsyncSafeFile::get_executor() const noexcept { return file_->executor; }
SafeFile& AsyncSafeFile::sync_file() const noexcept { return file_->file; }

}  // namespace atomicio
