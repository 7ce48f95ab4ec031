# Build options. Tests, examples and install default on only for the top-level build, the {fmt}
# convention, so a project that adds atomicio as a subdirectory gets just the library.
option(ATOMICIO_BUILD_TESTS "Build the Catch2 test suite" ${PROJECT_IS_TOP_LEVEL})
option(ATOMICIO_BUILD_EXAMPLES "Build the examples and the demo" ${PROJECT_IS_TOP_LEVEL})
option(ATOMICIO_BUILD_ASYNC "Build libatomicio_async (Boost.Asio, liburing)" ON)
option(ATOMICIO_BUILD_BENCHMARKS "Build the Google Benchmark programs" OFF)
option(ATOMICIO_INSTALL "Generate the install rules and the CMake package" ${PROJECT_IS_TOP_LEVEL})
option(ATOMICIO_WERROR "Treat compiler warnings as errors" OFF)
set(ATOMICIO_SANITIZE "" CACHE STRING "Sanitizers for every target, as -fsanitize= takes them (e.g. thread)")
option(ATOMICIO_BUILD_FUZZERS "Build the libFuzzer targets (clang only; instruments the whole build with ASan and UBSan)" OFF)

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

# The plugin directory, relative to the directory holding libatomicio. The ABI major is part of
# the name so two plugin generations can be installed side by side without seeing each other.
# Both numbers come from the SDK's abi.h, the one place they are defined.
file(STRINGS "${PROJECT_SOURCE_DIR}/sdk/include/atomicio/sdk/abi.h" _atomicio_abi_lines
     REGEX "^#define ATOMICIO_ABI_(MAJOR|MINOR) ")
foreach(_line IN LISTS _atomicio_abi_lines)
  if(_line MATCHES "^#define ATOMICIO_ABI_(MAJOR|MINOR) ([0-9]+)")
    set(ATOMICIO_PLUGIN_ABI_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
set(ATOMICIO_PLUGIN_SUBDIR "atomicio/plugins-abi${ATOMICIO_PLUGIN_ABI_MAJOR}")
set(ATOMICIO_PLUGIN_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/${ATOMICIO_PLUGIN_SUBDIR}")
