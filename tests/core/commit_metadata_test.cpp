// What a commit keeps of the file it replaces: set-id bits written by a non-root owner, ACLs,
// extended attributes, and which failures to keep them are errors.
#include <atomicio/atomic_writer.hpp>
#include <atomicio/errors.hpp>

#include "posix/file_system.hpp"
#include "support/child_process.hpp"
#include "support/run_program.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

using atomicio::AtomicWriter;
using atomicio::CommitOptions;
using atomicio::Durability;
using atomicio::FileWriteError;
using atomicio::WriteMode;
using atomicio::test::ChildProcess;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

struct User {
  uid_t uid;
  gid_t gid;
};

// The unprivileged user the tests act as, or nothing (with a warning) where that is impossible.
std::optional<User> nobody() {
  if (::geteuid() != 0) {
    WARN("skipped: acting as another user needs root");
    return std::nullopt;
  }
  const passwd* entry = ::getpwnam("nobody");
  if (entry == nullptr) {
    WARN("skipped: there is no user 'nobody'");
    return std::nullopt;
  }
  return User{entry->pw_uid, entry->pw_gid};
}

// Runs `body` in a child process as `user` (no supplementary groups); true if it returned 0.
bool as_user(User user, const std::function<int()>& body) {
  auto child = ChildProcess::fork([&] {
    if (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) return 90;
    return body();
  });
  auto status = child.wait(std::chrono::seconds(30));
  return status.exited && status.code == 0;
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

void commit_text(const std::filesystem::path& target, const std::string& text, WriteMode mode = WriteMode::replace) {
  AtomicWriter writer(target, {Durability::full, mode});
  writer.write(text);
  writer.commit();
}

std::string xattr_of(const std::filesystem::path& path, const char* name) {
  char value[256];
  ssize_t size = ::getxattr(path.c_str(), name, value, sizeof value);
  return size < 0 ? std::string("<errno ") + std::to_string(errno) + ">" : std::string(value, static_cast<std::size_t>(size));
}

// Reports the chosen failures from copy_xattrs after doing the real copy.
class XattrFailingFileSystem : public atomicio::detail::FileSystem {
 public:
  explicit XattrFailingFileSystem(std::vector<atomicio::detail::XattrFailure> failures) : failures_(std::move(failures)) {}
  int copy_xattrs(int source, int destination, std::vector<atomicio::detail::XattrFailure>& failures) override {
    FileSystem::copy_xattrs(source, destination, failures);
    failures.insert(failures.end(), failures_.begin(), failures_.end());
    return failures.empty() ? 0 : -1;
  }

 private:
  std::vector<atomicio::detail::XattrFailure> failures_;
};

}  // namespace

TEST_CASE("a non-root owner's write and append keep the set-uid and set-gid bits", "[commit][metadata]") {
  auto user = nobody();
  if (!user) return;
  TempDir dir;
  REQUIRE(::chown(dir.path().c_str(), user->uid, user->gid) == 0);
  for (mode_t mode : {mode_t{04755}, mode_t{02755}, mode_t{06755}}) {
    for (WriteMode write_mode : {WriteMode::replace, WriteMode::append}) {
      auto target = dir / "program";
      spit(target, "old");
      REQUIRE(::chown(target.c_str(), user->uid, user->gid) == 0);
      REQUIRE(::chmod(target.c_str(), mode) == 0);
      CHECK(as_user(*user, [&] {
        commit_text(target, "new", write_mode);
        return 0;
      }));
      INFO("mode " << std::oct << mode << (write_mode == WriteMode::append ? " append" : " write"));
      CHECK(mode_of(target) == mode);
      CHECK(slurp(target) == (write_mode == WriteMode::append ? "oldnew" : "new"));
    }
  }
}

TEST_CASE("a user who may read a file only through an ACL still may after a rewrite", "[commit][metadata][acl]") {
  auto user = nobody();
  if (!user) return;
  TempDir dir;
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  auto target = dir / "shared.txt";
  spit(target, "old");
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  auto granted = atomicio::test::run_program({"setfacl", "-m", "u:nobody:r", target.string()});
  if (granted.status != 0) {
    WARN("skipped: setfacl failed (package acl, or a filesystem without ACLs): " << granted.err);
    return;
  }
  auto can_read = [&] { return as_user(*user, [&] { return slurp(target).empty() ? 1 : 0; }); };
  REQUIRE(can_read());
  commit_text(target, "new");
  CHECK(can_read());
  commit_text(target, " more", WriteMode::append);
  CHECK(can_read());
  CHECK(mode_of(target) == 0640);  // the group bits hold the ACL mask, as setfacl left them
  CHECK(slurp(target) == "new more");
}

TEST_CASE("a file without an ACL gets none from its directory's default ACL on a rewrite", "[commit][metadata][acl]") {
  TempDir dir;
  auto target = dir / "plain.txt";
  spit(target, "old");
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  auto inherited = atomicio::test::run_program({"setfacl", "-d", "-m", "u:nobody:rw", dir.path().string()});
  if (inherited.status != 0) {
    WARN("skipped: setfacl failed (package acl, or a filesystem without ACLs): " << inherited.err);
    return;
  }
  commit_text(target, "new");
  CHECK(xattr_of(target, "system.posix_acl_access") == "<errno " + std::to_string(ENODATA) + ">");
  CHECK(mode_of(target) == 0600);
  commit_text(dir / "fresh.txt", "a new file does get the default ACL");
  CHECK(::getxattr((dir / "fresh.txt").c_str(), "system.posix_acl_access", nullptr, 0) > 0);
}

TEST_CASE("user extended attributes survive write and append", "[commit][metadata][xattr]") {
  TempDir dir;
  auto target = dir / "tagged.txt";
  spit(target, "old");
  if (::setxattr(target.c_str(), "user.origin", "camera", 6, 0) != 0) {
    WARN("skipped: the test directory's filesystem has no user extended attributes");
    return;
  }
  commit_text(target, "new");
  CHECK(xattr_of(target, "user.origin") == "camera");
  commit_text(target, " more", WriteMode::append);
  CHECK(xattr_of(target, "user.origin") == "camera");
}

TEST_CASE("an extended attribute that cannot be copied fails the commit unless it cannot exist there",
          "[commit][metadata][xattr][errors]") {
  struct Case {
    const char* name;
    int error;
    bool fails;
  };
  const Case cases[] = {{"user.origin", EIO, true},
                        {"system.posix_acl_access", EPERM, true},
                        {"user.origin", ENOSPC, true},
                        {"user.origin", ENOTSUP, false},
                        {"security.selinux", EPERM, false},
                        {"trusted.overlay", EPERM, false},
                        {"user.gone", ENODATA, false},
                        {"", EIO, true}};
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name << " errno " << c.error) {
      TempDir dir;
      auto target = dir / "a.txt";
      spit(target, "old");
      XattrFailingFileSystem faulty({{c.name, c.error}});
      atomicio::detail::ScopedFileSystem installed(faulty);
      if (c.fails) {
        try {
          commit_text(target, "new");
          FAIL("expected FileWriteError");
        } catch (const FileWriteError& error) {
          CHECK(error.code().value() == c.error);
          CHECK(std::string(error.what()).find(c.name) != std::string::npos);
        }
        CHECK(slurp(target) == "old");
      } else {
        commit_text(target, "new");
        CHECK(slurp(target) == "new");
      }
      CHECK(dir.entries() == std::vector<std::string>{"a.txt"});
    }
  }
}
