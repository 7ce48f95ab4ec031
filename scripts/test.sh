#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (what .ci/run calls), then
# prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

phases=()
phase() {  # phase <name> <command...>: runs it, notes its wall time
  local name=$1 start=$SECONDS
  shift
  "$@"
  phases+=("$(printf '%-34s %4d s' "$name" $((SECONDS - start)))")
}
report() {
  echo "== scripts/test.sh phases (wall time)"
  printf '%s\n' "${phases[@]}"
  echo "total                              $(printf '%4d' "$SECONDS") s"
}
trap report EXIT

phase "install dependencies" scripts/install-deps.sh
phase "build" scripts/build.sh
phase "tests" bash -c 'cd "${ATOMICIO_BUILD_DIR:-build}" && ctest --output-on-failure --parallel "$(nproc)" --timeout 600'
# Then the async tests again under ThreadSanitizer and AddressSanitizer (clang builds of their
# own: build-thread, build-address).
phase "sanitizer builds and async tests" scripts/test-sanitizers.sh
# Then every fuzzer for ATOMICIO_FUZZ_SECONDS (5 here, a smoke run that keeps the suite within
# its time; 10 for a plain `ctest -L fuzz`) each, in the clang build of its own
# (${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}). Longer runs: scripts/fuzz.sh.
phase "fuzz build" scripts/build-fuzz.sh -DATOMICIO_FUZZ_SECONDS="${ATOMICIO_FUZZ_SECONDS:-5}"
phase "fuzz smoke runs" ctest --test-dir "${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}" -L fuzz --output-on-failure --parallel "$(nproc)"
