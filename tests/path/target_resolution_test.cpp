// Target resolution as the kernel does it: fs.protected_symlinks, `..` after a symlinked
// directory, links retargeted between lock and commit, targets that are not regular files, and
// names too long for `<name>.lock`. Cases needing root (another user's link, mknod, the sysctl)
// warn and return elsewhere.
#include <atomicio/atomic_writer.hpp>
#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <string>

using atomicio::AtomicWriter;
using atomicio::FileLock;
using atomicio::LockMode;
using atomicio::SafeFile;
using atomicio::Timeout;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

// Sets fs.protected_symlinks for the test's lifetime and restores the old value.
class ProtectedSymlinks {
 public:
  ProtectedSymlinks() {
    std::ifstream in(kPath);
    in >> previous_;
    std::ofstream out(kPath);
    out << 1;
    out.close();
    active_ = static_cast<bool>(out) && previous_ >= 0;
  }
  ~ProtectedSymlinks() {
    if (previous_ < 0) return;
    std::ofstream out(kPath);
    out << previous_;
  }
  bool active() const { return active_; }

 private:
  static constexpr const char* kPath = "/proc/sys/fs/protected_symlinks";
  int previous_ = -1;
  bool active_ = false;
};

// A sticky world-writable directory (like /tmp) holding a link owned by another user.
fs::path plant_foreign_link(const TempDir& dir, const fs::path& pointee) {
  fs::path shared = dir / "shared-tmp";
  fs::create_directory(shared);
  REQUIRE(::chmod(shared.c_str(), 01777) == 0);
  fs::path link = shared / "report.json";
  fs::create_symlink(pointee, link);
  REQUIRE(::lchown(link.c_str(), kNobody, kNobody) == 0);
  return link;
}

bool have_root() {
  if (::geteuid() == 0) return true;
  WARN("needs root (another user's symlink, mknod or a sysctl); not checked here");
  return false;
}

}  // namespace

TEST_CASE("a write refuses a symlink the kernel would not follow under fs.protected_symlinks", "[path][symlink][security]") {
  if (!have_root()) return;
  ProtectedSymlinks sysctl;
  if (!sysctl.active()) {
    WARN("cannot set fs.protected_symlinks here; not checked");
    return;
  }
  TempDir dir;
  fs::create_directory(dir / "etc");
  spit(dir / "etc" / "secret.json", "{\"keep\": true}\n");
  fs::path link = plant_foreign_link(dir, dir / "etc" / "secret.json");

  CHECK_THROWS_AS(SafeFile(link).write(atomicio::Value{{"owned", 1}}), atomicio::FileWriteError);
  CHECK_THROWS_AS(SafeFile(link).write_bytes("x"), atomicio::FileWriteError);
  CHECK_THROWS_AS(SafeFile(link).append("x"), atomicio::FileAppendError);
  CHECK_THROWS_AS(AtomicWriter(link), atomicio::FileWriteError);
  // Reads agree with the kernel's refusal (cat gets EACCES too).
  CHECK_THROWS_AS(SafeFile(link).read(), atomicio::FileReadError);
  CHECK(slurp(dir / "etc" / "secret.json") == "{\"keep\": true}\n");
  CHECK(fs::is_symlink(link));
  CHECK_FALSE(fs::exists(dir / "etc" / "secret.json.lock"));

  try {
    SafeFile(link).write_bytes("x");
  } catch (const atomicio::FileWriteError& error) {
    CHECK(error.code() == std::errc::permission_denied);
    CHECK_THAT(error.what(), Catch::Contains("protected_symlinks"));
  }
}

TEST_CASE("a dangling protected symlink does not make a write create its pointee", "[path][symlink][security]") {
  if (!have_root()) return;
  ProtectedSymlinks sysctl;
  if (!sysctl.active()) return;
  TempDir dir;
  fs::create_directory(dir / "etc");
  fs::path link = plant_foreign_link(dir, dir / "etc" / "planted.json");
  CHECK_THROWS_AS(SafeFile(link).write_bytes("{}"), atomicio::FileWriteError);
  CHECK_FALSE(fs::exists(dir / "etc" / "planted.json"));
  CHECK(dir.entries() == std::vector<std::string>{"etc", "shared-tmp"});
  CHECK(fs::is_empty(dir / "etc"));
}

TEST_CASE("a symlink in a sticky directory is followed where the kernel follows it", "[path][symlink]") {
  if (!have_root()) return;
  ProtectedSymlinks sysctl;
  if (!sysctl.active()) return;
  TempDir dir;
  fs::create_directory(dir / "shared-tmp");
  REQUIRE(::chmod((dir / "shared-tmp").c_str(), 01777) == 0);
  // Our own link: the kernel follows it, and so does the commit (the pointee is replaced).
  fs::create_symlink(dir / "mine.json", dir / "shared-tmp" / "mine.json");
  SafeFile(dir / "shared-tmp" / "mine.json").write_bytes("{\"ok\": 1}");
  CHECK(slurp(dir / "mine.json") == "{\"ok\": 1}");
  CHECK(fs::is_symlink(dir / "shared-tmp" / "mine.json"));
}

