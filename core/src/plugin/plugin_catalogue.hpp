// The plugins this source tree builds, known to the core even where they are not installed, so
// that an error about a missing extension or lock backend names the package that provides it.
#pragma once

#include <atomicio/plugin_host.hpp>

#include <optional>
#include <string>

namespace atomicio::detail {

struct CataloguedPlugin {
  std::string id;       // e.g. format.toml
  std::string package;  // e.g. atomicio-plugin-format-toml
};

/// The first-party plugin that provides `name` (an extension such as ".toml", or a lock backend
/// name), if this build has one.
std::optional<CataloguedPlugin> catalogued_provider(PluginKind kind, const std::string& name);

/// " (plugin format.toml, package atomicio-plugin-format-toml)" or "" when not catalogued.
std::string catalogue_hint(PluginKind kind, const std::string& name);

}  // namespace atomicio::detail
