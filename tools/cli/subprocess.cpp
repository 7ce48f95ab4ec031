// posix_spawnp-based child processes with pipes fed and drained through poll(2). posix_spawn
// rather than fork: the tool may hold a lock table with threads' state in it, and posix_spawn
// runs nothing of ours in the child; glibc also reports a failed exec as its return value.
#include "subprocess.hpp"

#include "cli_errors.hpp"
#include "exit_codes.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

extern char** environ;

namespace atomicio::cli {

namespace {

std::atomic<pid_t> g_child{0};
std::atomic<int> g_pending_signal{0};  // arrived before the child existed

void forward_signal(int signal) {
  pid_t child = g_child.load();
  if (child > 0) ::kill(child, signal);
  else g_pending_signal.store(signal);
}

// The tool's signal dispositions while a child runs; restored on destruction. The child starts
// with the dispositions the tool was started with (so `nohup atomicio lock ...` still ignores
// SIGHUP in CMD), which child_defaults() tells posix_spawn to restore.
class ParentSignals {
 public:
  ParentSignals() {
    sigemptyset(&child_defaults_);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    // SIGINT and SIGQUIT reach the child from the terminal as well; like system(3) the tool
    // leaves the decision to it and reports how it ended. SIGPIPE: a filter that exits without
    // reading all its input must make write() fail with EPIPE, not kill the tool.
    for (int signal : {SIGINT, SIGQUIT, SIGPIPE}) save_and_set(signal, ignore);
    struct sigaction forward {};
    forward.sa_handler = forward_signal;
    sigemptyset(&forward.sa_mask);
    forward.sa_flags = SA_RESTART;
    // Sent to the tool alone (kill, a closed terminal): pass them on so CMD stops before the
    // lock it runs under is released. An ignored one (nohup) stays ignored for both.
    for (int signal : {SIGTERM, SIGHUP}) save_and_set(signal, forward);
  }
  ~ParentSignals() {
    g_child.store(0);
    g_pending_signal.store(0);
    for (std::size_t i = 0; i < count_; ++i) ::sigaction(saved_[i].first, &saved_[i].second, nullptr);
  }
  ParentSignals(const ParentSignals&) = delete;
  ParentSignals& operator=(const ParentSignals&) = delete;

  const sigset_t& child_defaults() const noexcept { return child_defaults_; }

  void set_child(pid_t pid) noexcept {
    g_child.store(pid);
    if (int signal = g_pending_signal.exchange(0); signal != 0) ::kill(pid, signal);
  }

