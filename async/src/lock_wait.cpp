// One async lock operation: resolve on the pool, enter or queue in the lock table, wait for the
// grant or the deadline or a cancellation, then take the inter-process lock with non-waiting
// attempts on the pool spaced by a backoff timer. Every step after the start runs on a strand
// of the caller's executor, so the grant (posted from whichever thread released the lock), the
// timers and a cancellation never race inside the operation; the race that matters, grant
// against withdrawal, is decided by the table under its mutex (QueuedLock::withdraw).
#include <atomicio/async/async_file_lock.hpp>

#include "pool_job.hpp"

#include <atomicio/errors.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <random>

namespace atomicio::detail {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Short first pauses catch the common short hold quickly; the cap bounds both the hand-off delay
// of a long hold and the polling (125 attempts a second, one short pool job each).
constexpr auto kFirstBackoff = std::chrono::microseconds(250);
constexpr auto kLongestBackoff = std::chrono::milliseconds(8);
constexpr int kShortBackoffs = 4;

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}

class LockWait : public std::enable_shared_from_this<LockWait> {
 public:
  LockWait(asio::any_io_executor executor, std::filesystem::path path, LockMode mode, Timeout timeout,
           AsyncLockOptions options, LockOwner owner, LockCompletion handler)
      : strand_(asio::make_strand(executor)),
        io_executor_(executor),
        tracked_io_(asio::prefer(std::move(executor), asio::execution::outstanding_work.tracked)),
        engine_(options.engine != nullptr ? *options.engine : IoEngine::shared()),
        path_(std::move(path)),
        mode_(mode),
        timeout_(timeout),
        options_(std::move(options.lock)),
        owner_(owner),
        deadline_timer_(strand_),
        backoff_timer_(strand_),
        handler_(std::move(handler)),
        work_(asio::prefer(asio::get_associated_executor(handler_, io_executor_),
                           asio::execution::outstanding_work.tracked)) {}

  void start() {
    auto slot = handler_.get_cancellation_slot();
    if (slot.is_connected()) {
      std::weak_ptr<LockWait> weak = weak_from_this();
      slot.assign([weak](asio::cancellation_type type) {
        if (type == asio::cancellation_type::none) return;
        if (auto self = weak.lock()) {
          auto strand = self->strand_;
          asio::dispatch(strand, [self = std::move(self)] { self->cancel(); });
        }
      });
    }
    if (!timeout_.is_infinite()) deadline_ = compute_deadline();
    // One pool job resolves the lock, enters or queues, and where this task must take the OS
    // lock makes the first non-waiting attempt: the uncontended case costs one trip. Only
    // lock_ and ticket_ are written here; everything else is the strand's, after the hop.
    asio::post(engine_.pool(), [self = shared_from_this()]() mutable {
      Start start;
      try {
        self->lock_.emplace(QueuedLock::open(self->path_, self->mode_, self->options_));
        start.admission = self->lock_->enter_or_queue(self->owner_, self->mode_, grant_callback(self), self->ticket_);
        start.entered = true;
        self->unprocessed_.store(start.admission == QueuedLock::Admission::entered        ? kEntered
                                 : start.admission == QueuedLock::Admission::take_os_lock ? kTakeOs
                                                                                          : kQueued,
                                 std::memory_order_release);
      } catch (...) {
        start.failure = std::current_exception();
      }
      if (start.entered && start.admission == QueuedLock::Admission::take_os_lock) {
        try {
          start.taken = self->lock_->try_os_lock(self->mode_);
          if (start.taken) self->unprocessed_.store(kTakeOsTaken, std::memory_order_release);
        } catch (...) {
          start.os_failure = std::current_exception();
        }
      }
      hop(std::move(self), [start](LockWait& wait) { wait.started(start); });
    });
  }

