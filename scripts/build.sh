#!/usr/bin/env bash
# Configures and builds atomicio into ${ATOMICIO_BUILD_DIR:-build} (tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ATOMICIO_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATOMICIO_BUILD_TESTS=ON "$@"
cmake --build "$build_dir" --parallel "$(nproc)"
