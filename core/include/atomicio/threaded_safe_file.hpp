// ThreadedSafeFile: a SafeFile that can also hold its lock across several operations.
//
//   auto guard = file.locked();          // exclusive: threads and processes wait
//   auto value = file.read().value_or(atomicio::Value::object());
//   value["runs"] = value.value("runs", 0) + 1;
//   file.write(value);                   // same thread: re-enters, no deadlock
//
// Thread-safety: as SafeFile. A guard belongs to the thread that took it; other threads' calls
// on the same file wait until it is released (or their timeout expires).
#pragma once

#include <atomicio/export.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/safe_file.hpp>

namespace atomicio {

class ATOMICIO_EXPORT ThreadedSafeFile : public SafeFile {
 public:
  using SafeFile::SafeFile;

  /// Takes the file's lock in `mode` (within the file's timeout) and holds it until the
  /// returned guard is destroyed or unlock()ed. Plain calls made meanwhile by the same thread
  /// re-enter it; an exclusive call inside a shared guard throws LockFailedError rather than
  /// deadlock. Throws what FileLock's constructor throws.
  [[nodiscard]] FileLock locked(LockMode mode = LockMode::exclusive) const;
};

}  // namespace atomicio