  // Normally nothing is left to give back. Only when the io_context was destroyed with this
  // operation pending (its handlers dropped unrun) does the lock table still hold something for
  // it: a queued request, an entry, an OS step or a grant nobody took up.
  ~LockWait() {
    if (!lock_) return;
    switch (unprocessed_.load(std::memory_order_acquire)) {
      case kQueued:
        // Withdrawn, or granted meanwhile: then the grant callback finds this state gone and
        // gives the grant back itself.
        lock_->withdraw(ticket_);
        break;
      case kEntered: lock_->release(owner_); break;
      case kTakeOs: lock_->finish_os_lock(owner_, mode_, false); break;
      case kTakeOsTaken:
        lock_->finish_os_lock(owner_, mode_, true);
        lock_->release(owner_);
        break;
      default: break;
    }
  }

 private:
  enum class Phase { opening, queued, os_lock, done };

  // From a pool or granting thread onto the strand, through the work-counting io executor: the
  // caller's io_context cannot run out of work (and be destroyed) while this thread still
  // holds a copy of the strand, and `self` moves on, so the state is released on the strand.
  template <class Step>
  static void hop(std::shared_ptr<LockWait> self, Step step) {
    auto io = self->tracked_io_;
    asio::post(io, [self = std::move(self), step = std::move(step)]() mutable {
      auto& strand = self->strand_;
      asio::dispatch(strand, [self = std::move(self), step = std::move(step)]() mutable { step(*self); });
    });
  }

  Clock::time_point compute_deadline() const {
    const auto now = Clock::now();
    if (timeout_.limit() > Clock::time_point::max() - now) return Clock::time_point::max();
    return now + timeout_.limit();
  }
  bool has_deadline() const { return !timeout_.is_infinite() && deadline_ != Clock::time_point::max(); }

  // What the first pool job found.
  struct Start {
    std::exception_ptr failure;  // resolving or entering failed: nothing is held
    bool entered = false;        // admission is valid
    QueuedLock::Admission admission = QueuedLock::Admission::queued;
    bool taken = false;          // take_os_lock: the first attempt got it
    std::exception_ptr os_failure;
  };

  // The grant callback holds the state weakly (a handler holds it while queued: the deadline
  // timer's). A grant that finds it gone, because its io_context was destroyed with the wait
  // pending, is given back at once: a lock granted to nobody would be held for ever.
  static std::function<void(bool)> grant_callback(const std::shared_ptr<LockWait>& self) {
    std::weak_ptr<LockWait> weak = self;
    return [weak, lock = *self->lock_, owner = self->owner_, mode = self->mode_](bool take_os_lock) {
      if (auto alive = weak.lock()) {
        alive->unprocessed_.store(take_os_lock ? kTakeOs : kEntered, std::memory_order_release);
        return hop(std::move(alive), [take_os_lock](LockWait& wait) { wait.granted(take_os_lock); });
      }
      if (take_os_lock)
        lock.finish_os_lock(owner, mode, false);
      else
        lock.release(owner);
    };
  }

  // What this operation has in the lock table and has not handed on (to a guard) or undone:
  // what a state destroyed with its io_context (its handlers dropped unrun) must give back.
  static constexpr int kNothing = 0;
  static constexpr int kQueued = 1;       // a queued request: withdraw it
  static constexpr int kEntered = 2;      // a hold: release it
  static constexpr int kTakeOs = 3;       // the OS step, lock not taken: end it
  static constexpr int kTakeOsTaken = 4;  // the OS step, lock taken: end it as taken, release

  void started(const Start& start) {
    if (start.failure) return complete(start.failure);
    switch (start.admission) {
      case QueuedLock::Admission::entered:
        if (cancelled_) {
          lock_->release(owner_);
          return complete(aborted());
        }
        return succeed();
      case QueuedLock::Admission::take_os_lock:
        phase_ = Phase::os_lock;
        return attempted(start.taken, start.os_failure);
      case QueuedLock::Admission::queued:
        if (phase_ != Phase::opening) return;  // the grant came first and was taken up
        if (cancelled_) {
          phase_ = Phase::queued;
          return give_up(aborted());
        }
        return queued();
    }
  }

