// SafeFile and ThreadedSafeFile: each operation = encoding and format lookup, lock, read and/or
// commit. Lookups happen before locking so an unsupported file fails fast and lock-free.
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
  auto lock = core_->lock_for_reading();
  return core_->read_value_unlocked(encoding, *format);
}

void SafeFile::write(const Value& value) {
  detail::Encoding encoding = core_->encoding();
  auto format = core_->format(encoding);
  FileLock lock = core_->lock(LockMode::exclusive);
  core_->commit_value_unlocked(encoding, *format, value);
}

void SafeFile::update(const Value& value) {
  detail::Encoding encoding = core_->encoding();
  auto format = core_->format(encoding);
  FileLock lock = core_->lock(LockMode::exclusive);
  std::optional<Value> current = core_->read_value_unlocked(encoding, *format);
  if (!current) {
    core_->commit_value_unlocked(encoding, *format, value);
    return;
  }
  detail::merge_into(*current, value);
  core_->commit_value_unlocked(encoding, *format, *current);
}

std::optional<std::string> SafeFile::read_bytes() const {
  detail::Encoding encoding = core_->encoding();
  auto lock = core_->lock_for_reading();
  return core_->read_content_unlocked(encoding);
}

void SafeFile::write_bytes(std::string_view bytes) {
  detail::Encoding encoding = core_->encoding();
  FileLock lock = core_->lock(LockMode::exclusive);
  core_->commit_unlocked(encoding, WriteMode::replace, [&](detail::ByteSink& out) { out.write(bytes); });
}

void SafeFile::append(std::string_view text) {
  detail::Encoding encoding = core_->encoding();
  FileLock lock = core_->lock(LockMode::exclusive);
  try {
    core_->commit_unlocked(encoding, WriteMode::append, [&](detail::ByteSink& out) { out.write(text); });
  } catch (const FileWriteError& error) {
    throw FileAppendError(error.operation(), error.path(), error.detail(), error.code());
  }
}

bool SafeFile::read_stream(const std::function<void(std::string_view piece)>& consumer) const {
  detail::Encoding encoding = core_->encoding();
  auto lock = core_->lock_for_reading();
  return core_->stream_content_unlocked(encoding, consumer);
}

ContentWriter SafeFile::open_writer(WriteMode mode) {
  detail::Encoding encoding = core_->encoding();
  FileLock lock = core_->lock(LockMode::exclusive);
  return ContentWriter(std::make_unique<detail::ContentWriterState>(std::move(lock), std::move(encoding), *core_, mode));
}

const std::filesystem::path& SafeFile::path() const noexcept { return core_->path(); }

FileLock ThreadedSafeFile::locked(LockMode mode) const { return core().lock(mode); }

}  // namespace atomicio
