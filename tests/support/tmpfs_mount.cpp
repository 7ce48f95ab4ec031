#include "support/tmpfs_mount.hpp"

#include <sys/mount.h>

#include <string>

namespace atomicio::test {

TmpfsMount::TmpfsMount(const std::filesystem::path& where, const char* size) : where_(where) {
  std::filesystem::create_directories(where_);
  std::string options = std::string("size=") + size;
  mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, options.c_str()) == 0;
}

TmpfsMount::~TmpfsMount() {
  if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
}

bool TmpfsMount::remount_read_only() {
  return ::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
}

}  // namespace atomicio::test
