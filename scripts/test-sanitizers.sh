#!/usr/bin/env bash
# Runs the async tests (every backend variant) under ThreadSanitizer, then under AddressSanitizer
# with UndefinedBehaviorSanitizer. Part of scripts/test.sh.
#
# ThreadSanitizer needs a clang-14 build of its own (build-thread): the async tests and the
# libraries and plugins they reach. AddressSanitizer and UBSan reuse the fuzzing build
# (scripts/build-fuzz.sh), which instruments everything with both already: building the async
# tests there too saves a whole third build of the core within CI's time.
# Unoptimised, with line tables only: the async tests wait on I/O rather than the CPU, and -O0
# halves the compile time of their coroutines (measured with clang-14 under TSan: 9 s of CPU
# against 18 s at -O2 for tests/async/async_file_test.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ATOMICIO_SANITIZE_BUILD_PREFIX:-build-}thread"
cmake -S . -B "$build_dir" -G Ninja --no-warn-unused-cli \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DATOMICIO_SANITIZE=thread -DATOMICIO_BUILD_TESTS=ON -DATOMICIO_BUILD_EXAMPLES=OFF "$@"
cmake --build "$build_dir" --target atomicio_async_tests --parallel "$(nproc)"
# halt_on_error: a report fails the test instead of scrolling past.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir "$build_dir" -L async --output-on-failure --parallel "$(nproc)" --timeout 600

fuzz_dir="${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}"
scripts/build-fuzz.sh
ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1" \
  ctest --test-dir "$fuzz_dir" -L async --output-on-failure --parallel "$(nproc)" --timeout 600
