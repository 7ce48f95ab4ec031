// What a lock file says about its owner, and how to tell whether that owner still lives.
//
// The record is a few "key value" lines, readable with `cat`:
//
//   atomicio-lockfile 1
//   pid 4242
//   host build-07
//   boot 0f6c2d4e-...            (/proc/sys/kernel/random/boot_id)
//   pidns pid:[4026531836]       (/proc/self/ns/pid)
//   start 1234567                (field 22 of /proc/<pid>/stat: start time in clock ticks)
//   time 1718000000              (when the lock was taken, Unix seconds; for people)
//   nonce 9f0c...                (128 random bits: this lock and no other)
//   end
//
// The final `end` line makes a half-written record recognisable. A pid alone proves nothing:
// pids are recycled, and the same number means another process on another host, after a
// reboot, or in another pid namespace. So an owner counts as dead only when host, boot id and
// pid namespace all equal ours and the pid is gone, a zombie, or a process that started at
// another time.
//
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atomicio::lockfile {

struct OwnerRecord {
  pid_t pid = 0;
  std::string host;
  std::string boot_id;
  std::string pid_namespace;
  std::uint64_t start_ticks = 0;
  std::int64_t lock_time = 0;
  std::string nonce;

  std::string serialize() const;
  /// The record in `text`, or nullopt when it is not a complete record of this format.
  static std::optional<OwnerRecord> parse(std::string_view text);
};

/// A record naming the calling process, with a fresh nonce and the current time.
OwnerRecord describe_this_process();

enum class Liveness {
  alive,    ///< the very process (pid and start time) runs on this host
  dead,     ///< provably gone: same host, boot and pid namespace, and no such process any more
  unknown,  ///< cannot be checked from here (another host, boot or namespace; /proc hidden)
};

Liveness liveness_of(const OwnerRecord& owner);

}  // namespace atomicio::lockfile
