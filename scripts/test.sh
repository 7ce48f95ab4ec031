#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (what .ci/run calls).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd "${ATOMICIO_BUILD_DIR:-build}" && ctest --output-on-failure --parallel "$(nproc)" --timeout 600)
# Then the async tests again under ThreadSanitizer and AddressSanitizer (clang builds of their
# own: build-thread, build-address).
scripts/test-sanitizers.sh
# Then every fuzzer for ATOMICIO_FUZZ_SECONDS (5 here, a smoke run that keeps the suite within
# its time; 10 for a plain `ctest -L fuzz`) each, in the clang build of its own
# (${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}). Longer runs: scripts/fuzz.sh.
scripts/build-fuzz.sh -DATOMICIO_FUZZ_SECONDS="${ATOMICIO_FUZZ_SECONDS:-5}"
ctest --test-dir "${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}" -L fuzz --output-on-failure --parallel "$(nproc)"
