// SafeFile and ThreadedSafeFile: each operation = format lookup, lock, read and/or commit.
// The format is looked up before locking so an unsupported file fails fast and lock-free.
#include <atomicio/safe_file.hpp>
#include <atomicio/threaded_safe_file.hpp>

#include "api/file_core.hpp"

#include <atomicio/errors.hpp>

namespace atomicio {

SafeFile::SafeFile(std::filesystem::path path, Timeout timeout, FileOptions options)
    : core_(std::make_unique<detail::FileCore>(std::move(path), timeout, std::move(options))) {}
SafeFile::SafeFile(SafeFile&&) noexcept = default;
SafeFile& SafeFile::operator=(SafeFile&&) noexcept = default;
SafeFile::~SafeFile() = default;

std::optional<Value> SafeFile::read() const {
  auto format = core_->format();
  auto lock = core_->lock_for_reading();
  return core_->read_value_unlocked(*format);
}

void SafeFile::write(const Value& value) {
  auto format = core_->format();
  FileLock lock = core_->lock(LockMode::exclusive);
  core_->commit_value_unlocked(*format, value);
}

void SafeFile::update(const Value& value) {
  auto format = core_->format();
  FileLock lock = core_->lock(LockMode::exclusive);
  std::optional<Value> current = core_->read_value_unlocked(*format);
  if (!current) {
    core_->commit_value_unlocked(*format, value);
    return;
  }
  detail::merge_into(*current, value);
  core_->commit_value_unlocked(*format, *current);
}

std::optional<std::string> SafeFile::read_bytes() const {
  auto lock = core_->lock_for_reading();
  return core_->read_bytes_unlocked();
}

void SafeFile::write_bytes(std::string_view bytes) {
  FileLock lock = core_->lock(LockMode::exclusive);
  AtomicWriter writer(core_->path(), CommitOptions{core_->durability(), WriteMode::replace});
  writer.write(bytes);
  writer.commit();
}

void SafeFile::append(std::string_view text) {
  FileLock lock = core_->lock(LockMode::exclusive);
  try {
    AtomicWriter writer(core_->path(), CommitOptions{core_->durability(), WriteMode::append});
    writer.write(text);
    writer.commit();
  } catch (const FileWriteError& error) {
    throw FileAppendError(error.operation(), error.path(), error.detail(), error.code());
  }
}

const std::filesystem::path& SafeFile::path() const noexcept { return core_->path(); }

FileLock ThreadedSafeFile::locked(LockMode mode) const { return core().lock(mode); }

}  // namespace atomicio
