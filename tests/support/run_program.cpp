// fork + execv with three pipes, fed and drained together through poll(2) so that neither side
// blocks on a full pipe.
#include "support/run_program.hpp"

#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <thread>

namespace atomicio::test {

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

struct Pipes {
  std::array<int, 2> in{-1, -1};
  std::array<int, 2> out{-1, -1};
  std::array<int, 2> err{-1, -1};
  ~Pipes() {
    for (auto* pair : {&in, &out, &err})
      for (int& fd : *pair) close_fd(fd);
  }
};

int shell_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

RunResult run_program(const std::vector<std::string>& argv, std::string_view input, std::chrono::seconds limit) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  Pipes pipes;
  for (auto* pair : {&pipes.in, &pipes.out, &pipes.err})
    if (::pipe2(pair->data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // dup2 clears O_CLOEXEC on the copies; the originals close at exec.
    if (::dup2(pipes.in[0], 0) < 0 || ::dup2(pipes.out[1], 1) < 0 || ::dup2(pipes.err[1], 2) < 0) ::_exit(127);
    ::execvp(args[0], args.data());  // a bare name is searched in PATH, as a shell would
    ::_exit(127);
  }
  close_fd(pipes.in[0]);
  close_fd(pipes.out[1]);
  close_fd(pipes.err[1]);
  if (input.empty()) close_fd(pipes.in[1]);
  else ::fcntl(pipes.in[1], F_SETFL, O_NONBLOCK);
  // A child that exits without reading its stdin must not kill the test with SIGPIPE.
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);

  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::array<char, 64 * 1024> buffer;
  while (pipes.out[0] >= 0 || pipes.err[0] >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ::sigaction(SIGPIPE, &previous, nullptr);
      throw std::runtime_error("'" + argv.at(0) + "' did not finish in time");
    }
    std::array<pollfd, 3> fds{pollfd{pipes.out[0], POLLIN, 0}, pollfd{pipes.err[0], POLLIN, 0},
                              pollfd{pipes.in[1], POLLOUT, 0}};  // negative fds are skipped by poll
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR)
      throw std::runtime_error("poll failed");
    if (fds[2].revents != 0) {
      ssize_t n = ::write(pipes.in[1], input.data(), input.size());
      if (n > 0) input.remove_prefix(static_cast<std::size_t>(n));
      if (input.empty() || (n < 0 && errno == EPIPE)) close_fd(pipes.in[1]);
    }
    for (std::size_t i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      int& fd = i == 0 ? pipes.out[0] : pipes.err[0];
      std::string& sink = i == 0 ? result.out : result.err;
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n > 0) sink.append(buffer.data(), static_cast<std::size_t>(n));
      else if (n == 0 || errno != EINTR) close_fd(fd);
    }
  }
  close_fd(pipes.in[1]);
  ::sigaction(SIGPIPE, &previous, nullptr);
  int status = 0;
  for (;;) {  // bounded too: a child may close its output and keep running
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      throw std::runtime_error("'" + argv.at(0) + "' did not exit in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  result.status = shell_status(status);
  return result;
}

}  // namespace atomicio::test
