// edit and lock when signals arrive: SIGTERM is passed on to CMD, and an atomicio killed outright
// (SIGKILL, when it can do nothing) takes CMD with it, because its lock is gone at that moment
// and CMD must not go on working on the file unlocked. CMD tells the test its pid through a
// FIFO once it runs, so nothing here waits on a clock except the bounds that fail a test.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/file_lock.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace atomicio;
using namespace atomicio::test;

namespace {

namespace fs = std::filesystem;

constexpr int kBoundMs = 30'000;  // only a failing test waits this long

// The pid a CMD wrote to `fifo` (it is `exec sleep`, so the pid is the sleeping process's).
pid_t read_pid(const fs::path& fifo) {
  int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(fd >= 0);
  std::string text;
  while (text.find('\n') == std::string::npos) {
    pollfd ready{fd, POLLIN, 0};
    REQUIRE(::poll(&ready, 1, kBoundMs) == 1);
    char buffer[64];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
    REQUIRE(n != 0);  // the writer closed without a full line
  }
  ::close(fd);
  return static_cast<pid_t>(std::stol(text));
}

// A CMD that reports its pid on `fifo` and then sleeps far longer than any test runs.
std::vector<std::string> reporting_sleeper(const fs::path& fifo) {
  return {"sh", "-c", "echo $$ > \"$0\"; exec sleep 300", fifo.string()};
}

// A process that is not our child: watched through a pidfd, which becomes readable when it ends.
class Watched {
 public:
  explicit Watched(pid_t pid) : pidfd_(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))) {
    REQUIRE(pidfd_ >= 0);
  }
  ~Watched() {
    if (!ended()) ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);  // a failed test's leftover
    ::close(pidfd_);
  }
  bool ended(int wait_ms = 0) const {
    pollfd exited{pidfd_, POLLIN, 0};
    return ::poll(&exited, 1, wait_ms) == 1;
  }

 private:
  int pidfd_;
};

bool lock_is_free(const fs::path& path) {
  try {
    FileLock probe(path, LockMode::exclusive, Timeout::immediate());
    return true;
  } catch (const LockTimeoutError&) {
    return false;
  } catch (const AlreadyLockedError&) {
    return false;
  }
}

}  // namespace

TEST_CASE("cli: a SIGKILLed lock or edit takes CMD with it as its lock is released", "[cli][lock][edit][signals]") {
  for (const std::string verb : {"lock", "edit"}) {
    DYNAMIC_SECTION(verb) {
      TempDir dir;
      const fs::path path = dir / "data.txt";
      const fs::path fifo = dir / "pid";
      REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
      std::vector<std::string> argv{binary_path("atomicio"), verb, path.string(), "--"};
      for (const auto& word : reporting_sleeper(fifo)) argv.push_back(word);
      ChildProcess tool = ChildProcess::spawn(argv);
      Watched command(read_pid(fifo));
      CHECK_FALSE(lock_is_free(path));  // CMD runs under the tool's lock

      tool.kill(SIGKILL);
      ExitStatus killed = tool.wait();
      CHECK(killed.signal == SIGKILL);
      CHECK(command.ended(kBoundMs));  // CMD did not outlive the lock
      CHECK(lock_is_free(path));
    }
  }
}

TEST_CASE("cli: SIGTERM to lock is passed on to CMD, and lock exits with how CMD ended", "[cli][lock][signals]") {
  TempDir dir;
  const fs::path path = dir / "data.txt";
  const fs::path fifo = dir / "pid";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::vector<std::string> argv{binary_path("atomicio"), "lock", path.string(), "--"};
  for (const auto& word : reporting_sleeper(fifo)) argv.push_back(word);
  ChildProcess tool = ChildProcess::spawn(argv);
  Watched command(read_pid(fifo));

  tool.kill(SIGTERM);
  ExitStatus status = tool.wait();
  CHECK(status.exited);
  CHECK(status.code == 128 + SIGTERM);  // CMD was terminated, and the tool said so
  CHECK(command.ended(kBoundMs));
  CHECK(lock_is_free(path));
}
