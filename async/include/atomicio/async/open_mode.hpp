// OpenMode: how an async file is opened, spelled as people know it from fopen() and Python's
// open(): "r", "w", "a", "x", each with an optional "+" (read and write) and "b" or "t"
// (accepted and ignored: bytes are bytes in C++).
//
//   "r"  read; the file must exist          "r+" read and write; must exist
//   "w"  write; created or truncated         "w+" read and write; created or truncated
//   "a"  append; created if missing          "a+" read and append; created if missing
//   "x"  write; created, must not exist      "x+" read and write; created, must not exist
#pragma once

#include <atomicio/async/export.hpp>

#include <string>
#include <string_view>

namespace atomicio {

struct ATOMICIO_ASYNC_EXPORT OpenMode {
  bool read = false;
  bool write = false;
  bool append = false;     ///< every write goes to the end, whatever its offset (O_APPEND)
  bool create = false;     ///< create when missing (O_CREAT)
  bool exclusive = false;  ///< fail when it exists (O_EXCL); implies create
  bool truncate = false;   ///< empty an existing file (O_TRUNC)

  /// Parses an fopen()-style mode string. Throws std::invalid_argument naming the mode.
  static OpenMode parse(std::string_view mode);
  static OpenMode read_only() { return parse("r"); }

  /// The open(2) flags, with O_CLOEXEC, O_NOCTTY and O_NONBLOCK (a FIFO or device never
  /// blocks the open; the reads and writes wait for it instead).
  int flags() const noexcept;
  /// The mode as parse() would take it ("r+", "a").
  std::string to_string() const;
};

}  // namespace atomicio