TEST_CASE("`..` after a symlinked directory means what it means to open(2)", "[path][symlink][needs:lock.ofd]") {
  TempDir dir;
  fs::create_directories(dir / "real" / "sub");
  fs::create_directory_symlink("real/sub", dir / "link");
  spit(dir / "f.json", "\"top level\"");
  spit(dir / "real" / "f.json", "\"real\"");

  const fs::path through_link = dir.path() / "link" / ".." / "f.json";
  CHECK(SafeFile(through_link).read().value() == "real");
  SafeFile(through_link).write(atomicio::Value("written"));
  CHECK(slurp(dir / "real" / "f.json") == "\"written\"\n");
  CHECK(slurp(dir / "f.json") == "\"top level\"");
  // The lock lives beside the file the write replaced.
  CHECK(FileLock::sidecar_for(through_link) == fs::canonical(dir / "real") / "f.json.lock");
  CHECK(fs::exists(dir / "real" / "f.json.lock"));
  CHECK_FALSE(fs::exists(dir / "f.json.lock"));
}

TEST_CASE("a relative link inside a symlinked directory resolves from the link's real directory", "[path][symlink]") {
  TempDir dir;
  fs::create_directories(dir / "real" / "sub");
  fs::create_directory_symlink("real/sub", dir / "alias");
  fs::create_symlink("../f.json", dir / "real" / "sub" / "x.json");  // real/sub/../f.json = real/f.json
  spit(dir / "f.json", "\"top level\"");

  SafeFile(dir / "alias" / "x.json").write(atomicio::Value("via link"));
  CHECK(slurp(dir / "real" / "f.json") == "\"via link\"\n");
  CHECK(slurp(dir / "f.json") == "\"top level\"");
  CHECK(fs::is_symlink(dir / "real" / "sub" / "x.json"));
  CHECK(FileLock::sidecar_for(dir / "alias" / "x.json") == fs::canonical(dir / "real") / "f.json.lock");
}

TEST_CASE("a link retargeted after a file object's first write cannot move the commit off the lock", "[path][symlink][lock]") {
  TempDir dir;
  spit(dir / "a.json", "1");
  spit(dir / "b.json", "2");
  fs::create_symlink("a.json", dir / "current.json");
  SafeFile file(dir / "current.json", Timeout::immediate());
  file.write(atomicio::Value(10));
  CHECK(slurp(dir / "a.json") == "10\n");

  fs::remove(dir / "current.json");
  fs::create_symlink("b.json", dir / "current.json");
  // Another thread holds b.json's lock: the write now lands on b.json, so it must need that lock.
  FileLock held(dir / "b.json", LockMode::exclusive);
  auto attempt = std::async(std::launch::async, [&] { file.write(atomicio::Value(20)); });
  CHECK_THROWS_AS(attempt.get(), atomicio::AlreadyLockedError);
  CHECK(slurp(dir / "b.json") == "2");
  held.unlock();
  file.write(atomicio::Value(20));
  CHECK(slurp(dir / "b.json") == "20\n");
  CHECK(slurp(dir / "a.json") == "10\n");
}

TEST_CASE("a FIFO named as the target is refused by every operation without blocking", "[path][filetype]") {
  TempDir dir;
  const fs::path fifo = dir / "pipe.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0666) == 0);
  fs::create_symlink("pipe.json", dir / "link.json");
  // In a child with an alarm: before the fix, append and read blocked forever in open().
  auto status = atomicio::test::ChildProcess::fork([&] {
                  ::alarm(20);
                  int refused = 0;
                  for (const fs::path& target : {fifo, dir / "link.json"}) {
                    try { SafeFile(target).write(atomicio::Value(1)); } catch (const atomicio::FileWriteError&) { ++refused; }
                    try { SafeFile(target).append("x"); } catch (const atomicio::FileAppendError&) { ++refused; }
                    try { SafeFile(target).read(); } catch (const atomicio::FileReadError&) { ++refused; }
                    try { SafeFile(target).read_bytes(); } catch (const atomicio::FileReadError&) { ++refused; }
                    try { AtomicWriter writer(target); } catch (const atomicio::FileWriteError&) { ++refused; }
                  }
                  return refused == 10 ? 0 : 2;
                }).wait(std::chrono::seconds(60));
  CHECK(status.exited);
  CHECK(status.code == 0);
  struct stat info {};
  REQUIRE(::lstat(fifo.c_str(), &info) == 0);
  CHECK(S_ISFIFO(info.st_mode));
  CHECK(dir.entries() == std::vector<std::string>{"link.json", "pipe.json"});
}

