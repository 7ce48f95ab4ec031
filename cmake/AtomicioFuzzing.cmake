# The fuzzing build (ATOMICIO_BUILD_FUZZERS=ON): clang's libFuzzer with AddressSanitizer and
# UndefinedBehaviorSanitizer. Included before any target is defined, because the instrumentation
# has to cover everything the fuzzers reach: the core, and every plugin it loads, not only the
# fuzz programs. The fuzz programs add -fsanitize=fuzzer themselves (fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "ATOMICIO_BUILD_FUZZERS needs clang, which provides libFuzzer; "
    "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER} does not. Configure a separate build directory "
    "with -DCMAKE_CXX_COMPILER=clang++-14 (Debian packages clang-14 and libclang-rt-14-dev).")
endif()

# clang without its runtime package compiles the flags but cannot link a fuzzer: say so now
# rather than with a linker error about libclang_rt.fuzzer.
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,address,undefined")
set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer,address,undefined")
check_cxx_source_compiles([[
  #include <cstddef>
  #include <cstdint>
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
]] ATOMICIO_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT ATOMICIO_HAVE_LIBFUZZER)
  message(FATAL_ERROR "ATOMICIO_BUILD_FUZZERS: ${CMAKE_CXX_COMPILER} cannot link a libFuzzer program "
    "with ASan and UBSan; install clang's runtime libraries (Debian: libclang-rt-14-dev for clang-14). "
    "See CMakeFiles/CMakeError.log for the compiler's output.")
endif()

# fuzzer-no-link: coverage instrumentation without libFuzzer's main(), which only the fuzz
# programs link. No recovery from UBSan reports, so undefined behaviour fails like a crash
# instead of scrolling past. Assertions stay on (-UNDEBUG wins over the build type's -DNDEBUG,
# which comes first on the command line): a broken invariant in nlohmann_json, yaml-cpp or our
# own code is exactly what fuzzing is for. Line tables are enough for symbolized stacks.
add_compile_options(
  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -gline-tables-only -UNDEBUG)
# Executables get the sanitizer runtimes; shared libraries and plugins leave them undefined, to
# be found in the executable that loads them (see atomicio_add_plugin's --no-undefined rule).
add_link_options(-fsanitize=address,undefined)
