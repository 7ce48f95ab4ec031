// The commit engine: all-or-nothing replacement, symlinks, metadata, append mode, and every
// failure leaving the old file intact with no temporary file behind.
#include <atomicio/atomic_writer.hpp>
#include <atomicio/errors.hpp>

#include "posix/file_system.hpp"
#include "support/temp_dir.hpp"
#include "support/tmpfs_mount.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <utility>

using atomicio::AtomicWriter;
using atomicio::CommitOptions;
using atomicio::Durability;
using atomicio::FileWriteError;
using atomicio::WriteMode;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;
using atomicio::test::TmpfsMount;

namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

void commit_text(const std::filesystem::path& target, const std::string& text, CommitOptions options = {}) {
  AtomicWriter writer(target, options);
  writer.write(text);
  writer.commit();
}

// Fails the chosen call with the chosen errno, delegating everything else to the real system.
class FaultyFileSystem : public atomicio::detail::FileSystem {
 public:
  enum class Call { write, fsync, rename, link, open_tmpfile };
  FaultyFileSystem(Call call, int error) : call_(call), error_(error) {}

  ssize_t write(int fd, const void* data, std::size_t size) override {
    if (call_ == Call::write) return fail();
    return FileSystem::write(fd, data, size);
  }
  int fsync(int fd) override {
    if (call_ == Call::fsync) return fail();
    return FileSystem::fsync(fd);
  }
  int rename_at(int a, const char* b, int c, const char* d) override {
    if (call_ == Call::rename) return fail();
    return FileSystem::rename_at(a, b, c, d);
  }
  int link_at(int a, const char* b, int c, const char* d, int e) override {
    if (call_ == Call::link) return fail();
    return FileSystem::link_at(a, b, c, d, e);
  }
  int open_at(int dir, const char* path, int flags, mode_t mode) override {
    if (call_ == Call::open_tmpfile && (flags & O_TMPFILE) == O_TMPFILE) return fail();
    return FileSystem::open_at(dir, path, flags, mode);
  }

 private:
  int fail() {
    errno = error_;
    return -1;
  }
  Call call_;
  int error_;
};

// copy_file_range as FUSE, NFS and proc-like files may do it: `chunk` bytes once, then 0 long
// before the end of the file. And no reflink, so the copy path is the one under test.
class ShortCopyFileSystem : public atomicio::detail::FileSystem {
 public:
  explicit ShortCopyFileSystem(std::size_t chunk) : chunk_(chunk) {}
  int clone_file(int, int) override {
    errno = EOPNOTSUPP;
    return -1;
  }
  ssize_t copy_file_range(int source, int destination, std::size_t) override {
    const std::size_t chunk = std::exchange(chunk_, 0);
    if (chunk == 0) return 0;
    return FileSystem::copy_file_range(source, destination, chunk);
  }

 private:
  std::size_t chunk_;
};

// Neither link form works: no /proc mounted (ENOENT) and linkat(AT_EMPTY_PATH) without
// CAP_DAC_READ_SEARCH on a kernel before 6.10 (ENOENT too).
class NoLinkFileSystem : public atomicio::detail::FileSystem {
 public:
  int link_at(int, const char*, int, const char*, int) override {
    ++attempts;
    errno = ENOENT;
    return -1;
  }
  int attempts = 0;
};

}  // namespace

TEST_CASE("commit replaces the content and leaves only the target behind", "[commit]") {
  TempDir dir;
  auto target = dir / "a.txt";
  spit(target, "old");
  commit_text(target, "new content");
  CHECK(slurp(target) == "new content");
  CHECK(dir.entries() == std::vector<std::string>{"a.txt"});
}

TEST_CASE("a writer destroyed without commit leaves the old file and no temp file", "[commit]") {
  TempDir dir;
  auto target = dir / "a.txt";
  spit(target, "old");
  {
    AtomicWriter writer(target);
    writer.write(std::string(1 << 20, 'x'));  // past the buffer: really on disk in the temp
  }
  CHECK(slurp(target) == "old");
  CHECK(dir.entries() == std::vector<std::string>{"a.txt"});
}

TEST_CASE("abort is idempotent and a committed writer refuses more writes", "[commit]") {
  TempDir dir;
  AtomicWriter writer(dir / "a.txt");
  writer.write("x");
  writer.commit();
  CHECK(writer.committed());
  CHECK_THROWS_AS(writer.write("y"), FileWriteError);
  writer.abort();
  writer.abort();
  CHECK(slurp(dir / "a.txt") == "x");
}

