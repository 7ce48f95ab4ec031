// The demo: several processes, each with several threads, increment counters in one JSON file
// and append lines to one text log, all through atomicio. Each increment is a locked
// read-modify-write whose write is an atomic commit; meanwhile a reader process keeps reading the
// JSON file without any lock and checks that it always parses. At the end the counts must be
// exact: nothing lost, nothing torn.
//
//   concurrent_counter [--processes P] [--threads T] [--increments N] [--dir DIR]
#include <atomicio/atomicio.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Settings {
  int processes = 4;
  int threads = 4;
  int increments = 50;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "atomicio-demo";
};

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--processes") s.processes = std::atoi(argv[i + 1]);
    else if (flag == "--threads") s.threads = std::atoi(argv[i + 1]);
    else if (flag == "--increments") s.increments = std::atoi(argv[i + 1]);
    else if (flag == "--dir") s.dir = argv[i + 1];
  }
  return s;
}

// One worker thread: N times, under the file's exclusive lock, read the document, bump the
// shared total and this worker's own counter, and commit it back; then log a line.
void work(const Settings& s, int process, int thread) {
  atomicio::ThreadedSafeFile counters(s.dir / "counters.json");
  atomicio::SafeFile log(s.dir / "log.txt");
  std::string me = "p";
  me.append(std::to_string(process)).append("t").append(std::to_string(thread));
  for (int i = 0; i < s.increments; ++i) {
    {
      auto guard = counters.locked();
      atomicio::Value doc = counters.read().value_or(atomicio::Value::object());
      doc["total"] = doc.value("total", 0) + 1;
      atomicio::Value& workers = doc["workers"];
      if (!workers.is_object()) workers = atomicio::Value::object();
      workers[me] = workers.value(me, 0) + 1;
      counters.write(doc);
    }
    log.append(me + " " + std::to_string(i) + "\n");
  }
}

int run_worker(const Settings& s, int process) {
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < s.threads; ++t)
    threads.emplace_back([&, t] {
      try {
        work(s, process, t);
      } catch (const std::exception& error) {
        std::cerr << "worker p" << process << "t" << t << ": " << error.what() << "\n";
        failed = true;
      }
    });
  for (auto& t : threads) t.join();
  return failed ? 1 : 0;
}

// Reads the file without a lock as fast as it can; every read must parse. Returns reads done,
// or -1 on a torn read.
long run_reader(const Settings& s, const std::filesystem::path& stop_flag) {
  long reads = 0;
  while (!std::filesystem::exists(stop_flag)) {
    std::ifstream in(s.dir / "counters.json");
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().empty()) continue;  // not created yet
    if (atomicio::Value::parse(text.str(), nullptr, false).is_discarded()) return -1;
    ++reads;
  }
  return reads;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s = parse(argc, argv);
  std::filesystem::remove_all(s.dir);
  std::filesystem::create_directories(s.dir);
  const auto stop_flag = s.dir / "stop";
  std::cout << "atomicio " << atomicio::version() << " demo: " << s.processes << " processes x " << s.threads
            << " threads x " << s.increments << " locked increments on " << (s.dir / "counters.json") << "\n";
  for (const auto& p : atomicio::PluginHost::global().plugins())
    std::cout << "  plugin " << p.id << " (" << p.manifest.parent_path().string() << ")\n";

  int reader_pipe[2];
  if (::pipe(reader_pipe) != 0) return 1;
  pid_t reader = ::fork();
  if (reader == 0) {
    long reads = run_reader(s, stop_flag);
    ::write(reader_pipe[1], &reads, sizeof reads);
    ::_exit(0);
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> workers;
  for (int p = 0; p < s.processes; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(run_worker(s, p));
    workers.push_back(pid);
  }
  bool workers_ok = true;
  for (pid_t pid : workers) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    workers_ok = workers_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream(stop_flag).put('\n');
  long reads = 0;
  ::read(reader_pipe[0], &reads, sizeof reads);
  ::waitpid(reader, nullptr, 0);

  const long expected = static_cast<long>(s.processes) * s.threads * s.increments;
  atomicio::Value doc = atomicio::SafeFile(s.dir / "counters.json").read().value_or(atomicio::Value::object());
  const long total = doc.value("total", 0L);
  std::string log = atomicio::SafeFile(s.dir / "log.txt").read_bytes().value_or("");
  const long lines = static_cast<long>(std::count(log.begin(), log.end(), '\n'));
  bool every_worker_exact = doc["workers"].size() == static_cast<std::size_t>(s.processes * s.threads);
  for (const auto& [name, count] : doc["workers"].items()) every_worker_exact &= count.get<long>() == s.increments;

  std::cout << "done in " << seconds << " s (" << static_cast<double>(expected) / seconds << " committed increments/s)\n"
            << "  counters.json total = " << total << " (expected " << expected << ")\n"
            << "  per-worker counters exact: " << (every_worker_exact ? "yes" : "NO") << "\n"
            << "  log.txt lines = " << lines << " (expected " << expected << ")\n"
            << "  unlocked reads that all parsed: " << (reads >= 0 ? std::to_string(reads) : "TORN READ SEEN") << "\n";
  const bool ok = workers_ok && total == expected && lines == expected && every_worker_exact && reads >= 0;
  std::cout << (ok ? "OK: no update lost, no torn read\n" : "FAILED\n");
  return ok ? 0 : 1;
}
