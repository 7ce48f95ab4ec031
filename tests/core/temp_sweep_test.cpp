// The sweep of dead writers' temp files: a killed writer's temp goes at the next commit into the
// directory, a live writer's temp and a user's file that only looks like a temp never do.
#include <atomicio/atomic_writer.hpp>

#include "posix/file_system.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

using atomicio::AtomicWriter;
using atomicio::test::ChildProcess;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;

namespace {

void commit_text(const std::filesystem::path& target, const std::string& text) {
  AtomicWriter writer(target);
  writer.write(text);
  writer.commit();
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The entries of `dir` other than `known`.
std::vector<std::string> others(const TempDir& dir, const std::vector<std::string>& known) {
  std::vector<std::string> rest;
  for (const auto& name : dir.entries())
    if (!contains(known, name)) rest.push_back(name);
  return rest;
}

// Stops the commit between link and rename: tells the test through `ready`, then waits on
// `resume` (forever, unless the test lets it go).
class PausingRename : public atomicio::detail::FileSystem {
 public:
  PausingRename(int ready, int resume) : ready_(ready), resume_(resume) {}
  int rename_at(int a, const char* b, int c, const char* d) override {
    char byte = 'r';
    if (::write(ready_, &byte, 1) != 1 || ::read(resume_, &byte, 1) != 1) return -1;
    return FileSystem::rename_at(a, b, c, d);
  }

 private:
  int ready_, resume_;
};

// Without O_TMPFILE the temp has a name from the start.
class NoTmpfile : public atomicio::detail::FileSystem {
 public:
  int open_at(int dir, const char* path, int flags, mode_t mode) override {
    if ((flags & O_TMPFILE) == O_TMPFILE) {
      errno = EOPNOTSUPP;
      return -1;
    }
    return FileSystem::open_at(dir, path, flags, mode);
  }
};

// Records the names each sweep's listing visits.
class ListingRecorder : public atomicio::detail::FileSystem {
 public:
  int read_directory(int dir_fd, long* position, const std::function<bool(std::string_view)>& visit) override {
    listings.emplace_back();
    return FileSystem::read_directory(dir_fd, position, [&](std::string_view name) {
      listings.back().emplace_back(name);
      return visit(name);
    });
  }
  std::vector<std::vector<std::string>> listings;
};

}  // namespace

TEST_CASE("a writer killed between link and rename leaves a temp that the next commit removes, never while it lives",
          "[commit][sweep][process]") {
  TempDir dir;
  spit(dir / "a.txt", "old");
  int ready[2], resume[2];
  REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(resume, O_CLOEXEC) == 0);
  auto child = ChildProcess::fork([&] {
    PausingRename pausing(ready[1], resume[0]);
    atomicio::detail::ScopedFileSystem installed(pausing);
    commit_text(dir / "a.txt", "from the child");
    return 0;
  });
  ::close(ready[1]);
  ::close(resume[0]);
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);  // the child is now between link and rename
  const auto temps = others(dir, {"a.txt"});
  REQUIRE(temps.size() == 1);

  commit_text(dir / "b.txt", "another commit while the writer lives");
  CHECK(others(dir, {"a.txt", "b.txt"}) == temps);

  child.kill(SIGKILL);
  CHECK(child.wait().signal == SIGKILL);
  ::close(ready[0]);
  ::close(resume[1]);
  CHECK(others(dir, {"a.txt", "b.txt"}) == temps);  // nothing removes it by itself...
  commit_text(dir / "c.txt", "the next commit");
  CHECK(dir.entries() == std::vector<std::string>{"a.txt", "b.txt", "c.txt"});  // ...but the next commit
  CHECK(slurp(dir / "a.txt") == "old");
}

TEST_CASE("a live writer's named temp survives other commits into its directory", "[commit][sweep]") {
  TempDir dir;
  NoTmpfile no_tmpfile;
  atomicio::detail::ScopedFileSystem installed(no_tmpfile);
  AtomicWriter writer(dir / "a.txt");
  writer.write("slow");
  const auto temps = others(dir, {});
  REQUIRE(temps.size() == 1);
  commit_text(dir / "b.txt", "x");
  CHECK(others(dir, {"b.txt"}) == temps);
  writer.commit();
  CHECK(slurp(dir / "a.txt") == "slow");
  CHECK(dir.entries() == std::vector<std::string>{"a.txt", "b.txt"});
}

TEST_CASE("a user's file named exactly like a temp is never removed", "[commit][sweep]") {
  TempDir scratch, dir, other;
  std::string temp_name;
  {
    NoTmpfile no_tmpfile;
    atomicio::detail::ScopedFileSystem installed(no_tmpfile);
    AtomicWriter writer(scratch / "a.txt");
    temp_name = others(scratch, {}).at(0);
    // The user's copy of a real temp, under the same name: same name, another inode.
    std::filesystem::copy_file(scratch / temp_name, other / temp_name);
  }
  spit(dir / temp_name, "mine, with the name of a writer's temp");
  // Names of the temp pattern with made-up parts, and the old pid-based form with a pid that
  // cannot exist and an old mtime (which the previous sweep deleted).
  const std::string forged = ".a.txt.atomicio-00112233445566778899aabb-0011223344556677.tmp";
  const std::string old_form = ".a.txt.atomicio-2147483646-00112233445566778899aabb.tmp";
  spit(dir / forged, "mine");
  spit(dir / old_form, "mine");
  std::filesystem::last_write_time(dir / old_form,
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  commit_text(dir / "a.txt", "x");
  commit_text(other / "a.txt", "x");
  std::vector<std::string> users_files{forged, temp_name, old_form};
  std::sort(users_files.begin(), users_files.end());
  CHECK(others(dir, {"a.txt"}) == users_files);
  CHECK(others(other, {"a.txt"}) == std::vector<std::string>{temp_name});
}

TEST_CASE("a directory larger than one sweep is swept in steps that reach every entry", "[commit][sweep]") {
  TempDir dir;
  for (int i = 0; i < 5000; ++i) spit(dir / ("file-" + std::to_string(i)), "");
  auto child = ChildProcess::fork([&]() -> int {
    NoTmpfile no_tmpfile;
    atomicio::detail::ScopedFileSystem installed(no_tmpfile);
    AtomicWriter writer(dir / "a.txt");
    writer.write("never committed");
    ::_exit(0);  // dies with its temp named: no destructor runs
  });
  REQUIRE(child.wait().code == 0);
  auto dead_temps = [&] {
    std::size_t count = 0;
    for (const auto& name : dir.entries()) count += name.find(".atomicio-") != std::string::npos;
    return count;
  };
  REQUIRE(dead_temps() == 1);
  const auto before = dir.entries();
  ListingRecorder recorder;
  atomicio::detail::ScopedFileSystem installed(recorder);
  commit_text(dir / "a.txt", "x");
  commit_text(dir / "a.txt", "x");
  CHECK(dead_temps() == 0);
  // Each sweep read at most 4096 entries, and the second went on where the first stopped.
  REQUIRE(recorder.listings.size() == 2);
  CHECK(recorder.listings[0].size() == 4096);
  std::set<std::string> swept(recorder.listings[0].begin(), recorder.listings[0].end());
  swept.insert(recorder.listings[1].begin(), recorder.listings[1].end());
  CHECK(std::count_if(before.begin(), before.end(), [&](const std::string& name) { return swept.count(name) == 0; }) == 0);
}