TEST_CASE("a symlinked target stays a symlink and its pointee is replaced", "[commit][symlink]") {
  TempDir dir;
  std::filesystem::create_directory(dir / "real");
  spit(dir / "real" / "data.txt", "old");
  std::filesystem::create_symlink("real/data.txt", dir / "link.txt");
  commit_text(dir / "link.txt", "new");
  CHECK(std::filesystem::is_symlink(dir / "link.txt"));
  CHECK(slurp(dir / "real" / "data.txt") == "new");
  CHECK(slurp(dir / "link.txt") == "new");
}

TEST_CASE("a dangling symlink leads the commit to create its pointee", "[commit][symlink]") {
  TempDir dir;
  std::filesystem::create_symlink("pointee.txt", dir / "link.txt");
  AtomicWriter writer(dir / "link.txt");
  CHECK(writer.resolved_target() == std::filesystem::canonical(dir.path()) / "pointee.txt");
  writer.write("made");
  writer.commit();
  CHECK(std::filesystem::is_symlink(dir / "link.txt"));
  CHECK(slurp(dir / "pointee.txt") == "made");
}

TEST_CASE("an existing target keeps its permission bits", "[commit][metadata]") {
  TempDir dir;
  auto target = dir / "secret.txt";
  spit(target, "old");
  REQUIRE(::chmod(target.c_str(), 0640) == 0);
  commit_text(target, "new");
  CHECK(mode_of(target) == 0640);
  REQUIRE(::chmod(target.c_str(), 0755) == 0);
  commit_text(target, "newer");
  CHECK(mode_of(target) == 0755);
}

TEST_CASE("an existing target keeps its owner where the process may set it", "[commit][metadata]") {
  if (::geteuid() != 0) {
    WARN("skipped: changing a file's owner needs root");
    return;
  }
  TempDir dir;
  auto target = dir / "owned.txt";
  spit(target, "old");
  REQUIRE(::chown(target.c_str(), 4321, 4322) == 0);
  commit_text(target, "new");
  struct stat info {};
  REQUIRE(::stat(target.c_str(), &info) == 0);
  CHECK(info.st_uid == 4321);
  CHECK(info.st_gid == 4322);
}

TEST_CASE("a new file gets the mode open() would give it", "[commit][metadata]") {
  TempDir dir;
  mode_t previous = ::umask(027);
  commit_text(dir / "new.txt", "x");
  ::umask(previous);
  CHECK(mode_of(dir / "new.txt") == 0640);
}

TEST_CASE("append mode starts from the existing content", "[commit][append]") {
  TempDir dir;
  auto target = dir / "log.txt";
  commit_text(target, "", {Durability::full, WriteMode::append});
  CHECK(slurp(target).empty());
  spit(target, std::string(200000, 'a'));  // larger than one copy chunk of the fallback
  AtomicWriter writer(target, {Durability::full, WriteMode::append});
  CHECK(writer.size() == 200000);
  writer.write("tail");
  writer.commit();
  CHECK(slurp(target) == std::string(200000, 'a') + "tail");
}

TEST_CASE("process_crash_only durability still commits atomically", "[commit]") {
  TempDir dir;
  commit_text(dir / "scratch.txt", "fast", {Durability::process_crash_only, WriteMode::replace});
  CHECK(slurp(dir / "scratch.txt") == "fast");
  CHECK(dir.entries() == std::vector<std::string>{"scratch.txt"});
}

TEST_CASE("writing into a missing directory is a write error naming the path", "[commit][errors]") {
  TempDir dir;
  try {
    AtomicWriter writer(dir / "missing" / "a.txt");
    FAIL("expected FileWriteError");
  } catch (const FileWriteError& error) {
    CHECK(error.code() == std::errc::no_such_file_or_directory);
    CHECK(std::string(error.what()).find("missing") != std::string::npos);
  }
}

TEST_CASE("a directory is not a valid target", "[commit][errors]") {
  TempDir dir;
  std::filesystem::create_directory(dir / "sub");
  CHECK_THROWS_AS(AtomicWriter(dir / "sub"), FileWriteError);
}

