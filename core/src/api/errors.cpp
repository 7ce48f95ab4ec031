// Message composition for the error hierarchy: "<operation> '<path>': <detail>[: <OS text>]".
#include <atomicio/errors.hpp>

namespace atomicio {

namespace {

std::string compose(const std::string& operation, const std::filesystem::path& path,
                    const std::string& detail, std::error_code code) {
  std::string message = operation;
  if (!path.empty()) message += " '" + path.string() + "'";
  if (!detail.empty()) message += ": " + detail;
  if (code) message += ": " + code.message();
  return message;
}

}  // namespace

AtomicIOError::AtomicIOError(std::string operation, std::filesystem::path path, std::string detail,
                             std::error_code code)
    : std::runtime_error(compose(operation, path, detail, code)),
      operation_(std::move(operation)),
      path_(std::move(path)),
      detail_(std::move(detail)),
      code_(code) {}
AtomicIOError::~AtomicIOError() = default;

FileOperationError::~FileOperationError() = default;

FileReadError::FileReadError(std::string operation, std::filesystem::path path, std::string detail,
                             std::error_code code, long long line, long long column,
                             long long byte_offset)
    : FileOperationError(std::move(operation), std::move(path), std::move(detail), code),
      line_(line),
      column_(column),
      byte_offset_(byte_offset) {}
FileReadError::~FileReadError() = default;
FileWriteError::~FileWriteError() = default;
FileAppendError::~FileAppendError() = default;

LockError::LockError(std::string operation, std::filesystem::path path, std::string detail,
                     std::chrono::nanoseconds timeout, std::error_code code, LockMode mode, std::string backend)
    : AtomicIOError(std::move(operation), std::move(path), std::move(detail), code),
      timeout_(timeout),
      mode_(mode),
      backend_(std::move(backend)) {}
LockError::~LockError() = default;
LockTimeoutError::~LockTimeoutError() = default;
AlreadyLockedError::~AlreadyLockedError() = default;
LockFailedError::~LockFailedError() = default;

PluginError::PluginError(std::string operation, std::filesystem::path path, std::string detail,
                         std::string plugin_id, std::error_code code)
    : AtomicIOError(std::move(operation), std::move(path), std::move(detail), code),
      plugin_id_(std::move(plugin_id)) {}
PluginError::~PluginError() = default;
PluginNotInstalledError::~PluginNotInstalledError() = default;
PluginLoadError::~PluginLoadError() = default;
UnsupportedFormatError::~UnsupportedFormatError() = default;

}  // namespace atomicio
