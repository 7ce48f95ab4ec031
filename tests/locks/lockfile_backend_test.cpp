// The lockfile backend's own contract: the file is the lock and names its owner; a lock whose
// owner is provably dead is broken at once, one whose owner cannot be checked only after the
// stale time; several processes breaking one stale lock end with exactly one holder; release
// removes only our own file.
#include "lock_test_support.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <vector>

using atomicio::FileLock;
using atomicio::LockFailedError;
using atomicio::LockMode;
using atomicio::LockOptions;
using atomicio::Timeout;
using atomicio::test::ChildProcess;
using atomicio::test::Pipe;
using atomicio::test::slurp;
using atomicio::test::spit;
using atomicio::test::TempDir;
using namespace std::chrono_literals;

namespace {

const LockOptions kLockfile{.backend = "lockfile"};

std::optional<FileLock> try_lock(const std::filesystem::path& target) {
  return FileLock::try_lock(target, LockMode::exclusive, kLockfile);
}

// A record this process would write, taken from a real lock, with one field changed.
std::string record_with(const std::filesystem::path& target, const std::string& key, const std::string& value) {
  std::string record;
  {
    FileLock mine(target, LockMode::exclusive, Timeout::immediate(), kLockfile);
    record = slurp(mine.sidecar_path());
  }
  if (key.empty()) return record;
  std::regex line("\n" + key + " [^\n]*\n");
  REQUIRE(std::regex_search(record, line));
  return std::regex_replace(record, line, "\n" + key + " " + value + "\n");
}

std::string field(const std::string& record, const std::string& key) {
  std::smatch match;
  if (!std::regex_search(record, match, std::regex("\n" + key + " ([^\n]*)\n"))) return {};
  return match[1];
}

void age(const std::filesystem::path& path, std::chrono::seconds by) {
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - by);
}

struct ScopedStaleTime {
  explicit ScopedStaleTime(const char* value) { ::setenv("ATOMICIO_LOCKFILE_STALE_SECONDS", value, 1); }
  ~ScopedStaleTime() { ::unsetenv("ATOMICIO_LOCKFILE_STALE_SECONDS"); }
};

}  // namespace

TEST_CASE("the lock file exists only while the lock is held and names its owner", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  FileLock held(target, LockMode::exclusive, Timeout::immediate(), kLockfile);
  const std::string record = slurp(held.sidecar_path());
  CHECK(record.rfind("atomicio-lockfile 1\n", 0) == 0);
  CHECK(field(record, "pid") == std::to_string(::getpid()));
  CHECK_FALSE(field(record, "host").empty());
  CHECK(field(record, "nonce").size() == 32);
  CHECK(record.size() > 4);
  CHECK(record.substr(record.size() - 4) == "end\n");
  held.unlock();
  CHECK(dir.entries().empty());
}

TEST_CASE("a lock left behind by an owner that exited is taken over at once", "[lock][lockfile][process]") {
  TempDir dir;
  const auto target = dir / "a.json";
  auto child = ChildProcess::fork([&] {
    new FileLock(target, LockMode::exclusive, Timeout::immediate(), kLockfile);  // never released
    return 0;
  });
  REQUIRE(child.wait().code == 0);
  const auto sidecar = FileLock::sidecar_for(target);
  REQUIRE(std::filesystem::exists(sidecar));
  CHECK(field(slurp(sidecar), "pid") != std::to_string(::getpid()));

  auto mine = try_lock(target);
  REQUIRE(mine.has_value());
  CHECK(field(slurp(sidecar), "pid") == std::to_string(::getpid()));
}

TEST_CASE("a pid that now belongs to a process started at another time does not hold the lock", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  // Our own pid with our own start time: a live owner (this very process), so the lock holds.
  spit(sidecar, record_with(target, "", ""));
  CHECK_FALSE(try_lock(target).has_value());
  // Our pid with another start time: the pid was recycled, the owner is dead.
  const std::string record = slurp(sidecar);
  const auto start = std::stoull(field(record, "start"));
  spit(sidecar, std::regex_replace(record, std::regex("\nstart [0-9]+\n"), "\nstart " + std::to_string(start + 1) + "\n"));
  CHECK(try_lock(target).has_value());
}

