// Manifest parsing. The core reads its own manifests with nlohmann_json, privately: no json
// object ever reaches a plugin.
#include "plugin/manifest.hpp"

#include "posix/file_system.hpp"
#include "posix/unique_fd.hpp"
#include "stream/byte_source.hpp"

#include <atomicio/errors.hpp>

#include <atomicio/sdk/abi.h>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

namespace atomicio::detail {

namespace {

bool valid_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '.' || c == '_' || c == '-';
  });
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// A problem found before the manifest named itself.
ManifestProblem rejected(std::string reason) {
  ManifestProblem problem;
  problem.reason = std::move(reason);
  return problem;
}

std::string optional_string(const nlohmann::json& doc, const char* key) {
  auto found = doc.find(key);
  return found != doc.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// A manifest is a few hundred bytes; anything near this is not one.
constexpr std::size_t kMaxManifestSize = 1 << 20;

// The manifest's text, or nullopt with `problem` set. Not std::ifstream: its descriptor lacks
// O_CLOEXEC, so a program another thread execs meanwhile would inherit it. O_NONBLOCK because a
// FIFO named like a manifest would otherwise block the scan (and every plugin lookup) forever.
std::optional<std::string> read_small_file(const std::filesystem::path& path, std::string& problem) {
  UniqueFd fd(file_system().open_at(AT_FDCWD, path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0));
  struct stat info {};
  if (!fd.valid() || file_system().fstat(fd.get(), &info) != 0) {
    problem = "cannot read the manifest: " + std::string(std::strerror(errno));
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode) || static_cast<std::uint64_t>(info.st_size) > kMaxManifestSize) {
    problem = "the manifest is not a regular file of at most 1 MiB";
    return std::nullopt;
  }
  try {
    return read_file(fd.get(), info, path, kMaxManifestSize);
  } catch (const FileReadError& error) {
    problem = "cannot read the manifest: " + error.detail() + (error.code() ? ": " + error.code().message() : "");
    return std::nullopt;
  }
}

}  // namespace

std::variant<Manifest, ManifestProblem> read_manifest(const std::filesystem::path& manifest_path,
                                                      const std::filesystem::path& directory) {
  std::string unreadable;
  std::optional<std::string> text = read_small_file(manifest_path, unreadable);
  if (!text) return rejected(unreadable);
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return rejected("malformed manifest: not valid JSON");
  if (!doc.is_object()) return rejected("malformed manifest: not a JSON object");

  Manifest m;
  m.id = optional_string(doc, "id");
  if (!valid_id(m.id))
    return rejected("malformed manifest: \"id\" must be a non-empty string of [a-z0-9._-]");
  auto problem = [&](std::string reason) { return ManifestProblem{m.id, std::move(reason), m.kind, m.provides}; };

  auto version = doc.find("manifest_version");
  if (version == doc.end() || !version->is_number_unsigned() || version->get<unsigned>() != 1)
    return problem("malformed manifest: \"manifest_version\" must be 1");
  m.version = optional_string(doc, "version");
  if (m.version.empty()) return problem("malformed manifest: \"version\" is missing");

  std::string kind = optional_string(doc, "kind");
  if (kind == "format") m.kind = PluginKind::format;
  else if (kind == "codec") m.kind = PluginKind::codec;
  else if (kind == "lock") m.kind = PluginKind::lock_backend;
  else return problem("malformed manifest: \"kind\" must be \"format\", \"codec\" or \"lock\", not \"" + kind + "\"");

  auto provides = doc.find("provides");
  const bool by_extension = m.kind == PluginKind::format || m.kind == PluginKind::codec;
  const char* list_key = by_extension ? "extensions" : "lock_backends";
  if (provides == doc.end() || !provides->is_object() || !provides->contains(list_key) ||
      !(*provides)[list_key].is_array() || (*provides)[list_key].empty())
    return problem(std::string("malformed manifest: \"provides\" must hold a non-empty \"") + list_key + "\" list");
  for (const auto& item : (*provides)[list_key]) {
    if (!item.is_string() || item.get<std::string>().empty())
      return problem(std::string("malformed manifest: \"") + list_key + "\" holds a non-string or empty entry");
    std::string name = item.get<std::string>();
    if (by_extension) {
      name = lower(name);
      if (name.front() != '.') name.insert(name.begin(), '.');
    }
    m.provides.push_back(std::move(name));
  }
  auto abi = doc.find("abi");
  if (abi == doc.end() || !abi->is_object() || !abi->contains("major") || !abi->contains("minor") ||
      !(*abi)["major"].is_number_unsigned() || !(*abi)["minor"].is_number_unsigned())
    return problem("malformed manifest: \"abi\" must be {\"major\": N, \"minor\": N}");
  m.abi_major = (*abi)["major"].get<unsigned>();
  m.abi_minor = (*abi)["minor"].get<unsigned>();
  // Checked before any dlopen, so a plugin of another generation never runs a line of code here.
  if (m.abi_major != ATOMICIO_ABI_MAJOR || m.abi_minor > ATOMICIO_ABI_MINOR)
    return problem("built for plugin ABI " + std::to_string(m.abi_major) + "." +
                   std::to_string(m.abi_minor) + " but this atomicio supports " +
                   std::to_string(ATOMICIO_ABI_MAJOR) + ".0-" + std::to_string(ATOMICIO_ABI_MAJOR) +
                   "." + std::to_string(ATOMICIO_ABI_MINOR) + ": rebuild it against this atomicio SDK");

  std::string library = optional_string(doc, "library");
  if (library.empty() || library.find('/') != std::string::npos || library == "." || library == "..")
    return problem("malformed manifest: \"library\" must be a file name in the manifest's directory");
  std::error_code error;
  std::filesystem::path library_path = directory / library;
  if (!std::filesystem::exists(library_path, error))
    return problem("the library file " + library_path.string() + " named by the manifest does not exist");
  std::filesystem::path real_library = std::filesystem::canonical(library_path, error);
  if (error || real_library.parent_path() != directory)
    return problem("the library " + library_path.string() + " resolves outside the plugin directory");
  m.library = real_library;

  m.description = optional_string(doc, "description");
  m.install_hint = optional_string(doc, "install_hint");
  return m;
}

}  // namespace atomicio::detail