  void queued() {
    phase_ = Phase::queued;
    if (timeout_.is_immediate()) return give_up(lock_->unavailable(mode_, timeout_, "another thread or task of this process"));
    // Armed without a deadline too: its handler is what keeps the state alive while queued,
    // and what the io_context drops if it is destroyed meanwhile (see ~LockWait).
    deadline_timer_.expires_at(has_deadline() ? deadline_ : Clock::time_point::max());
    deadline_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (error || self->phase_ != Phase::queued) return;
      self->give_up(self->lock_->unavailable(self->mode_, self->timeout_, "another thread or task of this process"));
    });
  }

  // Timeout or cancellation while queued: either the table still has the request (it leaves
  // holding nothing) or the grant came first and is on its way to granted(), which then
  // releases it and completes with `failure`.
  void give_up(std::exception_ptr failure) {
    if (lock_->withdraw(ticket_)) {
      unprocessed_.store(kNothing, std::memory_order_relaxed);
      return complete(failure);
    }
    abandon_ = failure;
    keep_alive_ = shared_from_this();  // the grant is on its way to granted(): wait for it
  }

  void granted(bool take_os) {
    keep_alive_.reset();
    deadline_timer_.cancel();
    if (!abandon_ && cancelled_) abandon_ = aborted();  // cancelled before the queue was set up
    if (abandon_) {
      if (take_os)
        lock_->finish_os_lock(owner_, mode_, false);
      else
        lock_->release(owner_);
      return complete(abandon_);
    }
    if (take_os) return take_os_lock();
    succeed();
  }

  void take_os_lock() {
    phase_ = Phase::os_lock;
    asio::post(engine_.pool(), [self = shared_from_this()]() mutable {
      std::exception_ptr failure;
      bool taken = false;
      try {
        taken = self->lock_->try_os_lock(self->mode_);
        if (taken) self->unprocessed_.store(kTakeOsTaken, std::memory_order_release);
      } catch (...) {
        failure = std::current_exception();
      }
      hop(std::move(self), [taken, failure](LockWait& wait) { wait.attempted(taken, failure); });
    });
  }

  void attempted(bool taken, std::exception_ptr failure) {
    if (failure) {
      lock_->finish_os_lock(owner_, mode_, false);
      return complete(failure);
    }
    if (taken) {
      lock_->finish_os_lock(owner_, mode_, true);
      if (cancelled_) {
        lock_->release(owner_);
        return complete(aborted());
      }
      return succeed();
    }
    const auto now = Clock::now();
    if (cancelled_ || timeout_.is_immediate() || (has_deadline() && now >= deadline_)) {
      lock_->finish_os_lock(owner_, mode_, false);
      return complete(cancelled_ ? aborted() : lock_->unavailable(mode_, timeout_, "another process"));
    }
    backoff_timer_.expires_at(std::min(now + next_backoff(), has_deadline() ? deadline_ : Clock::time_point::max()));
    backoff_timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
      if (self->cancelled_) {
        self->lock_->finish_os_lock(self->owner_, self->mode_, false);
        return self->complete(aborted());
      }
      self->take_os_lock();
    });
  }

  // 0.25 ms for the first kShortBackoffs pauses (about the first millisecond, where most holds
  // end: a doubling from the first pause put the hand-off p99 over 1 ms), then doubling to 8 ms;
  // each scaled by a random factor in [0.5, 1.5) so that processes polling one lock spread out.
  Clock::duration next_backoff() {
    const int doublings = std::clamp(attempts_ - kShortBackoffs + 1, 0, 5);
    auto base = std::min<Clock::duration>(kFirstBackoff * (1 << doublings), kLongestBackoff);
    ++attempts_;
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_real_distribution<double> factor(0.5, 1.5);
    return std::chrono::duration_cast<Clock::duration>(base * factor(random));
  }

  void cancel() {
    if (phase_ == Phase::done || cancelled_) return;
    cancelled_ = true;
    switch (phase_) {
      case Phase::queued: return give_up(aborted());
      case Phase::os_lock: backoff_timer_.cancel(); return;  // the attempt in flight sees the flag
      case Phase::opening: return;                           // started() sees the flag
      case Phase::done: return;
    }
  }

  void succeed() {
    if (phase_ == Phase::done) return;
    phase_ = Phase::done;
    finish(nullptr, AsyncLockGuard(*lock_, owner_, mode_));
  }

  void complete(std::exception_ptr failure) {
    if (phase_ == Phase::done) return;
    phase_ = Phase::done;
    finish(failure, AsyncLockGuard());
  }

  void finish(std::exception_ptr failure, AsyncLockGuard guard) {
    unprocessed_.store(kNothing, std::memory_order_relaxed);  // undone, or the guard's now
    deadline_timer_.cancel();
    backoff_timer_.cancel();
    auto slot = handler_.get_cancellation_slot();
    if (slot.is_connected()) slot.clear();
    // Posted (never run inside a cancellation's emit()), then on the handler's own executor.
    asio::post(io_executor_, asio::bind_executor(work_, [handler = std::move(handler_), failure,
                                                          guard = std::move(guard)]() mutable {
                 std::move(handler)(failure, std::move(guard));
               }));
  }

  asio::strand<asio::any_io_executor> strand_;
  asio::any_io_executor io_executor_;
  // io_executor_ counting work: hops from other threads go through it (see hop()).
  asio::any_io_executor tracked_io_;
  IoEngine& engine_;
  std::filesystem::path path_;
  LockMode mode_;
  Timeout timeout_;
  LockOptions options_;
  LockOwner owner_;
  std::optional<QueuedLock> lock_;
  std::uint64_t ticket_ = 0;
  Clock::time_point deadline_ = Clock::time_point::max();
  asio::steady_timer deadline_timer_;
  asio::steady_timer backoff_timer_;
  LockCompletion handler_;
  // The handler's executor, counting this operation as work so its io_context keeps running.
  asio::any_completion_executor work_;
  Phase phase_ = Phase::opening;
  bool cancelled_ = false;
  std::exception_ptr abandon_;
  std::shared_ptr<LockWait> keep_alive_;  // only between a failed withdraw and its grant
  std::atomic<int> unprocessed_{kNothing};
  int attempts_ = 0;
};

}  // namespace

