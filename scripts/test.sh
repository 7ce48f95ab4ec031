#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (what .ci/run calls).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd "${ATOMICIO_BUILD_DIR:-build}"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
