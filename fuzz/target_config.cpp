// The settings of one fuzz program, from the compile definitions fuzz/CMakeLists.txt gives it.
#include "fuzz_target.hpp"

namespace atomicio::fuzz {

const Target kTarget{ATOMICIO_FUZZ_NAME, RoundTrip::ATOMICIO_FUZZ_ROUND_TRIP, ATOMICIO_FUZZ_PLUGIN_DIR};

}  // namespace atomicio::fuzz
