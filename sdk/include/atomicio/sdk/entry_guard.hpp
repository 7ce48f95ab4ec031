// The exception firewall every SDK entry adapter runs plugin code inside: whatever the plugin
// throws becomes an atomicio_status plus a diagnostic, so no exception crosses into the core.
#pragma once

#include <atomicio/sdk/abi.h>
#include <atomicio/sdk/errors.hpp>

#include <exception>
#include <new>
#include <string_view>
#include <system_error>

namespace atomicio::sdk {
inline namespace abi_v1 {
namespace detail {

inline void report(atomicio_diagnostic* diagnostic, std::string_view message) noexcept {
  if (diagnostic != nullptr && diagnostic->set_message != nullptr)
    diagnostic->set_message(diagnostic->host_context, message.data(), message.size());
}

/// Runs `body` and maps its outcome to a status. Never throws.
template <class Body>
std::int32_t guarded(atomicio_diagnostic* diagnostic, Body&& body) noexcept {
  try {
    body();
    return ATOMICIO_OK;
  } catch (const HostFailure& failure) {
    return failure.status();
  } catch (const ParseError& error) {
    if (diagnostic != nullptr) {
      diagnostic->line = error.line();
      diagnostic->column = error.column();
      diagnostic->byte_offset = error.byte_offset();
    }
    report(diagnostic, error.what());
    return ATOMICIO_ERR_PARSE;
  } catch (const UnsupportedValue& error) {
    report(diagnostic, error.what());
    return ATOMICIO_ERR_UNSUPPORTED;
  } catch (const OsError& error) {
    if (diagnostic != nullptr) diagnostic->os_errno = error.os_errno();
    report(diagnostic, error.what());
    return ATOMICIO_ERR_OS;
  } catch (const std::system_error& error) {
    if (diagnostic != nullptr && error.code().category() == std::generic_category())
      diagnostic->os_errno = error.code().value();
    if (diagnostic != nullptr && error.code().category() == std::system_category())
      diagnostic->os_errno = error.code().value();
    report(diagnostic, error.what());
    return diagnostic != nullptr && diagnostic->os_errno != 0 ? ATOMICIO_ERR_OS : ATOMICIO_ERR_INTERNAL;
  } catch (const std::bad_alloc&) {
    report(diagnostic, "out of memory in plugin");
    return ATOMICIO_ERR_INTERNAL;
  } catch (const std::exception& error) {
    report(diagnostic, error.what());
    return ATOMICIO_ERR_INTERNAL;
  } catch (...) {
    report(diagnostic, "plugin threw an unknown exception");
    return ATOMICIO_ERR_INTERNAL;
  }
}

/// The plugin's one instance, created on first use (thread-safe) and never destroyed, since
/// plugins are never unloaded. Null if the constructor threw.
template <class Plugin>
Plugin* plugin_instance() noexcept {
  static Plugin* instance = []() -> Plugin* {
    try {
      return new Plugin();
    } catch (...) {
      return nullptr;
    }
  }();
  return instance;
}

}  // namespace detail
}  // namespace abi_v1
}  // namespace atomicio::sdk