TEST_CASE("a device node is never replaced by a regular file, directly or through a symlink", "[path][filetype][security]") {
  if (!have_root()) return;
  TempDir dir;
  const fs::path device = dir / "null.json";
  if (::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    WARN("mknod is not permitted here; not checked");
    return;
  }
  struct stat before {};
  REQUIRE(::lstat(device.c_str(), &before) == 0);
  fs::create_symlink("null.json", dir / "link.json");
  for (const fs::path& target : {device, dir / "link.json"}) {
    try {
      SafeFile(target).write_bytes("{}");
      FAIL("the device was replaced");
    } catch (const atomicio::FileWriteError& error) {
      CHECK_THAT(error.what(), Catch::Contains("character device"));
    }
    CHECK_THROWS_AS(SafeFile(target).read(), atomicio::FileReadError);
    CHECK_THROWS_AS(AtomicWriter(target), atomicio::FileWriteError);
  }
  struct stat info {};
  REQUIRE(::lstat(device.c_str(), &info) == 0);
  CHECK(S_ISCHR(info.st_mode));
  CHECK(info.st_mode == before.st_mode);
  CHECK(info.st_rdev == before.st_rdev);
}

TEST_CASE("a directory, a socket path or `..` as the target is refused with a clear error", "[path][filetype]") {
  TempDir dir;
  fs::create_directory(dir / "d.json");
  CHECK_THROWS_AS(SafeFile(dir / "d.json").write_bytes("{}"), atomicio::FileWriteError);
  CHECK_THROWS_AS(SafeFile(dir / "d.json").read(), atomicio::FileReadError);
  CHECK_THROWS_AS(SafeFile(dir.path() / "d.json" / "..").write_bytes("{}"), atomicio::FileWriteError);
  CHECK(fs::is_directory(dir / "d.json"));
}

TEST_CASE("file names of 251 to 255 bytes can be written, read and locked", "[path][lock][needs:lock.ofd]") {
  TempDir dir;
  for (std::size_t length : {250u, 251u, 254u, 255u}) {
    const std::string name = std::string(length - 5, 'n') + ".json";
    REQUIRE(name.size() == length);
    SafeFile file(dir / name);
    file.write(atomicio::Value{{"length", length}});
    file.update(atomicio::Value{{"again", true}});
    CHECK(file.read().value() == atomicio::Value{{"length", length}, {"again", true}});
    const fs::path sidecar = FileLock::sidecar_for(dir / name);
    CHECK(sidecar.filename().string().size() <= 255);
    CHECK(fs::exists(sidecar));
    if (length <= 250) CHECK(sidecar.filename() == name + ".lock");
  }
  CHECK(dir.entries().size() == 8);
}

TEST_CASE("the long-name sidecar naming is the documented one", "[path][lock]") {
  TempDir dir;
  // 255 bytes; the expected name was computed independently (Python: FNV-1a 64 of the name).
  const std::string name = std::string(250, 'a') + ".json";
  CHECK(FileLock::sidecar_for(dir / name).filename() == std::string(200, 'a') + ".afd0c3dae79cff81.lock");
  // A cut never splits a UTF-8 character: 'é' is two bytes and straddles byte 200 here.
  std::string accented = std::string(199, 'b');
  for (int i = 0; i < 25; ++i) accented += "\xc3\xa9";
  accented += ".json";
  const std::string sidecar = FileLock::sidecar_for(dir / accented).filename().string();
  CHECK(sidecar.substr(0, 200) == std::string(199, 'b') + ".");
}

TEST_CASE("reads create no sidecar, through a symlink or not", "[path][lock]") {
  TempDir dir;
  fs::create_directory(dir / "system");
  spit(dir / "system" / "conf.json", "{\"a\": 1}");
  fs::create_symlink(dir / "system" / "conf.json", dir / "link.json");
  CHECK(SafeFile(dir / "link.json").read().value() == atomicio::Value{{"a", 1}});
  CHECK(SafeFile(dir / "system" / "conf.json").read_bytes().value() == "{\"a\": 1}");
  CHECK(SafeFile(dir / "missing.json").read() == std::nullopt);
  CHECK(dir.entries() == std::vector<std::string>{"link.json", "system"});
  CHECK(fs::directory_iterator(dir / "system")->path().filename() == "conf.json");
  CHECK(std::distance(fs::directory_iterator(dir / "system"), fs::directory_iterator()) == 1);
}

TEST_CASE("a read still waits for a writer holding the lock in another process", "[path][lock][needs:lock.ofd]") {
  TempDir dir;
  const fs::path file = dir / "shared.json";
  spit(file, "1");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  auto holder = atomicio::test::ChildProcess::fork([&] {
    FileLock lock(file, LockMode::exclusive);
    char byte = 'x';
    if (::write(ready[1], &byte, 1) != 1) return 3;
    ::pause();
    return 0;
  });
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  CHECK_THROWS_AS(SafeFile(file, Timeout::immediate()).read(), atomicio::AlreadyLockedError);
  holder.kill(SIGKILL);
  holder.wait();
  CHECK(SafeFile(file, Timeout::immediate()).read().value() == 1);
  ::close(ready[0]);
  ::close(ready[1]);
}
