#include "plugin/plugin_catalogue.hpp"

#include <array>
#include <string_view>

namespace atomicio::detail {

namespace {

struct Row {
  std::string_view id;
  std::string_view provides;
  std::string_view package;
};

// Rows of the plugins this build makes (cmake/AtomicioPluginCatalogue.cmake writes them).
constexpr Row kRows[] = {
#include "plugin_catalogue_rows.inc"
    {"", "", ""}};  // keeps the array non-empty in a build without plugins

std::string_view kind_prefix(PluginKind kind) {
  switch (kind) {
    case PluginKind::format: return "format.";
    case PluginKind::codec: return "codec.";
    case PluginKind::lock_backend: return "lock.";
  }
  return {};
}

}  // namespace

std::optional<CataloguedPlugin> catalogued_provider(PluginKind kind, const std::string& name) {
  for (const Row& row : kRows)
    if (!row.id.empty() && row.provides == name && row.id.starts_with(kind_prefix(kind)))
      return CataloguedPlugin{std::string(row.id), std::string(row.package)};
  return std::nullopt;
}

std::string catalogue_hint(PluginKind kind, const std::string& name) {
  auto plugin = catalogued_provider(kind, name);
  if (!plugin) return {};
  return " (plugin " + plugin->id + ", package " + plugin->package + ")";
}

}  // namespace atomicio::detail
