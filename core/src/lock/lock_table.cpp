// The in-process half of every lock: thread exclusion, re-entrancy, deadlock detection for
// upgrades, writer preference, and exactly one OS lock per file per process.
#include "lock/lock_table.hpp"

#include "plugin/diagnostic.hpp"
#include "posix/os_error.hpp"

#include <atomicio/errors.hpp>

#include <atomicio/sdk/deadline.hpp>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <string>
#include <utility>

namespace atomicio::detail {

namespace {

std::string describe_wait(Timeout timeout) {
  if (timeout.is_immediate()) return "without waiting";
  double seconds = std::chrono::duration<double>(timeout.limit()).count();
  return "within " + std::to_string(seconds) + " s";
}

// "shared lock (backend ofd): ", the start of every lock error's detail.
std::string describe_request(LockMode mode, const std::string& backend) {
  return std::string(to_string(mode)) + " lock (backend " + backend + "): ";
}

[[noreturn]] void throw_unavailable(const std::filesystem::path& target, Timeout timeout, LockMode mode,
                                    const std::string& backend, const std::string& holder) {
  if (timeout.is_immediate())
    throw AlreadyLockedError("lock", target, describe_request(mode, backend) + "held by " + holder, timeout.limit(), {},
                             mode, backend);
  throw LockTimeoutError("lock", target,
                         describe_request(mode, backend) + "stayed held by " + holder + "; gave up " + describe_wait(timeout),
                         timeout.limit(), {}, mode, backend);
}

}  // namespace

std::exception_ptr lock_unavailable(const LockEntry& entry, LockMode mode, Timeout timeout, const std::string& holder) {
  try {
    throw_unavailable(entry.target, timeout, mode, entry.backend.name, holder);
  } catch (...) {
    return std::current_exception();
  }
}

namespace {
std::atomic<std::uint64_t> next_owner{1};
thread_local std::uint64_t owner_override = 0;
}  // namespace

std::uint64_t current_lock_owner() noexcept {
  if (owner_override != 0) return owner_override;
  thread_local const std::uint64_t mine = next_owner.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

std::uint64_t new_lock_owner() noexcept { return next_owner.fetch_add(1, std::memory_order_relaxed); }

std::uint64_t exchange_lock_owner_override(std::uint64_t owner) noexcept {
  return std::exchange(owner_override, owner);
}

namespace {
std::atomic<std::uint64_t> generation_counter{0};
}  // namespace

std::uint64_t fork_generation() noexcept { return generation_counter.load(std::memory_order_relaxed); }

LockEntry::LockEntry(std::filesystem::path target_path, std::filesystem::path sidecar_path, LockBackendRef backend_ref)
    : target(std::move(target_path)), sidecar(std::move(sidecar_path)), backend(std::move(backend_ref)) {}

LockEntry::~LockEntry() {
  // Closing the sidecar after the last holder left; a held OS lock cannot remain here because
  // every claim keeps its entry alive. In a forked child the parent's handle is leaked: the
  // backend's state for it belongs to the parent (and closing an fcntl sidecar descriptor would
  // drop the child's own record locks on that inode).
  if (os_handle_ != nullptr && !stale()) backend.table->close(backend.table->self, os_handle_);
}

bool LockEntry::fits(LockMode mode) const {
  if (mode == LockMode::exclusive) return holders_.empty();
  return holders_.empty() || holders_.front().mode == LockMode::shared;
}

bool LockEntry::reenter(std::uint64_t owner, LockMode mode, Timeout timeout) {
  auto mine = std::find_if(holders_.begin(), holders_.end(), [&](const Holder& h) { return h.owner == owner; });
  if (mine == holders_.end()) return false;
  if (mine->mode == LockMode::exclusive || mode == LockMode::shared) {
    ++mine->count;
    return true;
  }
  throw LockFailedError("lock", target,
                        describe_request(mode, backend.name) +
                            "this thread or task holds the shared lock; upgrading would deadlock, so release the "
                            "shared lock first",
                        timeout.limit(), {}, mode, backend.name);
}

void LockEntry::grant_waiters(Grants& grants) {
  bool woke_thread = false;
  while (!queue_.empty() && !os_in_progress_ && fits(queue_.front().mode)) {
    Waiter waiter = std::move(queue_.front());
    queue_.pop_front();
    const bool take_os = holders_.empty();
    if (take_os)
      os_in_progress_ = true;  // the grantee takes the OS lock, then finish_os_lock
    else
      holders_.push_back({waiter.owner, waiter.mode, 1});
    if (waiter.thread != nullptr) {
      waiter.thread->granted = true;
      waiter.thread->take_os_lock = take_os;
      woke_thread = true;
    } else {
      grants.emplace_back(std::move(waiter.on_grant), take_os);
    }
  }
  if (woke_thread) changed_.notify_all();
}

void LockEntry::run(Grants& grants) noexcept {
  for (auto& [on_grant, take_os] : grants) on_grant(take_os);
  grants.clear();
}

void LockEntry::acquire(std::uint64_t owner, LockMode mode, Timeout timeout) {
  if (stale())  // claim() renews stale entries; its mutex may be held by a thread that is not in this process
    throw LockFailedError("lock", target, describe_request(mode, backend.name) + "the lock entry was made before fork()",
                          timeout.limit(), {}, mode, backend.name);
  std::unique_lock held(mutex_);
  if (reenter(owner, mode, timeout)) return;
  // Saturated: a limit the clock cannot represent (nanoseconds::max()) waits without end.
  const auto deadline = sdk::deadline_after(timeout.is_infinite() ? std::chrono::nanoseconds(0) : timeout.limit());
  const bool endless = timeout.is_infinite() || deadline == std::chrono::steady_clock::time_point::max();
  bool take_os = false;
  if (can_enter_now(mode)) {
    take_os = holders_.empty();
    if (take_os)
      os_in_progress_ = true;
    else
      holders_.push_back({owner, mode, 1});
  } else {
    if (timeout.is_immediate()) throw_unavailable(target, timeout, mode, backend.name, "another thread or task of this process");
    ThreadGrant grant;
    const std::uint64_t ticket = next_ticket_++;
    queue_.push_back({ticket, owner, mode, &grant, {}});
    while (!grant.granted) {
      if (endless) {
        changed_.wait(held);
      } else if (changed_.wait_until(held, deadline) == std::cv_status::timeout && !grant.granted) {
        // Still queued (a grant would have set the flag under this mutex): leave, and let the
        // ones behind in if this waiter was what kept them out.
        std::erase_if(queue_, [&](const Waiter& w) { return w.ticket == ticket; });
        Grants grants;
        grant_waiters(grants);
        held.unlock();
        run(grants);
        throw_unavailable(target, timeout, mode, backend.name, "another thread or task of this process");
      }
    }
    take_os = grant.take_os_lock;
  }
  if (take_os) take_os_lock(held, owner, mode, timeout, deadline);
}

std::int32_t LockEntry::os_attempt(LockMode mode, std::int64_t wait_ns, Timeout timeout) {
  Diagnostic diagnostic;
  const atomicio_lock_backend_v1& api = *backend.table;
  std::int32_t status = ATOMICIO_OK;
  if (os_handle_ == nullptr) {
    const std::string path = sidecar.string();
    if (api.struct_size >= offsetof(atomicio_lock_backend_v1, open_with_options) + sizeof(api.open_with_options) &&
        api.open_with_options != nullptr) {
      const atomicio_lock_options options{sizeof(atomicio_lock_options), backend.stale_after.count()};
      status = api.open_with_options(api.self, path.c_str(), path.size(), &options, &os_handle_, &diagnostic.raw);
    } else {
      status = api.open(api.self, path.c_str(), path.size(), &os_handle_, &diagnostic.raw);
    }
  }
  if (status == ATOMICIO_OK)
    status = api.lock(api.self, os_handle_, mode == LockMode::shared ? ATOMICIO_LOCK_SHARED : ATOMICIO_LOCK_EXCLUSIVE,
                      wait_ns, &diagnostic.raw);
  if (status == ATOMICIO_OK || status == ATOMICIO_ERR_BUSY) return status;
  throw LockFailedError("lock", target,
                        describe_request(mode, backend.name) + "the backend failed on " + sidecar.string() +
                            (diagnostic.message.empty() ? "" : ": " + diagnostic.message),
                        timeout.limit(), diagnostic.raw.os_errno != 0 ? os_error(diagnostic.raw.os_errno) : std::error_code(),
                        mode, backend.name);
}

void LockEntry::finish_os_lock(std::uint64_t owner, LockMode mode, bool taken) noexcept {
  Grants grants;
  {
    std::lock_guard held(mutex_);
    os_in_progress_ = false;
    if (taken) holders_.push_back({owner, mode, 1});
    grant_waiters(grants);  // shared requests behind a shared first holder; or the next in line
    changed_.notify_all();
  }
  run(grants);
}

void LockEntry::take_os_lock(std::unique_lock<std::mutex>& held, std::uint64_t owner, LockMode mode, Timeout timeout,
                             std::chrono::steady_clock::time_point deadline) {
  held.unlock();
  std::int64_t wait_ns = -1;
  if (!timeout.is_infinite() && deadline != std::chrono::steady_clock::time_point::max()) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
    wait_ns = std::max<std::int64_t>(0, left.count());
  }
  std::int32_t status;
  try {
    status = os_attempt(mode, wait_ns, timeout);
  } catch (...) {
    finish_os_lock(owner, mode, false);
    throw;
  }
  finish_os_lock(owner, mode, status == ATOMICIO_OK);
  if (status == ATOMICIO_ERR_BUSY) throw_unavailable(target, timeout, mode, backend.name, "another process");
}

void LockEntry::release(std::uint64_t owner) noexcept {
  if (stale()) return;  // the parent's hold; its mutex must not be touched here
  Grants grants;
  {
    std::lock_guard held(mutex_);
    auto mine = std::find_if(holders_.begin(), holders_.end(), [&](const Holder& h) { return h.owner == owner; });
    if (mine == holders_.end()) return;
    if (--mine->count > 0) return;
    holders_.erase(mine);
    if (holders_.empty() && os_handle_ != nullptr) {
      // An unlock failure cannot be reported from here (release runs in destructors); closing the
      // sidecar when the entry dies releases the OS lock regardless.
      backend.table->unlock(backend.table->self, os_handle_, nullptr);
    }
    grant_waiters(grants);
    changed_.notify_all();
  }
  run(grants);
}

LockEntry::Admission LockEntry::enter_or_queue(std::uint64_t owner, LockMode mode, std::function<void(bool)> on_grant,
                                               std::uint64_t& ticket) {
  if (stale())
    throw LockFailedError("lock", target, describe_request(mode, backend.name) + "the lock entry was made before fork()",
                          std::chrono::nanoseconds(-1), {}, mode, backend.name);
  std::lock_guard held(mutex_);
  if (reenter(owner, mode, Timeout::infinite())) return Admission::entered;
  if (can_enter_now(mode)) {
    if (holders_.empty()) {
      os_in_progress_ = true;
      return Admission::take_os_lock;
    }
    holders_.push_back({owner, mode, 1});
    return Admission::entered;
  }
  ticket = next_ticket_++;
  queue_.push_back({ticket, owner, mode, nullptr, std::move(on_grant)});
  return Admission::queued;
}

bool LockEntry::withdraw(std::uint64_t ticket) {
  Grants grants;
  {
    std::lock_guard held(mutex_);
    auto found = std::find_if(queue_.begin(), queue_.end(), [&](const Waiter& w) { return w.ticket == ticket; });
    if (found == queue_.end()) return false;
    queue_.erase(found);
    grant_waiters(grants);
  }
  run(grants);
  return true;
}

LockTable& LockTable::instance() {
  // Leaked, and so is the parent's table in a forked child: locks may be released during static
  // destruction, and the parent's table may have been locked by a thread the child lacks.
  static std::atomic<LockTable*> current = [] {
    ::pthread_atfork(nullptr, nullptr, [] {
      generation_counter.fetch_add(1, std::memory_order_relaxed);
      current.store(new LockTable, std::memory_order_relaxed);
    });
    return new LockTable;
  }();
  return *current.load(std::memory_order_relaxed);
}

std::shared_ptr<LockEntry> LockTable::renew(const LockEntry& stale) {
  return entry_for(stale.target, stale.sidecar, stale.backend);
}

std::shared_ptr<LockEntry> LockTable::find(const std::filesystem::path& identity) {
  std::lock_guard held(mutex_);
  auto found = entries_.find(identity);
  return found == entries_.end() ? nullptr : found->second.lock();
}

std::shared_ptr<LockEntry> LockTable::entry_for(const std::filesystem::path& identity, const std::filesystem::path& sidecar,
                                                const LockBackendRef& backend) {
  std::lock_guard held(mutex_);
  std::weak_ptr<LockEntry>& slot = entries_[identity];
  if (auto existing = slot.lock()) {
    if (existing->backend.table != backend.table || existing->backend.name != backend.name)
      throw LockFailedError("lock", identity,
                            "this process already locks the file through backend '" + existing->backend.name +
                                "'; mixing backends on one file would not exclude",
                            std::chrono::nanoseconds(-1));
    return existing;
  }
  if (entries_.size() > 1024)  // Forget files nobody refers to any more.
    std::erase_if(entries_, [](const auto& item) { return item.second.expired(); });
  auto entry = std::make_shared<LockEntry>(identity, sidecar, backend);
  entries_[identity] = entry;
  return entry;
}

std::unique_ptr<LockClaim> claim(std::shared_ptr<LockEntry> entry, LockMode mode, Timeout timeout) {
  if (entry->stale()) entry = LockTable::instance().renew(*entry);
  auto result = std::make_unique<LockClaim>();
  result->owner = current_lock_owner();
  result->mode = mode;
  entry->acquire(result->owner, mode, timeout);
  result->entry = std::move(entry);
  result->held = true;
  return result;
}

}  // namespace atomicio::detail
