// SafeFile and ThreadedSafeFile: each operation = encoding and format lookup, target resolution,
// lock, read and/or commit. Lookups happen before locking so an unsupported file fails fast and
// lock-free; the target is resolved once and every later step uses that resolution.
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "api/content_writer_state.hpp"
#include "api/file_core.hpp"

#include <atomicio/errors.hpp>

namespace atomicio {

SafeFile::SafeFile(std::filesystem::path path, Timeout timeout, FileOptions options)
    : core_(std::make_unique<detail::FileCore>(std::move(path), timeout, std::move(options))) {}
SafeFile::SafeFile(SafeFile&&) noexcept = default;
SafeFile& SafeFile::operator=(SafeFile&&) noexcept = default;
SafeFile::~SafeFile() = default;

std::optional<Value> SafeFile::read() const {
  detail::Encoding encoding = core_->encoding();
  auto format = core_->format(encoding);
  std::optional<detail::ResolvedTarget> target = core_->resolve_for_reading();
  if (!target) return std::nullopt;
  auto lock = core_->lock_for_reading(*target);
  return core_->read_value_unlocked(*target, encoding, *format);
}

void SafeFile::write(const Value& value) {
  detail::Encoding encoding = core_->encoding();
  auto format = core_->format(encoding);
  detail::ResolvedTarget target = core_->resolve_for_writing();
  FileLock lock = core_->lock(target, LockMode::exclusive);
  core_->commit_value_unlocked(std::move(target), encoding, *format, value);
}

void SafeFile::update(const Value& value) {
  detail::Encoding encoding = core_->encoding();
  auto format = core_->format(encoding);
  detail::ResolvedTarget target = core_->resolve_for_writing();
  FileLock lock = core_->lock(target, LockMode::exclusive);
  std::optional<Value> current = core_->read_value_unlocked(target, encoding, *format);
  if (!current) {
    core_->commit_value_unlocked(std::move(target), encoding, *format, value);
    return;
  }
  detail::merge_into(*current, value);
  core_->commit_value_unlocked(std::move(target), encoding, *format, *current);
}

std::optional<std::string> SafeFile::read_bytes() const {
  detail::Encoding encoding = core_->encoding();
  std::optional<detail::ResolvedTarget> target = core_->resolve_for_reading();
  if (!target) return std::nullopt;
  auto lock = core_->lock_for_reading(*target);
  return core_->read_content_unlocked(*target, encoding);
}

void SafeFile::write_bytes(std::string_view bytes) {
  detail::Encoding encoding = core_->encoding();
  detail::ResolvedTarget target = core_->resolve_for_writing();
  FileLock lock = core_->lock(target, LockMode::exclusive);
  core_->commit_unlocked(std::move(target), encoding, WriteMode::replace, [&](detail::ByteSink& out) { out.write(bytes); });
}

void SafeFile::append(std::string_view text) {
  detail::Encoding encoding = core_->encoding();
  std::optional<FileLock> lock;
  try {
    detail::ResolvedTarget target = core_->resolve_for_writing();
    lock.emplace(core_->lock(target, LockMode::exclusive));
    core_->commit_unlocked(std::move(target), encoding, WriteMode::append, [&](detail::ByteSink& out) { out.write(text); });
  } catch (const FileWriteError& error) {
    throw FileAppendError(error.operation(), error.path(), error.detail(), error.code());
  }
}

bool SafeFile::read_stream(const std::function<void(std::string_view piece)>& consumer) const {
  detail::Encoding encoding = core_->encoding();
  std::optional<detail::ResolvedTarget> target = core_->resolve_for_reading();
  if (!target) return false;
  auto lock = core_->lock_for_reading(*target);
  return core_->stream_content_unlocked(*target, encoding, consumer);
}

ContentWriter SafeFile::open_writer(WriteMode mode) {
  detail::Encoding encoding = core_->encoding();
  detail::ResolvedTarget target = core_->resolve_for_writing();
  FileLock lock = core_->lock(target, LockMode::exclusive);
  return ContentWriter(
      std::make_unique<detail::ContentWriterState>(std::move(lock), std::move(encoding), *core_, mode, std::move(target)));
}

const std::filesystem::path& SafeFile::path() const noexcept { return core_->path(); }

FileLock ThreadedSafeFile::locked(LockMode mode) const { return core().lock(core().resolve_for_locking(mode), mode); }

}  // namespace atomicio
