// FileCore: what every file-class operation is made of.
#include "api/file_core.hpp"

#include "codec/codec_pipeline.hpp"
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

ResolvedTarget FileCore::resolve_for_writing() const {
  Resolution resolution = resolve_target(path_);
  if (!resolution.ok()) throw FileWriteError("resolve", path_, resolution.problem, os_error(resolution.error));
  if (!resolution.target.is_regular_or_missing()) {
    const FileTypeRefusal refusal = refuse_file_type(resolution.target.existing_type, "replaces");
    throw FileWriteError("write", path_, refusal.detail, os_error(refusal.error));
  }
  return std::move(resolution.target);
}

std::optional<ResolvedTarget> FileCore::resolve_for_reading() const {
  Resolution resolution = resolve_target(path_);
  if (resolution.error == ENOENT) return std::nullopt;
  if (!resolution.ok()) throw FileReadError("resolve", path_, resolution.problem, os_error(resolution.error));
  // Refused before anything opens it: opening a device can have effects of its own (a tape
  // rewinds), and a FIFO would block until a writer comes.
  if (!resolution.target.is_regular_or_missing()) {
    const FileTypeRefusal refusal = refuse_file_type(resolution.target.existing_type, "reads");
    throw FileReadError("read", path_, refusal.detail, os_error(refusal.error));
  }
  return std::move(resolution.target);
}

ResolvedTarget FileCore::resolve_for_locking(LockMode mode) const {
  Resolution resolution = resolve_target(path_);
  if (!resolution.ok())
    throw LockFailedError("resolve", path_, resolution.problem, timeout_.limit(), os_error(resolution.error), mode);
  return std::move(resolution.target);
}

FileLock FileCore::lock(const ResolvedTarget& target, LockMode mode) const {
  // The backend is chosen once per file object: selection is not free, and a file object must
  // keep using the backend it started with.
  std::call_once(backend_once_, [&] {
    backend_ = resolve_lock_backend(options_.lock_backend, plugins());
    backend_.stale_after = options_.lock_stale_after;
  });
  // The entry follows the file this operation resolved. The file object keeps the last one, so
  // its sidecar stays open between operations instead of being reopened for every lock, as it
  // was before targets were resolved per operation.
  const std::filesystem::path identity = target.full();
  std::shared_ptr<LockEntry> entry;
  {
    std::lock_guard held(last_entry_mutex_);
    if (last_entry_ && last_entry_->target == identity) entry = last_entry_;
  }
  if (!entry) {
    entry = LockTable::instance().entry_for(identity, target.sidecar_path(), backend_);
    std::lock_guard held(last_entry_mutex_);
    last_entry_ = entry;
  }
  return FileLock(claim(std::move(entry), mode, timeout_));
}

std::optional<FileLock> FileCore::lock_for_reading(const ResolvedTarget& target) const {
  if (!LockTable::instance().find(target.full())) {
    struct stat sidecar {};
    if (file_system().fstat_at(target.directory_fd.get(), target.sidecar().c_str(), &sidecar, AT_SYMLINK_NOFOLLOW) != 0 &&
        errno == ENOENT)
      return std::nullopt;
  }
  try {
    return lock(target, LockMode::shared);
  } catch (const LockFailedError& error) {
    const std::error_code code = error.code();
    if (code == std::errc::no_such_file_or_directory || code == std::errc::permission_denied ||
        code == std::errc::read_only_file_system)
      return std::nullopt;
    throw;
  }
}

namespace {

// The open file, or an invalid descriptor when it does not exist; its fstat in `info`. Throws
// FileReadError.
UniqueFd open_for_reading(const ResolvedTarget& target, const std::filesystem::path& path, struct stat& info) {
  FileSystem& fs = file_system();
  // O_NOFOLLOW: the name was no symlink at resolution; one planted since is refused, not
  // followed. O_NONBLOCK: a FIFO put there since must not block the open; fstat refuses it.
  UniqueFd fd(fs.open_at(target.directory_fd.get(), target.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0));
  if (!fd.valid()) {
    if (errno == ENOENT) return fd;
    throw FileReadError("open", path, "", os_error());
  }
  if (fs.fstat(fd.get(), &info) != 0) throw FileReadError("stat", path, "", os_error());
  if (!S_ISREG(info.st_mode)) {
    const FileTypeRefusal refusal = refuse_file_type(info.st_mode, "reads");
    throw FileReadError("read", path, refusal.detail, os_error(refusal.error));
  }
  return fd;
}

}  // namespace

Encoding FileCore::encoding() const {
  if (options_.compression == Compression::none) return Encoding{{}, path_.filename().string()};
  return find_encoding(path_, plugins());
}

std::shared_ptr<const Format> FileCore::format(const Encoding& encoding) const {
  return find_format(path_, plugins(), encoding.inner_name);
}

std::optional<std::string> FileCore::read_stored_unlocked(const ResolvedTarget& target) const {
  struct stat info {};
  UniqueFd fd = open_for_reading(target, path_, info);
  if (!fd.valid()) return std::nullopt;
  return read_file(fd.get(), info, path_, options_.max_decoded_size);
}

std::optional<std::string> FileCore::read_content_unlocked(const ResolvedTarget& target, const Encoding& encoding) const {
  if (encoding.codecs.empty()) return read_stored_unlocked(target);
  struct stat info {};
  UniqueFd fd = open_for_reading(target, path_, info);
  if (!fd.valid()) return std::nullopt;
  FdSource source(fd.get(), path_);
  DecodingPipeline pipeline(encoding, source, options_.max_decoded_size, path_);
  return read_all(pipeline.plaintext(), options_.max_decoded_size, path_);
}

bool FileCore::stream_content_unlocked(const ResolvedTarget& target, const Encoding& encoding,
                                       const std::function<void(std::string_view)>& consumer) const {
  struct stat info {};
  UniqueFd fd = open_for_reading(target, path_, info);
  if (!fd.valid()) return false;
  FdSource file_bytes(fd.get(), path_);
  DecodingPipeline pipeline(encoding, file_bytes, UINT64_MAX, path_);
  std::string buffer(64 * 1024, '\0');
  while (std::size_t n = pipeline.plaintext().read(buffer.data(), buffer.size())) consumer(std::string_view(buffer.data(), n));
  return true;
}

std::optional<Value> FileCore::read_value_unlocked(const ResolvedTarget& target, const Encoding& encoding,
                                                    const Format& format) const {
  std::optional<std::string> bytes = read_content_unlocked(target, encoding);
  if (!bytes) return std::nullopt;
  return format.parse(*bytes, path_);
}

void FileCore::commit_unlocked(ResolvedTarget&& target, const Encoding& encoding, WriteMode mode,
                               const std::function<void(ByteSink&)>& produce) const {
  AtomicWriter writer(path_, std::move(target), CommitOptions{options_.durability, mode});
  WriterSink file_bytes(writer);
  EncodingPipeline pipeline(encoding, options_.compression_level, file_bytes, path_);
  produce(pipeline.plaintext());  // a throw here rolls the writer back
  pipeline.finish();
  writer.commit();
}

void FileCore::commit_value_unlocked(ResolvedTarget&& target, const Encoding& encoding, const Format& format,
                                     const Value& value) const {
  commit_unlocked(std::move(target), encoding, WriteMode::replace, [&](ByteSink& out) { format.dump(value, out, path_); });
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
