// FileCore: what every file-class operation is made of.
#include "api/file_core.hpp"

#include "posix/file_system.hpp"
#include "posix/os_error.hpp"
#include "posix/unique_fd.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>

#include <fcntl.h>
#include <sys/stat.h>

namespace atomicio::detail {

FileCore::FileCore(std::filesystem::path path, Timeout timeout, FileOptions options)
    : path_(std::move(path)), timeout_(timeout), options_(std::move(options)) {}

PluginHost& FileCore::plugins() const {
  return options_.plugins != nullptr ? *options_.plugins : PluginHost::global();
}

FileLock FileCore::lock(LockMode mode) const {
  // Resolved once per file object: backend selection and path resolution are not free, and a
  // file object must keep using the backend it started with.
  std::call_once(entry_once_, [&] {
    entry_ = LockTable::instance().entry_for(path_, resolve_lock_backend(options_.lock_backend, plugins()));
  });
  return FileLock(claim(entry_, mode, timeout_));
}

std::optional<FileLock> FileCore::lock_for_reading() const {
  try {
    return lock(LockMode::shared);
  } catch (const LockFailedError& error) {
    const std::error_code code = error.code();
    if (code == std::errc::no_such_file_or_directory || code == std::errc::permission_denied ||
        code == std::errc::read_only_file_system)
      return std::nullopt;
    throw;
  }
}

std::optional<std::string> FileCore::read_bytes_unlocked() const {
  FileSystem& fs = file_system();
  UniqueFd fd(fs.open_at(AT_FDCWD, path_.c_str(), O_RDONLY | O_CLOEXEC, 0));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::nullopt;
    throw FileReadError("open", path_, "", os_error());
  }
  struct stat info {};
  if (fs.fstat(fd.get(), &info) != 0) throw FileReadError("stat", path_, "", os_error());
  if (S_ISDIR(info.st_mode)) throw FileReadError("read", path_, "the path is a directory", os_error(EISDIR));
  std::string content;
  content.resize(static_cast<std::size_t>(info.st_size > 0 ? info.st_size : 0));
  std::size_t filled = 0;
  for (;;) {
    if (filled == content.size()) content.resize(content.size() + 64 * 1024);  // grew since fstat
    ssize_t n = fs.read(fd.get(), content.data() + filled, content.size() - filled);
    if (n < 0) throw FileReadError("read", path_, "", os_error());
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  content.resize(filled);
  return content;
}

std::shared_ptr<const Format> FileCore::format() const { return find_format(path_, plugins()); }

std::optional<Value> FileCore::read_value_unlocked(const Format& format) const {
  std::optional<std::string> bytes = read_bytes_unlocked();
  if (!bytes) return std::nullopt;
  return format.parse(*bytes, path_);
}

void FileCore::commit_value_unlocked(const Format& format, const Value& value) const {
  AtomicWriter writer(path_, CommitOptions{options_.durability, WriteMode::replace});
  WriterSink sink(writer);
  format.dump(value, sink, path_);  // a throw here rolls the writer back
  writer.commit();
}

void merge_into(Value& target, const Value& update) {
  if (target.is_object() && update.is_object()) {
    for (const auto& [key, value] : update.items()) {
      auto existing = target.find(key);
      if (existing == target.end()) target[key] = value;
      else merge_into(*existing, value);
    }
  } else if (target.is_array() && update.is_array()) {
    for (const auto& element : update) target.push_back(element);
  } else {
    target = update;
  }
}

}  // namespace atomicio::detail
