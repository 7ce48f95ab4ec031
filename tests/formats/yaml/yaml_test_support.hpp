// Small helpers the YAML plugin tests share: read YAML text through SafeFile, write a Value and
// get the bytes back, and catch the FileReadError a bad document gives.
#pragma once

#include <atomicio/errors.hpp>
#include <atomicio/safe_file.hpp>

#include "support/temp_dir.hpp"

#include <stdexcept>
#include <string>

namespace atomicio::test {

/// The Value atomicio reads from a .yaml file holding `text`.
inline Value read_yaml(const std::string& text) {
  TempDir dir;
  spit(dir / "doc.yaml", text);
  return SafeFile(dir / "doc.yaml").read().value();
}

/// The bytes atomicio writes for `value` into a .yaml file.
inline std::string write_yaml(const Value& value) {
  TempDir dir;
  SafeFile(dir / "doc.yaml").write(value);
  return slurp(dir / "doc.yaml");
}

/// The FileReadError reading `text` gives; throws std::logic_error when it reads fine.
inline FileReadError read_error(const std::string& text) {
  try {
    read_yaml(text);
  } catch (const FileReadError& error) {
    return error;
  }
  throw std::logic_error("expected a FileReadError for:\n" + text);
}

}  // namespace atomicio::test