TEST_CASE("every injected failure leaves the old file intact and no temp file", "[commit][errors]") {
  using Call = FaultyFileSystem::Call;
  struct Case {
    Call call;
    int error;
    const char* name;
  };
  const Case cases[] = {{Call::write, ENOSPC, "write ENOSPC"},
                        {Call::write, EIO, "write EIO"},
                        {Call::fsync, EIO, "fsync EIO"},
                        {Call::link, EACCES, "link EACCES"},
                        {Call::rename, EACCES, "rename EACCES"},
                        {Call::rename, EROFS, "rename EROFS"}};
  for (const auto& c : cases) {
    SECTION(c.name) {
      TempDir dir;
      auto target = dir / "a.json";
      spit(target, "{\"old\": true}");
      FaultyFileSystem faulty(c.call, c.error);
      atomicio::detail::ScopedFileSystem installed(faulty);
      try {
        AtomicWriter writer(target);
        writer.write(std::string(100000, 'n'));
        writer.commit();
        FAIL("expected FileWriteError");
      } catch (const FileWriteError& error) {
        CHECK(error.code().value() == c.error);
        CHECK(error.path() == std::filesystem::canonical(target));
      }
      CHECK(slurp(target) == "{\"old\": true}");
      CHECK(dir.entries() == std::vector<std::string>{"a.json"});
    }
  }
}

TEST_CASE("without O_TMPFILE the named temp file fallback commits and cleans up", "[commit]") {
  TempDir dir;
  FaultyFileSystem no_tmpfile(FaultyFileSystem::Call::open_tmpfile, EOPNOTSUPP);
  atomicio::detail::ScopedFileSystem installed(no_tmpfile);
  commit_text(dir / "a.txt", "named path");
  CHECK(slurp(dir / "a.txt") == "named path");
  {
    AtomicWriter abandoned(dir / "a.txt");
    abandoned.write("never");
    // The named temp exists while the writer is open...
    CHECK(dir.entries().size() == 2);
  }
  // ...and is removed when it rolls back.
  CHECK(dir.entries() == std::vector<std::string>{"a.txt"});
}

TEST_CASE("append keeps all old content when copy_file_range returns 0 before the end", "[commit][append]") {
  for (std::size_t first_chunk : {std::size_t(0), std::size_t(4096)}) {
    DYNAMIC_SECTION("0 after " << first_chunk << " bytes") {
      TempDir dir;
      auto target = dir / "log.txt";
      const std::string old(200000, 'a');
      spit(target, old);
      ShortCopyFileSystem short_copy(first_chunk);
      atomicio::detail::ScopedFileSystem installed(short_copy);
      AtomicWriter writer(target, {Durability::full, WriteMode::append});
      CHECK(writer.size() == old.size());
      writer.write("tail");
      writer.commit();
      CHECK(slurp(target) == old + "tail");
    }
  }
}

TEST_CASE("a commit that cannot link its unnamed temp falls back to a named temp", "[commit]") {
  TempDir dir;
  auto target = dir / "a.txt";
  spit(target, "old");
  REQUIRE(::chmod(target.c_str(), 0640) == 0);
  NoLinkFileSystem no_link;
  atomicio::detail::ScopedFileSystem installed(no_link);
  const std::string content(300000, 'n');  // more than one copy chunk
  AtomicWriter writer(target);
  writer.write(content);
  writer.commit();
  CHECK(slurp(target) == content);
  CHECK(mode_of(target) == 0640);
  CHECK(dir.entries() == std::vector<std::string>{"a.txt"});
  if (no_link.attempts == 0) WARN("O_TMPFILE is unavailable here: the named temp was used from the start");
}

TEST_CASE("a full disk is a write error with ENOSPC and the old file survives", "[commit][errors][tmpfs]") {
  TempDir dir;
  TmpfsMount fs(dir / "tiny", "64k");
  if (!fs.mounted()) {
    WARN("skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)");
    return;
  }
  auto target = dir / "tiny" / "a.txt";
  commit_text(target, "old");
  try {
    AtomicWriter writer(target);
    writer.write(std::string(1 << 20, 'x'));
    writer.commit();
    FAIL("expected FileWriteError");
  } catch (const FileWriteError& error) {
    CHECK(error.code() == std::errc::no_space_on_device);
  }
  CHECK(slurp(target) == "old");
  CHECK(std::distance(std::filesystem::directory_iterator(dir / "tiny"), {}) == 1);
}

TEST_CASE("a read-only filesystem is a write error with EROFS", "[commit][errors][tmpfs]") {
  TempDir dir;
  TmpfsMount fs(dir / "ro", "64k");
  if (!fs.mounted()) {
    WARN("skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)");
    return;
  }
  auto target = dir / "ro" / "a.txt";
  commit_text(target, "old");
  REQUIRE(fs.remount_read_only());
  try {
    commit_text(target, "new");
    FAIL("expected FileWriteError");
  } catch (const FileWriteError& error) {
    CHECK(error.code() == std::errc::read_only_file_system);
  }
  CHECK(slurp(target) == "old");
}
