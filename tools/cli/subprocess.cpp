// Child processes started with vfork + execve, with pipes fed and drained through poll(2).
// vfork rather than fork: the tool may hold a lock table with threads' state in it, and vfork
// neither copies it nor runs pthread_atfork handlers; the child makes only system calls before
// exec. Not posix_spawn: the child must set PR_SET_PDEATHSIG, which posix_spawn cannot.
#include "subprocess.hpp"

#include "cli_errors.hpp"
#include "exit_codes.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <utility>

extern char** environ;

namespace atomicio::cli {

namespace {

std::atomic<pid_t> g_child{0};
std::atomic<int> g_child_pidfd{-1};    // refers to the child itself, never to a reused pid
std::atomic<int> g_pending_signal{0};  // arrived before the child existed

void forward_signal(int signal) {
  const int saved_errno = errno;
  int pidfd = g_child_pidfd.load();
  pid_t child = g_child.load();
  // Through the pidfd when there is one: once the child is reaped it fails with ESRCH instead
  // of reaching whatever process has taken the pid since.
  if (pidfd >= 0) ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
  else if (child > 0) ::kill(child, signal);
  else g_pending_signal.store(signal);
  errno = saved_errno;
}

// The tool's signal dispositions while a child runs; restored on destruction. The child starts
// with the dispositions the tool was started with (so `nohup atomicio lock ...` still ignores
// SIGHUP in CMD), which the child restores from child_defaults() before exec.
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
    forget_child();
    g_pending_signal.store(0);
    for (std::size_t i = 0; i < count_; ++i) ::sigaction(saved_[i].first, &saved_[i].second, nullptr);
    // Closed only now that no handler of ours can start; one already running on another thread
    // that loaded the number gets EBADF (or a fd that is no pidfd: EINVAL), never a process.
    if (pidfd_ >= 0) ::close(pidfd_);
  }
  ParentSignals(const ParentSignals&) = delete;
  ParentSignals& operator=(const ParentSignals&) = delete;

  const sigset_t& child_defaults() const noexcept { return child_defaults_; }

  void set_child(pid_t pid) noexcept {
    // The child is not reaped before wait_for(), so the pid still names it here. Without pidfd
    // support (Linux < 5.3) forwarding falls back to kill(pid), made safe by wait_for's order.
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    g_child_pidfd.store(pidfd_);
    g_child.store(pid);
    if (int signal = g_pending_signal.exchange(0); signal != 0) ::kill(pid, signal);
  }

  /// From here on signals are no longer forwarded (the child has exited).
  static void forget_child() noexcept {
    g_child_pidfd.store(-1);
    g_child.store(0);
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
  int pidfd_ = -1;
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
  // O_CLOEXEC: only the ends the child dup2()s onto 0 and 1 may reach CMD, or CMD would hold
  // its own stdin open and never see end of file.
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

struct Redirect {
  int from;
  int to;
};

// Everything the child needs, prepared before vfork: the child may not allocate.
struct ChildSetup {
  std::vector<char*> argv;
  std::vector<std::string> candidates;  // what execvp would try, in order
  std::vector<const char*> candidate_pointers;
  std::vector<Redirect> redirects;
  sigset_t defaults;
  pid_t parent = 0;
  int error = 0;  // written by the child (vfork shares our memory) when it cannot exec
};

// The paths execvp(3) tries for `command`: itself when it holds a slash, else each directory
// of PATH (confstr's "/bin:/usr/bin" when unset; an empty entry is the current directory).
std::vector<std::string> executable_candidates(const std::string& command) {
  if (command.empty()) return {};
  if (command.find('/') != std::string::npos) return {command};
  const char* path = std::getenv("PATH");
  std::string list = path != nullptr ? path : "/bin:/usr/bin";
  std::vector<std::string> candidates;
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = list.find(':', begin);
    std::string directory = list.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    candidates.push_back((directory.empty() ? std::string(".") : directory) + "/" + command);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return candidates;
}

// The vfork child: system calls only, then exec or _exit.
[[noreturn]] void exec_child(ChildSetup& setup) {
  // Our handlers must not run in the child before exec replaces them (they would act on the
  // parent's memory); the signals the tool changed go back to their defaults for CMD.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    struct sigaction current {};
    if (::sigaction(signal, nullptr, &current) != 0) continue;
    const bool handled = current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
    if (handled || sigismember(&setup.defaults, signal) == 1) ::sigaction(signal, &default_action, nullptr);
  }
  // CMD dies with the tool: a SIGKILLed tool loses its lock at once, and CMD must not go on
  // working on the file without it. The parent may have died before the prctl: then getppid()
  // is no longer it and nobody would deliver the signal.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != setup.parent) ::_exit(kExitFailure);
  for (const Redirect& redirect : setup.redirects) {
    if (redirect.from == redirect.to) ::fcntl(redirect.to, F_SETFD, 0);  // keep it across exec
    else if (::dup2(redirect.from, redirect.to) < 0) {
      setup.error = errno;
      ::_exit(kExitCannotExecute);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int error = ENOENT;
  bool denied = false;
  for (const char* candidate : setup.candidate_pointers) {
    ::execve(candidate, setup.argv.data(), environ);
    error = errno;
    // As execvp: a missing or inaccessible directory entry means try the next one.
    if (error == EACCES) denied = true;
    else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV && error != ETIMEDOUT) break;
  }
  setup.error = denied && (error == ENOENT || error == ENOTDIR) ? EACCES : error;
  ::_exit(kExitNotFound);
}

// Returns the child's pid, or -1 with `error` set when it could not be started.
pid_t spawn(const std::vector<std::string>& argv, std::vector<Redirect> redirects, const ParentSignals& signals,
            int& error) {
  ChildSetup setup;
  for (const auto& arg : argv) setup.argv.push_back(const_cast<char*>(arg.c_str()));
  setup.argv.push_back(nullptr);
  setup.candidates = executable_candidates(argv.at(0));
  for (const auto& candidate : setup.candidates) setup.candidate_pointers.push_back(candidate.c_str());
  setup.redirects = std::move(redirects);
  setup.defaults = signals.child_defaults();
  setup.parent = ::getpid();
  // Every signal blocked across vfork, so none is handled in the child while it still runs
  // with our handlers and memory; the child unblocks them once its dispositions are reset.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = ::vfork();
  if (pid == 0) exec_child(setup);
  const int vfork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) {
    error = vfork_error;
    return -1;
  }
  if (setup.error != 0) {
    // It never ran CMD: reap it here, it has nothing to report.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    error = setup.error;
    return -1;
  }
  return pid;
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
// The child is reaped only after forwarding has stopped: until the reap its pid cannot be
// reused, so a signal forwarded up to that point reaches it or its zombie, never another process.
int wait_for(pid_t pid, int* signal = nullptr) {
  siginfo_t exited {};
  while (::waitid(P_PID, static_cast<id_t>(pid), &exited, WEXITED | WNOWAIT) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitid");
  }
  ParentSignals::forget_child();
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
  ParentSignals signals;
  int error = 0;
  pid_t pid = spawn(argv, {{to_child.read.get(), STDIN_FILENO}, {from_child.write.get(), STDOUT_FILENO}}, signals,
                    error);
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
  pid_t pid = spawn(argv, {}, signals, error);
  if (pid < 0) return launch_failure(argv.at(0), error);
  signals.set_child(pid);
  return wait_for(pid);
}

}  // namespace atomicio::cli