TEST_CASE("a live owner on this host keeps its lock however old the lock file is", "[lock][lockfile][process]") {
  TempDir dir;
  const auto target = dir / "a.json";
  Pipe locked;
  auto child = ChildProcess::fork([&] {
    FileLock held(target, LockMode::exclusive, Timeout::infinite(), kLockfile);
    locked.send();
    for (;;) ::pause();
    return 0;
  });
  REQUIRE(locked.receive() == 'x');
  age(FileLock::sidecar_for(target), std::chrono::hours(30));
  CHECK_FALSE(try_lock(target).has_value());
  child.kill(SIGKILL);
  child.wait();
  CHECK(try_lock(target).has_value());
}

TEST_CASE("an owner that cannot be checked holds the lock until the stale time, and 0 means forever", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  spit(sidecar, record_with(target, "host", "elsewhere.invalid"));
  CHECK_FALSE(try_lock(target).has_value());  // young: held

  age(sidecar, std::chrono::hours(2));
  {
    ScopedStaleTime never("0");
    CHECK_FALSE(try_lock(target).has_value());
  }
  {
    ScopedStaleTime three_hours("10800");
    CHECK_FALSE(try_lock(target).has_value());
  }
  // The default stale time is an hour.
  auto mine = try_lock(target);
  REQUIRE(mine.has_value());
  CHECK(field(slurp(sidecar), "host") != "elsewhere.invalid");
}

TEST_CASE("LockOptions::stale_after sets the stale time in code, ahead of the environment", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  spit(sidecar, record_with(target, "host", "elsewhere.invalid"));
  age(sidecar, std::chrono::minutes(10));
  ScopedStaleTime environment_says_never("0");
  LockOptions patient = kLockfile;
  patient.stale_after = std::chrono::hours(1);
  CHECK_FALSE(FileLock::try_lock(target, LockMode::exclusive, patient).has_value());  // 10 min < 1 h
  LockOptions impatient = kLockfile;
  impatient.stale_after = std::chrono::minutes(5);
  auto mine = FileLock::try_lock(target, LockMode::exclusive, impatient);  // 10 min > 5 min: stale
  REQUIRE(mine.has_value());
  CHECK(field(slurp(sidecar), "host") != "elsewhere.invalid");
}

TEST_CASE("text that is not a lock record holds until the stale time", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  spit(sidecar, "written by some other program\n");
  CHECK_FALSE(try_lock(target).has_value());
  age(sidecar, std::chrono::hours(2));
  CHECK(try_lock(target).has_value());
}

TEST_CASE("the empty sidecar an older atomicio's advisory backend left behind is taken over once it is seconds old", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  spit(sidecar, "");
  // Just created: it could be a lock file whose creator has not written its record yet.
  CHECK_FALSE(try_lock(target).has_value());
  age(sidecar, std::chrono::minutes(1));
  CHECK(try_lock(target).has_value());
}

TEST_CASE("release leaves alone a lock file that is no longer ours", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  FileLock held(target, LockMode::exclusive, Timeout::immediate(), kLockfile);
  // As if our lock had been broken as stale and taken by a process elsewhere.
  std::string record = slurp(held.sidecar_path());
  std::string foreign = std::regex_replace(record, std::regex("\nnonce [0-9a-f]+\n"), "\nnonce 00000000000000000000000000000000\n");
  foreign = std::regex_replace(foreign, std::regex("\nhost [^\n]*\n"), "\nhost elsewhere.invalid\n");
  spit(held.sidecar_path(), foreign);
  held.unlock();
  CHECK(slurp(FileLock::sidecar_for(target)) == foreign);
}

