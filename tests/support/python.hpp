// Asking Debian's Python what it makes of a file: the interoperability tests use its json,
// tomllib, csv, xml.etree and PyYAML as the independent implementation to agree with.
#pragma once

#include <atomicio/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace atomicio::test {

/// Runs `python3 -c script args...` with `input` on its stdin and returns its stdout. The test
/// fails, showing Python's stderr, unless the script exits 0.
std::string run_python(const std::string& script, const std::vector<std::string>& args, std::string_view input = {});

/// run_python() for a script that prints JSON: its stdout parsed, key order kept.
Value python_json(const std::string& script, const std::vector<std::string>& args, std::string_view input = {});

}  // namespace atomicio::test
