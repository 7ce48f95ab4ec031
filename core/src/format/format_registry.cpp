// Format resolution: in-process registrations (register_format) and format plugins, matched by
// the longest suffix of the file name.
#include "format/format.hpp"

#include "codec/codec_pipeline.hpp"
#include "format/value_bridge.hpp"
#include "plugin/plugin_catalogue.hpp"
#include "plugin/plugin_registry.hpp"

#include <atomicio/errors.hpp>
#include <atomicio/formats.hpp>
#include <atomicio/safe_file.hpp>

#include <algorithm>
#include <cctype>
#include <istream>
#include <map>
#include <mutex>
#include <ostream>
#include <shared_mutex>
#include <sstream>
#include <streambuf>

namespace atomicio {

namespace detail {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string normalize_extension(std::string extension) {
  extension = lower(std::move(extension));
  if (!extension.empty() && extension.front() != '.') extension.insert(extension.begin(), '.');
  return extension;
}

// Forwards an ostream into a ByteSink, so registered dumpers stream straight into the
// temporary file. Exceptions from the writer propagate (the stream has badbit exceptions on).
class SinkStreambuf : public std::streambuf {
 public:
  explicit SinkStreambuf(ByteSink& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      char ch = traits_type::to_char_type(c);
      out_.write(std::string_view(&ch, 1));
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    out_.write(std::string_view(data, static_cast<std::size_t>(size)));
    return size;
  }

 private:
  ByteSink& out_;
};

class RegisteredFormat final : public Format {
 public:
  RegisteredFormat(std::string extension, Loader loader, Dumper dumper)
      : extension_(std::move(extension)), loader_(std::move(loader)), dumper_(std::move(dumper)) {}

  Value parse(std::string_view bytes, const std::filesystem::path& file) const override {
    std::istringstream in{std::string(bytes)};
    try {
      return loader_(in);
    } catch (const AtomicIOError&) {
      throw;
    } catch (const std::exception& error) {
      throw FileReadError("parse", file, "the loader registered for '" + extension_ + "' failed: " + error.what());
    }
  }

  void dump(const Value& value, ByteSink& out, const std::filesystem::path& file) const override {
    SinkStreambuf buffer(out);
    std::ostream stream(&buffer);
    stream.exceptions(std::ios::badbit);
    try {
      dumper_(value, stream);
      stream.flush();
    } catch (const AtomicIOError&) {
      throw;
    } catch (const std::exception& error) {
      throw FileWriteError("serialize", file, "the dumper registered for '" + extension_ + "' failed: " + error.what());
    }
  }

 private:
  std::string extension_;
  Loader loader_;
  Dumper dumper_;
};

class PluginFormat final : public Format {
 public:
  PluginFormat(const atomicio_format_v1& table, std::string id) : table_(table), id_(std::move(id)) {}
  Value parse(std::string_view bytes, const std::filesystem::path& file) const override {
    return parse_with_plugin(table_, id_, bytes, file);
  }
  void dump(const Value& value, ByteSink& out, const std::filesystem::path& file) const override {
    dump_with_plugin(table_, id_, value, out, file);
  }

 private:
  const atomicio_format_v1& table_;
  std::string id_;
};

struct Registrations {
  std::shared_mutex mutex;
  std::map<std::string, std::shared_ptr<const Format>> formats;
};

Registrations& registrations() {
  static auto* instance = new Registrations;  // Leaked: used by static-lifetime file objects.
  return *instance;
}

}  // namespace

std::shared_ptr<const Format> find_format(const std::filesystem::path& file, PluginHost& host,
                                          std::string_view file_name) {
  const std::string original = file_name.empty() ? file.filename().string() : std::string(file_name);
  const std::string name = lower(original);
  auto matches = [&](const std::string& extension) {
    return name.size() > extension.size() && name.ends_with(extension);
  };
  std::string best_registered;
  std::shared_ptr<const Format> registered;
  {
    std::shared_lock lock(registrations().mutex);
    for (const auto& [extension, format] : registrations().formats)
      if (matches(extension) && extension.size() > best_registered.size()) {
        best_registered = extension;
        registered = format;
      }
  }
  PluginRegistry& registry = host.registry();
  std::string best_plugin_extension;
  std::string best_plugin_id;
  std::string unusable_reason;
  {
    std::shared_lock lock(registry.mutex());
    for (const auto& [extension, info] : registry.extensions_locked(PluginKind::format)) {
      if (!matches(extension) || extension.size() <= best_plugin_extension.size()) continue;
      if (!is_candidate(*info)) {
        unusable_reason = info->manifest.string() + ": " + info->reason;
        continue;
      }
      best_plugin_extension = extension;
      best_plugin_id = info->id;
    }
  }
  if (registered && best_registered.size() >= best_plugin_extension.size()) return registered;
  if (!best_plugin_id.empty()) {
    // By claim, not by id: if the winner fails to load, the next plugin claiming it serves.
    auto [id, plugin] = registry.load_claim(PluginKind::format, best_plugin_extension);
    return std::make_shared<PluginFormat>(*static_cast<const atomicio_format_v1*>(plugin->interface), id);
  }
  std::string extension = std::filesystem::path(original).extension().string();
  auto missing = catalogued_provider(PluginKind::format, lower(extension));
  std::string detail = extension.empty() ? "the file name has no extension, so its format is unknown (use read_bytes/write_bytes)"
                                         : "no installed plugin or registered format handles '" + extension + "' files";
  if (missing)
    detail += " (atomicio's plugin '" + missing->id + "' does: install the package " + missing->package + ")";
  if (!unusable_reason.empty()) detail += "; found but unusable: " + unusable_reason;
  detail += "; " + registry.describe_search(PluginKind::format, lower(extension));
  throw UnsupportedFormatError("choose format for", file, detail);
}

}  // namespace detail