TEST_CASE("a symlink at the lock file's path is refused", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  std::filesystem::create_symlink(dir / "elsewhere", FileLock::sidecar_for(target));
  try {
    FileLock held(target, LockMode::exclusive, Timeout::immediate(), kLockfile);
    FAIL("locked through a symlink");
  } catch (const LockFailedError& error) {
    CHECK(error.code() == std::errc::too_many_symbolic_link_levels);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "elsewhere"));
}

TEST_CASE("an invalid ATOMICIO_LOCKFILE_STALE_SECONDS is an error that names it", "[lock][lockfile]") {
  TempDir dir;
  ScopedStaleTime invalid("soon");
  try {
    FileLock held(dir / "a.json", LockMode::exclusive, Timeout::immediate(), kLockfile);
    FAIL("an invalid stale time was accepted");
  } catch (const LockFailedError& error) {
    CHECK(error.code() == std::errc::invalid_argument);
    CHECK(std::string(error.what()).find("ATOMICIO_LOCKFILE_STALE_SECONDS") != std::string::npos);
  }
}

TEST_CASE("a stale lock is broken only by the holder of its .break guard", "[lock][lockfile]") {
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  const auto guard = std::filesystem::path(sidecar.string() + ".break");
  const std::string live = record_with(target, "", "");  // this very process: alive
  const auto start = std::stoull(field(live, "start"));
  const std::string dead =
      std::regex_replace(live, std::regex("\nstart [0-9]+\n"), "\nstart " + std::to_string(start + 1) + "\n");

  spit(sidecar, dead);
  spit(guard, live);  // another breaker (alive) is at work: we must keep our hands off
  CHECK_FALSE(try_lock(target).has_value());
  CHECK(slurp(sidecar) == dead);

  spit(guard, dead);  // the breaker died at work: its guard is cleared, then the lock broken
  FileLock mine(target, LockMode::exclusive, 2s, kLockfile);
  CHECK(field(slurp(sidecar), "nonce") != field(dead, "nonce"));
  CHECK_FALSE(std::filesystem::exists(guard));
}

TEST_CASE("processes racing to break one stale lock end with exactly one holder", "[lock][lockfile][process]") {
  constexpr int kRacers = 4;
  TempDir dir;
  const auto target = dir / "a.json";
  const auto sidecar = FileLock::sidecar_for(target);
  const std::string record = record_with(target, "", "");
  const auto start = std::stoull(field(record, "start"));
  const std::string stale =
      std::regex_replace(record, std::regex("\nstart [0-9]+\n"), "\nstart " + std::to_string(start + 1) + "\n");

  for (int round = 0; round < 40; ++round) {
    CAPTURE(round);
    spit(sidecar, stale);  // names a recycled pid: every racer finds it stale at once
    Pipe results;
    Pipe release;
    // Racers spin until nearly the same instant, so that as many as there are cores run at
    // once; the starts are a few microseconds apart, so that one racer's check for
    // staleness overlaps another's break at varying points.
    const auto go = std::chrono::steady_clock::now() + 30ms;
    std::vector<ChildProcess> racers;
    for (int r = 0; r < kRacers; ++r)
      racers.push_back(ChildProcess::fork([&] {
        const auto my_start = go + std::chrono::microseconds((round * 7 + r * 13) % 60);
        while (std::chrono::steady_clock::now() < my_start) {
        }
        try {
          auto held = FileLock::try_lock(target, LockMode::exclusive, kLockfile);
          results.send(held ? '1' : '0');
          if (held) release.receive();  // hold until every racer has had its chance
        } catch (...) {
          results.send('e');
        }
        return 0;
      }));
    std::string outcomes;
    for (int r = 0; r < kRacers; ++r) outcomes += results.receive();
    CHECK(std::count(outcomes.begin(), outcomes.end(), '1') == 1);
    CHECK(std::count(outcomes.begin(), outcomes.end(), 'e') == 0);
    release.send();
    for (auto& racer : racers) CHECK(racer.wait(std::chrono::seconds(30)).code == 0);
    // The winner released; no guard and no stale file moved aside was left behind.
    CHECK(dir.entries().empty());
  }
}
