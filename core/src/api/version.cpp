// The runtime version string.
#include <atomicio/export.hpp>
#include <atomicio/version.hpp>

namespace atomicio {
ATOMICIO_EXPORT const char* version() noexcept { return ATOMICIO_VERSION_STRING; }
}  // namespace atomicio
