// A fresh temporary directory per test, removed with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace atomicio::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// Names of the directory's entries, sorted (for "no temp file left behind" checks).
  std::vector<std::string> entries() const;

 private:
  std::filesystem::path path_;
};

/// Whole file content (throws std::runtime_error when unreadable).
std::string slurp(const std::filesystem::path& path);
/// Writes `content` plainly (not atomically): fixtures only.
void spit(const std::filesystem::path& path, const std::string& content);

}  // namespace atomicio::test