void start_lock_file(asio::any_io_executor executor, std::filesystem::path path, LockMode mode, Timeout timeout,
                     AsyncLockOptions options, LockOwner owner, LockCompletion handler) {
  std::make_shared<LockWait>(std::move(executor), std::move(path), mode, timeout, std::move(options), owner,
                             std::move(handler))
      ->start();
}

}  // namespace atomicio::detail

namespace atomicio {

AsyncLockGuard::AsyncLockGuard(AsyncLockGuard&& other) noexcept
    : lock_(std::move(other.lock_)), owner_(other.owner_), mode_(other.mode_), held_(std::exchange(other.held_, false)) {}

AsyncLockGuard& AsyncLockGuard::operator=(AsyncLockGuard&& other) noexcept {
  if (this != &other) {
    unlock();
    lock_ = std::move(other.lock_);
    owner_ = other.owner_;
    mode_ = other.mode_;
    held_ = std::exchange(other.held_, false);
  }
  return *this;
}

AsyncLockGuard::~AsyncLockGuard() { unlock(); }

void AsyncLockGuard::unlock() noexcept {
  if (!held_) return;
  held_ = false;
  lock_->release(owner_);
}

std::filesystem::path AsyncLockGuard::path() const { return lock_ ? lock_->target() : std::filesystem::path(); }
std::string AsyncLockGuard::backend() const { return lock_ ? lock_->backend() : std::string(); }

}  // namespace atomicio
