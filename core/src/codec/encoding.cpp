// Codec suffix resolution over codec plugin manifests.
#include "codec/encoding.hpp"

#include "plugin/plugin_catalogue.hpp"
#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/plugin_host.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <shared_mutex>
#include <string_view>

namespace atomicio::detail {

namespace {

// First-party codecs by suffix: a file named like this is compressed even when the codec is not
// installed, so the error can name the missing plugin instead of a confusing "unknown format".
struct KnownCodec {
  std::string_view extension;
  std::string_view plugin_id;
};
constexpr std::array<KnownCodec, 3> kKnownCodecs{{{".gz", "codec.gzip"}, {".bz2", "codec.bz2"}, {".xz", "codec.xz"}}};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool is_suffix_of(std::string_view name, std::string_view extension) {
  return name.size() > extension.size() && name.ends_with(extension);
}

}  // namespace

Encoding find_encoding(const std::filesystem::path& file, PluginHost& host) {
  return find_encoding_of_name(file.filename().string(), file, host);
}

Encoding find_encoding_of_name(const std::string& original, const std::filesystem::path& file, PluginHost& host) {
  PluginRegistry& registry = host.registry();
  std::string name = lower(original);
  std::vector<std::shared_ptr<const Codec>> outermost_first;
  for (;;) {
    std::string best_extension;
    std::string best_id;
    std::string unusable_reason;
    {
      std::shared_lock lock(registry.mutex());
      for (const auto& [extension, info] : registry.extensions_locked(PluginKind::codec)) {
        if (!is_suffix_of(name, extension) || extension.size() <= best_extension.size()) continue;
        if (!is_candidate(*info)) {
          unusable_reason = info->manifest.string() + ": " + info->reason;
          continue;
        }
        best_extension = extension;
        best_id = info->id;
      }
    }
    std::string_view missing;
    for (const KnownCodec& known : kKnownCodecs)
      if (is_suffix_of(name, known.extension) && known.extension.size() > best_extension.size()) missing = known.plugin_id;
    if (!missing.empty() || (best_id.empty() && !unusable_reason.empty())) {
      std::string extension = name.substr(name.rfind('.'));
      std::string detail = "no installed codec plugin handles '" + extension + "' compression";
      if (!missing.empty()) {
        auto packaged = catalogued_provider(PluginKind::codec, extension);
        detail += " (atomicio's plugin '" + std::string(missing) + "' does: install " +
                  (packaged ? "the package " + packaged->package : std::string("it")) + ")";
      }
      if (!unusable_reason.empty()) detail += "; found but unusable: " + unusable_reason;
      detail += "; " + registry.describe_search(PluginKind::codec, extension);
      throw UnsupportedFormatError("choose codec for", file, detail);
    }
    if (best_id.empty()) break;
    // By claim, not by id: if the winner fails to load, the next plugin claiming it serves.
    auto [id, plugin] = registry.load_claim(PluginKind::codec, best_extension);
    outermost_first.push_back(std::make_shared<Codec>(*static_cast<const atomicio_codec_v1*>(plugin->interface),
                                                      id, best_extension));
    name.resize(name.size() - best_extension.size());
  }
  Encoding encoding;
  encoding.codecs.assign(outermost_first.rbegin(), outermost_first.rend());
  encoding.inner_name = original.substr(0, name.size());
  return encoding;
}

}  // namespace atomicio::detail
