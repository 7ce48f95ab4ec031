// A small tmpfs mounted for one test: a real full disk (ENOSPC) or read-only filesystem
// (EROFS) instead of a simulated one. Needs root (CAP_SYS_ADMIN); mounted() says if it worked.
#pragma once

#include <filesystem>

namespace atomicio::test {

class TmpfsMount {
 public:
  /// Mounts a tmpfs of `size` (e.g. "64k") on `where`, creating the directory.
  TmpfsMount(const std::filesystem::path& where, const char* size);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const noexcept { return mounted_; }
  bool remount_read_only();

 private:
  std::filesystem::path where_;
  bool mounted_ = false;
};

}  // namespace atomicio::test
