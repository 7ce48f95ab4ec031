// The tool's own stdin and stdout as byte streams, with errors that say which stream failed
// (so `atomicio cat a.json > /dev/full` exits 1 instead of claiming success).
#pragma once

#include <string>
#include <string_view>

namespace atomicio::cli {

/// Opens /dev/null on any of fds 0, 1 and 2 that is closed, so that files and pipes the tool
/// opens later never land on them. Call first thing in main(). Never throws.
void ensure_standard_fds_open() noexcept;

/// Everything on stdin up to end of file. Throws std::system_error naming "stdin".
std::string read_all_stdin();

/// Writes all of `bytes` to stdout. Throws std::system_error naming "stdout".
void write_stdout(std::string_view bytes);

}  // namespace atomicio::cli
