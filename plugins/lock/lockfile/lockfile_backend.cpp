// lock.lockfile: the sidecar itself is the lock, created with O_EXCL and removed on release
// (LockFile has the protocol), for filesystems where advisory locks do not work.
//
// Shared requests are taken exclusively: a lock file has one owner, and reader files would
// need a second protocol with its own staleness. Threads of one process still share a shared
// lock (the core's in-process table does that); processes take turns.
//
// The stale time is the application's (LockOptions::stale_after, passed to open_with), else
// ATOMICIO_LOCKFILE_STALE_SECONDS read when the core opens a sidecar, else one hour; 0 means
// never stale by age.
#include "lock_file.hpp"

#include <atomicio/sdk/lock_backend.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using atomicio::lockfile::LockFile;
using atomicio::sdk::LockMode;
using atomicio::sdk::OsError;

constexpr std::chrono::seconds kDefaultStaleAfter{3600};

std::chrono::seconds stale_time_from_environment() {
  // secure_getenv: a set-uid program must not let its caller shorten the stale time.
  const char* text = ::secure_getenv("ATOMICIO_LOCKFILE_STALE_SECONDS");
  if (text == nullptr || *text == '\0') return kDefaultStaleAfter;
  std::string_view value(text);
  std::int64_t seconds = -1;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc() || end != value.data() + value.size() || seconds < 0)
    throw OsError("ATOMICIO_LOCKFILE_STALE_SECONDS must be a whole number of seconds (0: never stale by age), not '" +
                      std::string(value) + "'",
                  EINVAL);
  return std::chrono::seconds(seconds);
}

class LockfileHandle final : public atomicio::sdk::LockBackend::Handle {
 public:
  LockfileHandle(const std::string& path, std::chrono::seconds stale_after) : file(path, stale_after) {}
  LockFile file;  // its destructor removes a lock file still held
};

class LockfileBackend final : public atomicio::sdk::LockBackend {
 public:
  std::unique_ptr<Handle> open(const std::string& sidecar_path) override {
    // Nothing is created yet: the file's existence is the lock.
    return std::make_unique<LockfileHandle>(sidecar_path, stale_time_from_environment());
  }

  std::unique_ptr<Handle> open_with(const std::string& sidecar_path, const atomicio::sdk::LockSettings& settings) override {
    if (settings.stale_after.count() < 0) return open(sidecar_path);
    return std::make_unique<LockfileHandle>(sidecar_path,
                                            std::chrono::duration_cast<std::chrono::seconds>(settings.stale_after));
  }

  bool lock(Handle& base, LockMode, std::chrono::nanoseconds timeout) override {
    LockFile& file = static_cast<LockfileHandle&>(base).file;
    auto attempt = [&] { return file.try_acquire(); };
    if (timeout.count() >= 0) return atomicio::sdk::poll_until(timeout, attempt);
    // No deadline: poll in hour-long rounds (one round would overflow the clock arithmetic).
    while (!atomicio::sdk::poll_until(std::chrono::hours(1), attempt)) {
    }
    return true;
  }

  void unlock(Handle& base) override { static_cast<LockfileHandle&>(base).file.release(); }
};

}  // namespace

ATOMICIO_LOCK_BACKEND_PLUGIN(LockfileBackend)
