// The async part of the demo: several processes, each running threads (ThreadedSafeFile) and
// coroutines on one io_context (AsyncSafeFile under locked()), increment one JSON counter. The
// lock is one table for threads and tasks and one sidecar for processes, so the total must be
// exact; an unlocked reader meanwhile checks that every read parses.
//
//   async_counter [--processes P] [--threads T] [--coroutines C] [--increments N] [--dir DIR]
#include <atomicio/async/async_safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;

namespace {

struct Settings {
  int processes = 4;
  int threads = 2;
  int coroutines = 8;
  int increments = 25;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "atomicio-async-demo";
};

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--processes") s.processes = std::atoi(argv[i + 1]);
    else if (flag == "--threads") s.threads = std::atoi(argv[i + 1]);
    else if (flag == "--coroutines") s.coroutines = std::atoi(argv[i + 1]);
    else if (flag == "--increments") s.increments = std::atoi(argv[i + 1]);
    else if (flag == "--dir") s.dir = argv[i + 1];
  }
  return s;
}

void bump(atomicio::Value& doc, const std::string& kind) {
  doc["total"] = doc.value("total", 0) + 1;
  doc[kind] = doc.value(kind, 0) + 1;
}

// One process: its threads and its coroutines increment the counter; returns the failures.
int run_process(const Settings& s) {
  const auto path = s.dir / "counter.json";
  // Made here, after fork(): a forked child needs an engine (a pool) of its own.
  atomicio::IoEngine engine;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < s.threads; ++t)
    threads.emplace_back([&] {
      try {
        atomicio::ThreadedSafeFile file(path);
        for (int i = 0; i < s.increments; ++i) {
          auto guard = file.locked();
          auto doc = file.read().value_or(atomicio::Value::object());
          bump(doc, "by_threads");
          file.write(doc);
        }
      } catch (const std::exception& error) {
        std::cerr << "thread: " << error.what() << "\n";
        ++failures;
      }
    });
  asio::io_context context;
  atomicio::AsyncSafeFile file(context.get_executor(), path, atomicio::Timeout::infinite(), {}, &engine);
  for (int c = 0; c < s.coroutines; ++c)
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < s.increments; ++i) {
            auto guard = co_await file.async_locked(atomicio::LockMode::exclusive, asio::use_awaitable);
            auto doc = (co_await guard.async_read(asio::use_awaitable)).value_or(atomicio::Value::object());
            bump(doc, "by_coroutines");
            co_await guard.async_write(doc, asio::use_awaitable);
          }
        },
        [&](std::exception_ptr error) {
          if (!error) return;
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            std::cerr << "coroutine: " << e.what() << "\n";
          }
          ++failures;
        });
  context.run();
  for (auto& thread : threads) thread.join();
  return failures.load();
}

}  // namespace

int main(int argc, char** argv) {
  const Settings s = parse(argc, argv);
  std::filesystem::remove_all(s.dir);
  std::filesystem::create_directories(s.dir);
  std::vector<pid_t> children;
  for (int p = 0; p < s.processes; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(run_process(s) == 0 ? 0 : 1);
    children.push_back(pid);
  }
  // The unlocked reader: every read must parse, since commits are atomic renames.
  std::atomic<bool> stop{false};
  long reads = 0, torn = 0;
  std::thread reader([&] {
    while (!stop) {
      std::ifstream in(s.dir / "counter.json");
      if (!in) continue;
      std::stringstream text;
      text << in.rdbuf();
      ++reads;
      if (atomicio::Value::parse(text.str(), nullptr, false).is_discarded()) ++torn;
    }
  });
  int failed = 0;
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  stop = true;
  reader.join();
  auto doc = atomicio::SafeFile(s.dir / "counter.json").read().value_or(atomicio::Value::object());
  const long expected = static_cast<long>(s.processes) * (s.threads + s.coroutines) * s.increments;
  std::cout << "total = " << doc.value("total", 0L) << " (expected " << expected << "): " << doc.value("by_threads", 0L)
            << " by threads, " << doc.value("by_coroutines", 0L) << " by coroutines\n"
            << reads << " unlocked reads, " << torn << " torn\n";
  const bool ok = failed == 0 && torn == 0 && doc.value("total", 0L) == expected;
  std::cout << (ok ? "nothing lost, nothing torn" : "FAILED") << "\n";
  return ok ? 0 : 1;
}
