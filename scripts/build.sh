#!/usr/bin/env bash
# Configures and builds atomicio into ${ATOMICIO_BUILD_DIR:-build} (tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${ATOMICIO_BUILD_DIR:-build}"
# Line tables only (-g1): stack traces keep file and line, and debug info stops being a third of
# the compile time of the heavier files. For /usr, as Debian packages are, so the packaging test
# can build them from this tree (nothing here installs; the tests install into scratch roots).
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX=/usr -DATOMICIO_BUILD_TESTS=ON "$@"
cmake --build "$build_dir" --parallel "$(nproc)"
