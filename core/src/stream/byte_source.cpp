// The plain byte sources (a file descriptor, memory) and reading one to its end within a size limit.
#include "stream/byte_source.hpp"

#include "posix/file_system.hpp"
#include "posix/os_error.hpp"

#include <atomicio/errors.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

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

namespace {

constexpr std::size_t kFirstPiece = 64 * 1024;
constexpr std::size_t kLargestPiece = 16 << 20;

std::string limit_exceeded(std::uint64_t limit) {
  return "the content exceeds the limit of " + std::to_string(limit) +
         " bytes for a whole-value read (FileOptions::max_decoded_size)";
}

// Fills pieces one after another until the end of `source` or until `cap` bytes are in, then
// joins them. Pieces grow with the total (to 16 MiB), so there are few of them; the join moves
// one piece at a time into a buffer reserved (not yet touched) for the total and frees it.
std::string drain(ByteSource& source, std::uint64_t cap, std::uint64_t size_hint) {
  std::vector<std::string> pieces;
  std::uint64_t total = 0;
  bool ended = false;
  while (!ended && total < cap) {
    std::uint64_t size = pieces.empty() ? (size_hint > 0 ? size_hint + 1 : kFirstPiece)
                                        : std::clamp<std::uint64_t>(total, kFirstPiece, kLargestPiece);
    std::string piece(static_cast<std::size_t>(std::min(size, cap - total)), '\0');
    std::size_t filled = 0;
    while (filled < piece.size()) {
      std::size_t n = source.read(piece.data() + filled, piece.size() - filled);
      if (n == 0) {
        ended = true;
        break;
      }
      filled += n;
    }
    piece.resize(filled);
    total += filled;
    pieces.push_back(std::move(piece));
  }
  if (pieces.size() == 1) return std::move(pieces.front());
  std::string content;
  content.reserve(static_cast<std::size_t>(total));
  for (std::string& piece : pieces) {
    content += piece;
    std::string().swap(piece);
  }
  return content;
}

}  // namespace

std::string read_all(ByteSource& source) { return drain(source, UINT64_MAX, 0); }

std::string read_all(ByteSource& source, std::uint64_t limit, const std::filesystem::path& file,
                     std::uint64_t size_hint) {
  // One byte past the limit is enough to know the content is too large.
  const std::uint64_t cap = limit < UINT64_MAX ? limit + 1 : limit;
  std::string content = drain(source, cap, std::min(size_hint, limit));
  if (content.size() > limit) throw FileReadError("read", file, limit_exceeded(limit));
  return content;
}

std::string read_file(int fd, const struct stat& info, const std::filesystem::path& file, std::uint64_t limit) {
  const std::uint64_t size = S_ISREG(info.st_mode) && info.st_size > 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
  if (size > limit)
    throw FileReadError("read", file, "the file is " + std::to_string(size) + " bytes; " + limit_exceeded(limit));
  FdSource source(fd, file);
  return read_all(source, limit, file, size);
}

}  // namespace atomicio::detail
