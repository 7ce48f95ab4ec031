// A file's encoding: the compression suffixes at the end of its name. `data.yaml.gz` is YAML
// inside gzip, `dump.json.gz.xz` JSON inside gzip inside xz, and a bare `blob.gz` is bytes
// inside gzip. Suffixes are peeled from the end while a codec claims them (longest match,
// case-insensitive); what remains chooses the format.
#pragma once

#include "codec/codec.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace atomicio {
class PluginHost;
}

namespace atomicio::detail {

struct Encoding {
  /// In name order: for `a.json.gz.xz`, gzip then xz. Plaintext is encoded by codecs.front()
  /// first; the file's bytes are decoded by codecs.back() first.
  std::vector<std::shared_ptr<const Codec>> codecs;
  /// The file name without the codec suffixes (`a.json`): what selects the format.
  std::string inner_name;
};

/// Loads the codecs `file`'s name asks for. Throws UnsupportedFormatError when a suffix names a
/// known compression whose codec plugin is missing (naming it, the directories searched and an
/// install hint), PluginLoadError when the codec fails to load.
Encoding find_encoding(const std::filesystem::path& file, PluginHost& host);

/// The same for a name other than `file`'s own (an explicit codec choice is the name "x.gz");
/// errors still name `file`.
Encoding find_encoding_of_name(const std::string& name, const std::filesystem::path& file, PluginHost& host);

}  // namespace atomicio::detail