 private:
  void save_and_set(int signal, const struct sigaction& action) {
    struct sigaction old {};
    if (::sigaction(signal, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) return;
    saved_[count_++] = {signal, old};
    ::sigaction(signal, &action, nullptr);
    sigaddset(&child_defaults_, signal);
  }

  std::array<std::pair<int, struct sigaction>, 5> saved_{};
  std::size_t count_ = 0;
  sigset_t child_defaults_{};
};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() { reset(); }
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);  // never retried: the fd is gone even when close reports EINTR
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Pipe make_pipe() {
  int fds[2];
  // O_CLOEXEC: only the ends posix_spawn dup2()s onto 0 and 1 may reach CMD, or CMD would hold
  // its own stdin open and never see end of file.
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

class FileActions {
 public:
  FileActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  void dup2(int from, int to) {
    if (int error = ::posix_spawn_file_actions_adddup2(&actions_, from, to); error != 0)
      throw std::system_error(error, std::generic_category(), "posix_spawn_file_actions_adddup2");
  }
  const posix_spawn_file_actions_t* get() const noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// Returns the child's pid, or -1 with `error` set when it could not be started.
pid_t spawn(const std::vector<std::string>& argv, const FileActions* actions, const ParentSignals& signals,
            int& error) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawnattr_t attributes;
  ::posix_spawnattr_init(&attributes);
  sigset_t unblocked;
  sigemptyset(&unblocked);
  ::posix_spawnattr_setsigmask(&attributes, &unblocked);
  ::posix_spawnattr_setsigdefault(&attributes, &signals.child_defaults());
  ::posix_spawnattr_setflags(&attributes, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  pid_t pid = -1;
  error = ::posix_spawnp(&pid, args[0], actions != nullptr ? actions->get() : nullptr, &attributes, args.data(),
                         environ);
  ::posix_spawnattr_destroy(&attributes);
  return error == 0 ? pid : -1;
}

int launch_failure(const std::string& command, int error) {
  if (error == ENOENT) {
    report_error(command + ": command not found");
    return kExitNotFound;
  }
  report_error("cannot run '" + command + "': " + std::strerror(error));
  return kExitCannotExecute;
}

// Returns the exit status in shell convention; `signal` gets the signal that killed the child.
int wait_for(pid_t pid, int* signal = nullptr) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    if (signal != nullptr) *signal = WTERMSIG(status);
    return kExitSignalBase + WTERMSIG(status);
  }
  return kExitFailure;
}

// Writes `input` to CMD and reads its output at the same time: writing everything first would
// deadlock once CMD blocks on a full stdout pipe while we block on its full stdin pipe.
void pump(Fd& to_child, Fd& from_child, std::string_view input, std::string& output) {
  if (input.empty()) to_child.reset();
  else if (::fcntl(to_child.get(), F_SETFL, O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "fcntl");
  std::array<char, 64 * 1024> buffer;
  while (from_child.valid()) {
    std::array<pollfd, 2> fds{pollfd{from_child.get(), POLLIN, 0}, pollfd{to_child.get(), POLLOUT, 0}};
    const nfds_t count = to_child.valid() ? 2 : 1;
    if (::poll(fds.data(), count, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (count == 2 && fds[1].revents != 0) {
      ssize_t n = ::write(to_child.get(), input.data(), input.size());
      if (n > 0) {
        input.remove_prefix(static_cast<std::size_t>(n));
        if (input.empty()) to_child.reset();  // end of file for CMD
      } else if (n < 0 && errno == EPIPE) {
        to_child.reset();  // CMD closed its stdin: it has read all it wants
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        throw std::system_error(errno, std::generic_category(), "write to CMD");
      }
    }
    if (fds[0].revents != 0) {
      ssize_t n = ::read(from_child.get(), buffer.data(), buffer.size());
      if (n > 0) output.append(buffer.data(), static_cast<std::size_t>(n));
      else if (n == 0) from_child.reset();
      else if (errno != EINTR && errno != EAGAIN) throw std::system_error(errno, std::generic_category(), "read from CMD");
    }
  }
}

}  // namespace

FilterResult run_filter(const std::vector<std::string>& argv, std::string_view input) {
  Pipe to_child = make_pipe();
  Pipe from_child = make_pipe();
  FileActions actions;
  actions.dup2(to_child.read.get(), STDIN_FILENO);
  actions.dup2(from_child.write.get(), STDOUT_FILENO);
  ParentSignals signals;
  int error = 0;
  pid_t pid = spawn(argv, &actions, signals, error);
  // Our copies of the child's ends must go, or neither side would ever see end of file.
  to_child.read.reset();
  from_child.write.reset();
  FilterResult result;
  if (pid < 0) {
    result.status = launch_failure(argv.at(0), error);
    result.started = false;
    return result;
  }
  signals.set_child(pid);
  try {
    pump(to_child.write, from_child.read, input, result.output);
  } catch (...) {
    // Never leave CMD running unsupervised: the caller is about to release the lock.
    ::kill(pid, SIGKILL);
    wait_for(pid);
    throw;
  }
  to_child.write.reset();
  result.status = wait_for(pid, &result.signal);
  return result;
}

int run_command(const std::vector<std::string>& argv) {
  ParentSignals signals;
  int error = 0;
  pid_t pid = spawn(argv, nullptr, signals, error);
  if (pid < 0) return launch_failure(argv.at(0), error);
  signals.set_child(pid);
  return wait_for(pid);
}

}  // namespace atomicio::cli
