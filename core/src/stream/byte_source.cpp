// The plain byte sources: a file descriptor and memory.
#include "stream/byte_source.hpp"

#include "posix/file_system.hpp"
#include "posix/os_error.hpp"

#include <atomicio/errors.hpp>

#include <cerrno>
#include <cstring>

namespace atomicio::detail {

std::size_t FdSource::read(char* buffer, std::size_t capacity) {
  for (;;) {
    ssize_t n = file_system().read(fd_, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw FileReadError("read", file_, "", os_error());
  }
}

std::size_t MemorySource::read(char* buffer, std::size_t capacity) {
  std::size_t n = capacity < bytes_.size() ? capacity : bytes_.size();
  if (n > 0) std::memcpy(buffer, bytes_.data(), n);
  bytes_.remove_prefix(n);
  return n;
}

std::string read_all(ByteSource& source) {
  std::string content;
  std::size_t filled = 0;
  for (;;) {
    if (content.size() - filled < 64 * 1024) content.resize(content.size() < 64 * 1024 ? 128 * 1024 : content.size() * 2);
    std::size_t n = source.read(content.data() + filled, content.size() - filled);
    if (n == 0) break;
    filled += n;
  }
  content.resize(filled);
  return content;
}

}  // namespace atomicio::detail
