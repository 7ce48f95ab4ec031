// Owner records: writing, parsing, and the liveness check behind stale-lock recovery.
#include "owner_record.hpp"

#include <atomicio/sdk/errors.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <mutex>
#include <random>

namespace atomicio::lockfile {

namespace {

constexpr std::string_view kMagic = "atomicio-lockfile 1";

// A small /proc file, without its trailing newline; empty when unreadable.
std::string read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buffer[512];
  ssize_t n;
  do {
    n = ::read(fd, buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return {};
  std::string text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct HostIdentity {
  std::string host;
  std::string boot_id;
  std::string pid_namespace;
};

const HostIdentity& this_host() {
  static const HostIdentity identity = [] {
    HostIdentity result;
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) result.host = name;
    result.boot_id = read_small_file("/proc/sys/kernel/random/boot_id");
    char link[128] = {};
    ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
    if (n > 0) result.pid_namespace.assign(link, static_cast<std::size_t>(n));
    return result;
  }();
  return identity;
}

struct ProcessStat {
  char state = '?';
  std::uint64_t start_ticks = 0;
};

// From /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may itself hold spaces and
// parentheses, so fields are counted from the last ')'. starttime is field 22.
std::optional<ProcessStat> stat_of(pid_t pid) {
  std::string text = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= text.size()) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(close_paren + 2);
  ProcessStat result;
  result.state = rest.front();
  int field = 3;
  std::size_t position = 0;
  while (field < 22) {
    position = rest.find(' ', position);
    if (position == std::string_view::npos) return std::nullopt;
    ++position;
    ++field;
  }
  auto end = rest.find(' ', position);
  std::string_view start = rest.substr(position, end == std::string_view::npos ? rest.npos : end - position);
  if (std::from_chars(start.data(), start.data() + start.size(), result.start_ticks).ec != std::errc()) return std::nullopt;
  return result;
}

std::uint64_t own_start_ticks() {
  // Cached per pid: a forked child is another process with its own start time.
  static std::mutex mutex;
  static pid_t cached_pid = 0;
  static std::uint64_t cached_ticks = 0;
  std::lock_guard held(mutex);
  if (cached_pid != ::getpid()) {
    auto stat = stat_of(::getpid());
    cached_ticks = stat ? stat->start_ticks : 0;
    cached_pid = ::getpid();
  }
  return cached_ticks;
}

std::string random_nonce() {
  unsigned char bytes[16];
  ssize_t got = ::getrandom(bytes, sizeof bytes, 0);
  if (got != static_cast<ssize_t>(sizeof bytes)) {
    std::random_device device;  // getrandom is missing (old kernel, seccomp): still unpredictable
    for (auto& byte : bytes) byte = static_cast<unsigned char>(device());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (unsigned char byte : bytes) {
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
  }
  return text;
}

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string OwnerRecord::serialize() const {
  std::string text(kMagic);
  text += "\npid " + std::to_string(pid);
  text += "\nhost " + host;
  text += "\nboot " + boot_id;
  text += "\npidns " + pid_namespace;
  text += "\nstart " + std::to_string(start_ticks);
  text += "\ntime " + std::to_string(lock_time);
  text += "\nnonce " + nonce;
  text += "\nend\n";
  return text;
}

std::optional<OwnerRecord> OwnerRecord::parse(std::string_view text) {
  if (text.substr(0, kMagic.size()) != kMagic || text.substr(kMagic.size(), 1) != "\n") return std::nullopt;
  OwnerRecord record;
  bool ended = false;
  std::size_t position = kMagic.size();
  while (position < text.size() && !ended) {
    if (text[position] == '\n') ++position;
    std::size_t end = text.find('\n', position);
    if (end == std::string_view::npos) return std::nullopt;  // cut off: no complete line
    std::string_view line = text.substr(position, end - position);
    position = end;
    std::size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    bool ok = true;
    if (key == "end") ended = true;
    else if (key == "pid") ok = parse_number(value, record.pid) && record.pid > 0;
    else if (key == "host") record.host = value;
    else if (key == "boot") record.boot_id = value;
    else if (key == "pidns") record.pid_namespace = value;
    else if (key == "start") ok = parse_number(value, record.start_ticks);
    else if (key == "time") ok = parse_number(value, record.lock_time);
    else if (key == "nonce") record.nonce = value;
    if (!ok) return std::nullopt;
  }
  if (!ended || record.pid == 0 || record.nonce.empty()) return std::nullopt;
  return record;
}

OwnerRecord describe_this_process() {
  OwnerRecord record;
  record.pid = ::getpid();
  record.host = this_host().host;
  record.boot_id = this_host().boot_id;
  record.pid_namespace = this_host().pid_namespace;
  record.start_ticks = own_start_ticks();
  record.lock_time = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  record.nonce = random_nonce();
  return record;
}

Liveness liveness_of(const OwnerRecord& owner) {
  const HostIdentity& here = this_host();
  // Every part of "this host" must be known and equal; otherwise the pid means nothing here.
  if (here.host.empty() || here.boot_id.empty() || here.pid_namespace.empty() || owner.host != here.host ||
      owner.boot_id != here.boot_id || owner.pid_namespace != here.pid_namespace || owner.start_ticks == 0)
    return Liveness::unknown;
  if (::kill(owner.pid, 0) != 0 && errno == ESRCH) return Liveness::dead;
  auto stat = stat_of(owner.pid);
  // The process exists but /proc hides it (hidepid=): its start time cannot be compared.
  if (!stat) return Liveness::unknown;
  // A zombie has exited; only its parent has not collected it yet.
  if (stat->state == 'Z' || stat->state == 'X') return Liveness::dead;
  // Same pid, other start time: the pid was recycled for an unrelated process.
  if (stat->start_ticks != owner.start_ticks) return Liveness::dead;
  return Liveness::alive;
}

}  // namespace atomicio::lockfile
