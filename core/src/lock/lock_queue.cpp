// QueuedLock: the lock table's non-blocking side, exported for the async library.
#include <atomicio/detail/lock_queue.hpp>

#include "lock/lock_table.hpp"

namespace atomicio::detail {

LockOwner new_task_lock_owner() noexcept { return new_lock_owner(); }

LockOwnerScope::LockOwnerScope(LockOwner owner) noexcept : previous_(exchange_lock_owner_override(owner)) {}
LockOwnerScope::~LockOwnerScope() { exchange_lock_owner_override(previous_); }

QueuedLock QueuedLock::open(const std::filesystem::path& target, LockMode mode, const LockOptions& options) {
  auto entry = lock_entry_for(target, mode, Timeout::infinite(), options);
  if (entry->stale()) entry = LockTable::instance().renew(*entry);
  return QueuedLock(std::move(entry));
}

QueuedLock::Admission QueuedLock::enter_or_queue(LockOwner owner, LockMode mode, std::function<void(bool)> on_grant,
                                                 std::uint64_t& ticket) const {
  switch (entry_->enter_or_queue(owner, mode, std::move(on_grant), ticket)) {
    case LockEntry::Admission::entered: return Admission::entered;
    case LockEntry::Admission::take_os_lock: return Admission::take_os_lock;
    case LockEntry::Admission::queued: break;
  }
  return Admission::queued;
}

bool QueuedLock::withdraw(std::uint64_t ticket) const { return entry_->withdraw(ticket); }

bool QueuedLock::try_os_lock(LockMode mode) const {
  return entry_->os_attempt(mode, 0, Timeout::immediate()) == ATOMICIO_OK;
}

void QueuedLock::finish_os_lock(LockOwner owner, LockMode mode, bool taken) const noexcept {
  entry_->finish_os_lock(owner, mode, taken);
}

void QueuedLock::release(LockOwner owner) const noexcept { entry_->release(owner); }

std::exception_ptr QueuedLock::unavailable(LockMode mode, Timeout timeout, const std::string& held_by) const {
  return lock_unavailable(*entry_, mode, timeout, held_by);
}

const std::filesystem::path& QueuedLock::target() const noexcept { return entry_->target; }
const std::filesystem::path& QueuedLock::sidecar() const noexcept { return entry_->sidecar; }
const std::string& QueuedLock::backend() const noexcept { return entry_->backend.name; }

}  // namespace atomicio::detail