void register_format(std::string extension, Loader loader, Dumper dumper) {
  extension = detail::normalize_extension(std::move(extension));
  if (extension.size() < 2) throw std::invalid_argument("register_format: the extension is empty");
  if (!loader || !dumper) throw std::invalid_argument("register_format: loader and dumper must be callable");
  auto format = std::make_shared<detail::RegisteredFormat>(extension, std::move(loader), std::move(dumper));
  std::unique_lock lock(detail::registrations().mutex);
  detail::registrations().formats[extension] = std::move(format);
}

bool unregister_format(std::string extension) {
  extension = detail::normalize_extension(std::move(extension));
  std::unique_lock lock(detail::registrations().mutex);
  return detail::registrations().formats.erase(extension) > 0;
}

Value parse_as(const std::filesystem::path& name, std::string_view bytes, PluginHost* plugins) {
  PluginHost& host = plugins != nullptr ? *plugins : PluginHost::global();
  detail::Encoding encoding = detail::find_encoding(name, host);
  auto format = detail::find_format(name, host, encoding.inner_name);
  if (encoding.codecs.empty()) return format->parse(bytes, name);
  detail::MemorySource stored(bytes);
  detail::DecodingPipeline pipeline(encoding, stored, FileOptions{}.max_decoded_size, name);
  return format->parse(detail::read_all(pipeline.plaintext()), name);
}

std::string dump_as(const std::filesystem::path& name, const Value& value, PluginHost* plugins) {
  PluginHost& host = plugins != nullptr ? *plugins : PluginHost::global();
  detail::Encoding encoding = detail::find_encoding(name, host);
  auto format = detail::find_format(name, host, encoding.inner_name);
  detail::StringSink stored;
  detail::EncodingPipeline pipeline(encoding, FileOptions{}.compression_level, stored, name);
  format->dump(value, pipeline.plaintext(), name);
  pipeline.finish();
  return std::move(stored.content());
}

std::vector<FormatInfo> list_supported_formats(const PluginHost* plugins) {
  const PluginHost& host = plugins != nullptr ? *plugins : PluginHost::global();
  std::map<std::string, FormatInfo> all;
  {
    detail::PluginRegistry& registry = host.registry();
    std::shared_lock lock(registry.mutex());
    for (const auto& [extension, info] : registry.extensions_locked(PluginKind::format)) {
      all[extension] = FormatInfo{extension, info->id, detail::is_usable(*info)};
    }
  }
  {
    std::shared_lock lock(detail::registrations().mutex);
    for (const auto& [extension, format] : detail::registrations().formats)
      all[extension] = FormatInfo{extension, "registered", true};
  }
  std::vector<FormatInfo> list;
  for (auto& [extension, info] : all) list.push_back(std::move(info));
  return list;
}

std::vector<FormatInfo> list_supported_codecs(const PluginHost* plugins) {
  const PluginHost& host = plugins != nullptr ? *plugins : PluginHost::global();
  detail::PluginRegistry& registry = host.registry();
  std::shared_lock lock(registry.mutex());
  std::vector<FormatInfo> list;
  for (const auto& [extension, info] : registry.extensions_locked(PluginKind::codec))
    list.push_back(FormatInfo{extension, info->id, detail::is_usable(*info)});
  return list;
}

}  // namespace atomicio
