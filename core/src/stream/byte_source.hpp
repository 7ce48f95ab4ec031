// Where bytes to be read come from: an open file, memory, or a decoder in front of either.
// Pull-based so that a chain of decoders runs with bounded buffers whatever the file size.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
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

/// Drains `source` into a string. Memory: the content plus one piece of at most 16 MiB (not a
/// doubling buffer, which holds 1.5x its content while it moves and may end up twice as big).
std::string read_all(ByteSource& source);

/// Drains `source` into a string of at most `limit` bytes; one byte more is a FileReadError
/// naming `file` and the limit, thrown having held no more than limit + 1 bytes of content.
/// `size_hint` is the expected size (a regular file's st_size; 0 when unknown).
std::string read_all(ByteSource& source, std::uint64_t limit, const std::filesystem::path& file,
                     std::uint64_t size_hint = 0);

/// The whole content of the open file `fd`, whose fstat the caller has in `info`, at most
/// `limit` bytes (FileOptions::max_decoded_size): a regular file larger than that is refused
/// before anything is read, anything else (a device, a file growing meanwhile) once it has
/// passed the limit. Throws FileReadError naming `file`.
std::string read_file(int fd, const struct stat& info, const std::filesystem::path& file, std::uint64_t limit);

}  // namespace atomicio::detail
