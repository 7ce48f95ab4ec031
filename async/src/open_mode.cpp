// OpenMode parsing: the fopen() table, nothing more.
#include <atomicio/async/open_mode.hpp>

#include <fcntl.h>

#include <stdexcept>

namespace atomicio {

OpenMode OpenMode::parse(std::string_view text) {
  OpenMode mode;
  bool seen_base = false;
  bool seen_plus = false;
  bool seen_kind = false;
  auto invalid = [&] {
    return std::invalid_argument("invalid open mode '" + std::string(text) +
                                 "': expected one of r, w, a, x, optionally with + and b or t");
  };
  for (char c : text) {
    switch (c) {
      case 'r': case 'w': case 'a': case 'x':
        if (seen_base) throw invalid();
        seen_base = true;
        mode.read = c == 'r';
        mode.write = c != 'r';
        mode.append = c == 'a';
        mode.create = c != 'r';
        mode.exclusive = c == 'x';
        mode.truncate = c == 'w';
        break;
      case '+':
        if (seen_plus) throw invalid();
        seen_plus = true;
        break;
      case 'b': case 't':
        if (seen_kind) throw invalid();
        seen_kind = true;
        break;
      default:
        throw invalid();
    }
  }
  if (!seen_base) throw invalid();
  if (seen_plus) mode.read = mode.write = true;
  return mode;
}

int OpenMode::flags() const noexcept {
  int flags = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (read && write) flags |= O_RDWR;
  else if (write) flags |= O_WRONLY;
  else flags |= O_RDONLY;
  if (append) flags |= O_APPEND;
  if (create || exclusive) flags |= O_CREAT;
  if (exclusive) flags |= O_EXCL;
  if (truncate) flags |= O_TRUNC;
  return flags;
}

std::string OpenMode::to_string() const {
  std::string text(1, exclusive ? 'x' : append ? 'a' : truncate ? 'w' : !write ? 'r' : (create ? 'w' : 'r'));
  bool plus = read && write;
  if (plus) text += '+';
  return text;
}

}  // namespace atomicio
