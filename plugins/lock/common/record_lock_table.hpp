// The fence around classic POSIX record locks (fcntl F_SETLK), shared by the `fcntl` and
// `interprocess` backends, which both lock through them.
//
// Record locks belong to the (process, inode) pair, not to a descriptor: the kernel releases
// all of a process's locks on an inode as soon as the process closes ANY descriptor of it, and
// a second lock request from the same process is granted (or converts the first) instead of
// waiting. So this table keeps, per sidecar inode (device, inode number), exactly one locking
// object per process, shared by every handle the core opens on that inode (a hard link or a
// bind mount gives the same sidecar two paths, hence two core entries), and:
//   - counts the handles, and closes the locking descriptor only when the last handle goes and
//     the process holds no lock on the inode;
//   - keeps any other descriptor the backend had to open on that inode (opening is how it
//     learns the identity) until the process holds no lock on it, then closes it ("retired";
//     SQLite's os_unix.c does the same with its unused-descriptor list);
//   - makes handles of one inode exclude each other in the process: shared holders join the
//     process's read lock, an exclusive request waits until the inode is free in the process.
// Descriptors opened by anyone else (the application, another backend, another library) are
// out of its reach; see plugins/lock/fcntl/README.md for what stays the application's job.
//
// fork(): record locks are not inherited, so a child starts with a fresh, empty table
// (of_this_process()). The parent's table is left untouched and leaked in the child: its mutex
// may be held by a thread that does not exist there, its counts describe the parent's locks,
// and closing its descriptors could drop a record lock the child takes later on the same inode.
// Handles opened before the fork are inert in the child (unlock and close do nothing).
//
// Lock order: the table's one mutex; the blocking OS call runs without it (os_call_running
// keeps other handles of the inode out meanwhile). Descriptors are only ever closed under it.
//
// Thread-safety: all members may be called from any thread; the host calls lock() and unlock()
// of one handle serially.
#pragma once

#include <atomicio/sdk/lock_backend.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace atomicio::record_locks {

using sdk::LockMode;

/// Which file a descriptor refers to, whatever path reached it.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  friend auto operator<=>(const FileIdentity&, const FileIdentity&) = default;
  static FileIdentity of(const struct stat& info) { return {info.st_dev, info.st_ino}; }
};

/// `Locker` owns one open descriptor of a sidecar (closing it on destruction) and offers
/// `bool try_lock(LockMode)` (false: another process holds it), `void lock(LockMode)` (waits)
/// and `void unlock()`; each throws sdk::OsError on failure.
template <class Locker>
class RecordLockTable {
  struct Inode {
    std::unique_ptr<Locker> locker;
    std::vector<std::unique_ptr<Locker>> retired_lockers;
    std::vector<int> retired_fds;
    unsigned handles = 0;
    unsigned shared_holders = 0;
    bool exclusive_held = false;
    bool os_call_running = false;

    bool idle() const { return shared_holders == 0 && !exclusive_held && !os_call_running; }
    // Closing is safe only while the process holds no record lock on the inode.
    void close_retired() {
      retired_lockers.clear();
      for (int fd : retired_fds) ::close(fd);
      retired_fds.clear();
    }
  };

 public:
  /// This process's table; a fresh one in each child of fork() (see above).
  static RecordLockTable& of_this_process() {
    static std::atomic<RecordLockTable*> current = [] {
      ::pthread_atfork(nullptr, nullptr, [] { current.store(new RecordLockTable, std::memory_order_relaxed); });
      return new RecordLockTable;  // Leaked: handles may close during static destruction.
    }();
    return *current.load(std::memory_order_relaxed);
  }

  class Handle final : public sdk::LockBackend::Handle {
   public:
    ~Handle() override {
      if (&table_ == &of_this_process()) table_.close(*this);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    const std::string& path() const { return path_; }

   private:
    friend class RecordLockTable;
    Handle(RecordLockTable& table, FileIdentity identity, std::shared_ptr<Inode> inode, std::string path)
        : table_(table), identity_(identity), inode_(std::move(inode)), path_(std::move(path)) {}

    RecordLockTable& table_;
    FileIdentity identity_;
    std::shared_ptr<Inode> inode_;
    std::string path_;
    bool holds_ = false;
    LockMode mode_ = LockMode::exclusive;
  };

  /// A handle on `identity`, which `locker` has open. When the process already tracks that
  /// inode, the existing locker is shared and `locker` is closed now if that is safe, else
  /// retired until it is; `extra_fd` (>= 0) is another descriptor of the inode to close the same
  /// way.
  std::unique_ptr<Handle> adopt(FileIdentity identity, std::unique_ptr<Locker> locker, std::string path,
                                int extra_fd = -1) {
    std::lock_guard held(mutex_);
    std::shared_ptr<Inode>& slot = inodes_[identity];
    if (!slot) {
      slot = std::make_shared<Inode>();
      slot->locker = std::move(locker);
    } else {
      slot->retired_lockers.push_back(std::move(locker));
    }
    if (extra_fd >= 0) slot->retired_fds.push_back(extra_fd);
    if (slot->idle()) slot->close_retired();
    ++slot->handles;
    return std::unique_ptr<Handle>(new Handle(*this, identity, slot, std::move(path)));
  }

