// The one exception hierarchy of the public API. Every error names the operation, the path it
// concerns and, where the operating system was involved, carries its std::error_code, so a
// message reads like: write '/d/a.json': No space left on device.
//
//   AtomicIOError
//   ├── FileOperationError ── FileReadError, FileWriteError, FileAppendError
//   ├── LockError ─────────── LockTimeoutError, AlreadyLockedError, LockFailedError
//   ├── PluginError ───────── PluginNotInstalledError, PluginLoadError
//   └── UnsupportedFormatError
//
// Catch the leaf you can act on; catch AtomicIOError to report anything else.
// Thread-safety: exception objects are immutable after construction.
#pragma once

#include <atomicio/export.hpp>
#include <atomicio/lock_mode.hpp>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace atomicio {

/// Base of every error the library throws.
class ATOMICIO_EXPORT AtomicIOError : public std::runtime_error {
 public:
  /// `operation` is a short verb phrase ("read", "rename", "load plugin"); `detail` is the cause
  /// in words; `code` is set when the OS reported the failure.
  AtomicIOError(std::string operation, std::filesystem::path path, std::string detail,
                std::error_code code = {});
  ~AtomicIOError() override;

  const std::string& operation() const noexcept { return operation_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  /// The cause without operation and path.
  const std::string& detail() const noexcept { return detail_; }
  /// The OS error, or an empty code when the OS was not involved.
  std::error_code code() const noexcept { return code_; }

 private:
  std::string operation_;
  std::filesystem::path path_;
  std::string detail_;
  std::error_code code_;
};

/// Reading, writing or appending failed. The target file is unchanged and no temporary file is
/// left behind.
class ATOMICIO_EXPORT FileOperationError : public AtomicIOError {
 public:
  using AtomicIOError::AtomicIOError;
  ~FileOperationError() override;
};

/// The file could not be read or its content could not be parsed. For parse errors, line and
/// column (from 1) or the byte offset are given where the parser knows them, else -1.
class ATOMICIO_EXPORT FileReadError : public FileOperationError {
 public:
  FileReadError(std::string operation, std::filesystem::path path, std::string detail,
                std::error_code code = {}, long long line = -1, long long column = -1,
                long long byte_offset = -1);
  ~FileReadError() override;
  long long line() const noexcept { return line_; }
  long long column() const noexcept { return column_; }
  long long byte_offset() const noexcept { return byte_offset_; }

 private:
  long long line_;
  long long column_;
  long long byte_offset_;
};

/// A write (or update) was not committed: the old file, if any, is intact.
class ATOMICIO_EXPORT FileWriteError : public FileOperationError {
 public:
  using FileOperationError::FileOperationError;
  ~FileWriteError() override;
};

/// An append was not committed: the old file, if any, is intact.
class ATOMICIO_EXPORT FileAppendError : public FileOperationError {
 public:
  using FileOperationError::FileOperationError;
  ~FileAppendError() override;
};

/// The file's lock could not be taken. Carries the timeout that was in force, the mode asked
/// for and the backend guarding the file.
class ATOMICIO_EXPORT LockError : public AtomicIOError {
 public:
  LockError(std::string operation, std::filesystem::path path, std::string detail,
            std::chrono::nanoseconds timeout, std::error_code code = {},
            LockMode mode = LockMode::exclusive, std::string backend = {});
  ~LockError() override;
  /// Negative: wait forever; zero: do not wait.
  std::chrono::nanoseconds timeout() const noexcept { return timeout_; }
  LockMode mode() const noexcept { return mode_; }
  /// The lock backend's name ("ofd", "flock", ...), or empty when none was chosen yet.
  const std::string& backend() const noexcept { return backend_; }

 private:
  std::chrono::nanoseconds timeout_;
  LockMode mode_;
  std::string backend_;
};

/// The lock stayed held by someone else for the whole timeout.
class ATOMICIO_EXPORT LockTimeoutError : public LockError {
 public:
  using LockError::LockError;
  ~LockTimeoutError() override;
};

/// A non-blocking acquisition found the lock held.
class ATOMICIO_EXPORT AlreadyLockedError : public LockError {
 public:
  using LockError::LockError;
  ~AlreadyLockedError() override;
};

/// Locking itself failed: an OS error on the sidecar lock file, or a request that would
/// deadlock (such as upgrading a shared lock this thread holds to exclusive).
class ATOMICIO_EXPORT LockFailedError : public LockError {
 public:
  using LockError::LockError;
  ~LockFailedError() override;
};

/// A plugin could not be used. `path()` is the manifest or library concerned, or the data
/// file that needed the plugin.
class ATOMICIO_EXPORT PluginError : public AtomicIOError {
 public:
  PluginError(std::string operation, std::filesystem::path path, std::string detail,
              std::string plugin_id, std::error_code code = {});
  ~PluginError() override;
  const std::string& plugin_id() const noexcept { return plugin_id_; }

 private:
  std::string plugin_id_;
};

/// No installed plugin provides what was asked by name: a lock backend, or a plugin id given to
/// PluginHost::preload. (A file whose format or codec no plugin handles is an
/// UnsupportedFormatError.) The message lists the directories searched, rejected candidates
/// with their reasons, and an install hint.
class ATOMICIO_EXPORT PluginNotInstalledError : public PluginError {
 public:
  using PluginError::PluginError;
  ~PluginNotInstalledError() override;
};

/// A plugin was found but could not be loaded or used: a missing dependency (with the dynamic
/// loader's own text), a missing entry symbol, or a handshake that contradicts its manifest.
class ATOMICIO_EXPORT PluginLoadError : public PluginError {
 public:
  using PluginError::PluginError;
  ~PluginLoadError() override;
};

/// No registered format or installed format plugin handles the file's extension, or no codec
/// plugin its compression suffix; this is also what a missing format or codec plugin gives.
/// The message names the first-party plugin that would (when there is one), unusable candidates
/// with their reasons, and the directories searched.
class ATOMICIO_EXPORT UnsupportedFormatError : public AtomicIOError {
 public:
  using AtomicIOError::AtomicIOError;
  ~UnsupportedFormatError() override;
};

}  // namespace atomicio
