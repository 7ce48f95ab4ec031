// Where bytes to be read come from: an open file, memory, or a decoder in front of either.
// Pull-based so that a chain of decoders runs with bounded buffers whatever the file size.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace atomicio::detail {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Up to `capacity` next bytes into `buffer`; 0 only at the end. Throws FileReadError.
  virtual std::size_t read(char* buffer, std::size_t capacity) = 0;
};

/// An open file descriptor (not owned), read to its end. EINTR is retried.
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, const std::filesystem::path& file) noexcept : fd_(fd), file_(file) {}
  std::size_t read(char* buffer, std::size_t capacity) override;

 private:
  int fd_;
  const std::filesystem::path& file_;
};

/// Bytes already in memory.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) noexcept : bytes_(bytes) {}
  std::size_t read(char* buffer, std::size_t capacity) override;

 private:
  std::string_view bytes_;
};

/// Drains `source` into a string.
std::string read_all(ByteSource& source);

}  // namespace atomicio::detail
