#!/usr/bin/env bash
# Configures and builds the fuzzing build into ${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}: clang-14
# with libFuzzer, ASan and UBSan over the core and every plugin, and only what the fuzz
# programs need (no tests, examples or CLI). Run the fuzzers with `ctest -L fuzz` in that
# directory, or one of them for longer with scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}"
# --no-warn-unused-cli: the project has no C code yet, but a C compiler given here keeps any
# future C target on clang too.
cmake -S . -B "$build_dir" -G Ninja --no-warn-unused-cli \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DATOMICIO_BUILD_FUZZERS=ON -DATOMICIO_BUILD_TESTS=OFF -DATOMICIO_BUILD_EXAMPLES=OFF "$@"
cmake --build "$build_dir" --target atomicio_fuzzers --parallel "$(nproc)"
