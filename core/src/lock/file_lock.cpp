// FileLock: resolves the backend and the file's identity, then claims the in-process entry.
#include <atomicio/file_lock.hpp>

#include "lock/lock_table.hpp"
#include "path/resolved_target.hpp"
#include "posix/os_error.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>

namespace atomicio {

namespace {

detail::ResolvedTarget resolve_for_lock(const std::filesystem::path& target, LockMode mode, Timeout timeout) {
  detail::Resolution resolution = detail::resolve_target(target);
  if (!resolution.ok())
    throw LockFailedError("resolve", target, resolution.problem, timeout.limit(), detail::os_error(resolution.error), mode);
  return std::move(resolution.target);
}

}  // namespace

std::shared_ptr<detail::LockEntry> detail::lock_entry_for(const std::filesystem::path& target, LockMode mode,
                                                          Timeout timeout, const LockOptions& options) {
  PluginHost& host = options.plugins != nullptr ? *options.plugins : PluginHost::global();
  detail::LockBackendRef backend = detail::resolve_lock_backend(options.backend, host);
  backend.stale_after = options.stale_after;
  const detail::ResolvedTarget resolved = resolve_for_lock(target, mode, timeout);
  return detail::LockTable::instance().entry_for(resolved.full(), resolved.sidecar_path(), backend);
}

FileLock::FileLock(const std::filesystem::path& target, LockMode mode, Timeout timeout, const LockOptions& options)
    : claim_(detail::claim(detail::lock_entry_for(target, mode, timeout, options), mode, timeout)) {}

FileLock::FileLock(std::unique_ptr<detail::LockClaim> claim) noexcept : claim_(std::move(claim)) {}

std::optional<FileLock> FileLock::try_lock(const std::filesystem::path& target, LockMode mode,
                                           const LockOptions& options) {
  try {
    return FileLock(target, mode, Timeout::immediate(), options);
  } catch (const AlreadyLockedError&) {
    return std::nullopt;
  }
}

FileLock::FileLock(FileLock&&) noexcept = default;
FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    unlock();
    claim_ = std::move(other.claim_);
  }
  return *this;
}
FileLock::~FileLock() { unlock(); }

void FileLock::unlock() noexcept {
  if (!claim_ || !claim_->held) return;
  claim_->held = false;
  // Released on behalf of the owner that acquired it, so a lock moved to another thread is
  // still released correctly.
  claim_->entry->release(claim_->owner);
}

// In a child of fork() a hold taken by the parent is the parent's (lock_table.hpp): the child owns nothing.
bool FileLock::owns_lock() const noexcept { return claim_ && claim_->held && !claim_->entry->stale(); }
LockMode FileLock::mode() const noexcept { return claim_ ? claim_->mode : LockMode::exclusive; }
std::filesystem::path FileLock::sidecar_path() const { return claim_ ? claim_->entry->sidecar : std::filesystem::path(); }
std::string FileLock::backend() const { return claim_ ? claim_->entry->backend.name : std::string(); }

std::filesystem::path FileLock::sidecar_for(const std::filesystem::path& target) {
  return resolve_for_lock(target, LockMode::exclusive, Timeout::infinite()).sidecar_path();
}

}  // namespace atomicio