  /// Disposes of a locker and/or descriptor (either may be null / -1) that refer to
  /// `identity` without a handle: closed now unless this process holds a lock on that inode,
  /// else once it no longer does.
  void retire(FileIdentity identity, std::unique_ptr<Locker> locker, int fd = -1) {
    std::lock_guard held(mutex_);
    auto found = inodes_.find(identity);
    if (found == inodes_.end() || found->second->idle()) {
      locker.reset();
      if (fd >= 0) ::close(fd);
      return;
    }
    if (locker) found->second->retired_lockers.push_back(std::move(locker));
    if (fd >= 0) found->second->retired_fds.push_back(fd);
  }

  /// Takes the lock for `handle`; a negative timeout waits forever, zero tries once. Returns
  /// false when it stays held (by another process, or by another handle of this process on
  /// the same inode) until the deadline.
  bool lock(Handle& handle, LockMode mode, std::chrono::nanoseconds timeout) {
    if (&handle.table_ != this)
      throw sdk::OsError("cannot lock " + handle.path_ + " through a handle opened before fork(); open it again", EBADF);
    const auto deadline = sdk::deadline_after(timeout.count() < 0 ? std::chrono::nanoseconds(0) : timeout);
    // A timeout too long for the clock is a wait without end.
    const bool forever = timeout.count() < 0 || deadline == std::chrono::steady_clock::time_point::max();
    std::unique_lock held(mutex_);
    Inode& inode = *handle.inode_;
    for (;;) {
      if (!inode.os_call_running) {
        if (mode == LockMode::shared && inode.shared_holders > 0) {
          // The process already holds the inode's read lock: join it.
          ++inode.shared_holders;
          handle.holds_ = true;
          handle.mode_ = mode;
          return true;
        }
        if (inode.shared_holders == 0 && !inode.exclusive_held) break;
      }
      if (forever) {
        changed_.wait(held);
      } else if (std::chrono::steady_clock::now() >= deadline) {
        return false;
      } else {
        changed_.wait_until(held, deadline);
      }
    }
    inode.os_call_running = true;
    held.unlock();
    bool acquired = false;
    try {
      if (forever) {
        inode.locker->lock(mode);
        acquired = true;
      } else {
        auto left = std::max(std::chrono::nanoseconds(0), deadline - std::chrono::steady_clock::now());
        acquired = sdk::poll_until(left, [&] { return inode.locker->try_lock(mode); });
      }
    } catch (...) {
      held.lock();
      finish_os_call(inode);
      throw;
    }
    held.lock();
    if (acquired) {
      if (mode == LockMode::shared) ++inode.shared_holders;
      else inode.exclusive_held = true;
      handle.holds_ = true;
      handle.mode_ = mode;
    }
    finish_os_call(inode);
    return acquired;
  }

  /// Releases `handle`'s hold; the OS lock goes when the process's last holder of the inode
  /// leaves. Throws OsError when the kernel refuses the unlock.
  void unlock(Handle& handle) {
    if (&handle.table_ != this) return;  // the parent's lock, opened before fork()
    std::lock_guard held(mutex_);
    release(handle);
  }

 private:
  void finish_os_call(Inode& inode) {
    inode.os_call_running = false;
    if (inode.idle()) inode.close_retired();
    changed_.notify_all();
  }

  void release(Handle& handle) {
    if (!handle.holds_) return;
    Inode& inode = *handle.inode_;
    handle.holds_ = false;
    if (handle.mode_ == LockMode::exclusive) inode.exclusive_held = false;
    else --inode.shared_holders;
    changed_.notify_all();
    if (!inode.idle()) return;
    inode.locker->unlock();
    // Only now, with no lock left to lose, may the spare descriptors be closed.
    inode.close_retired();
  }

  void close(Handle& handle) noexcept {
    std::lock_guard held(mutex_);
    try {
      release(handle);
    } catch (...) {
      // The kernel refused the unlock; closing the last descriptor below releases it anyway.
    }
    std::shared_ptr<Inode> inode = std::move(handle.inode_);
    if (--inode->handles > 0 || !inode->idle()) return;
    inodes_.erase(handle.identity_);
    inode->close_retired();
    inode.reset();  // closes the locker's descriptor, still under the mutex
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<FileIdentity, std::shared_ptr<Inode>> inodes_;
};

}  // namespace atomicio::record_locks
