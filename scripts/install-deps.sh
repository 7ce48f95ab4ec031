#!/usr/bin/env bash
# Installs the Debian bookworm packages atomicio builds with, if any is missing. Idempotent;
# needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  cmake ninja-build g++ make
  libboost1.81-dev          # Boost.DLL (plugin loading), Boost.Asio 1.81 (async/: files over io_uring)
  liburing-dev pkg-config   # async/: io_uring through Asio
  nlohmann-json3-dev        # the Value type and manifest parsing
  libattr1-dev              # core: attr_copy_fd keeps ACLs and extended attributes across a commit
  acl                       # tests: setfacl
  libcli11-dev              # the atomicio CLI's argument parser
  catch2                    # tests (Catch2 2.x)
  libbenchmark-dev          # bench/ (Google Benchmark)
  python3-aiofiles          # bench only: bench/aiofiles_bench.py, the peer async_io_bench is compared with
  libyaml-cpp-dev           # plugins/format/yaml
  libtomlplusplus-dev       # plugins/format/toml
  libpugixml-dev            # plugins/format/xml
  libfccp-dev               # plugins/format/csv (fast-cpp-csv-parser)
  zlib1g-dev libbz2-dev liblzma-dev gzip bzip2 xz-utils  # plugins/codec/{gzip,bz2,xz}; the tools for their interop tests
  python3 python3-yaml      # interoperability tests against independent implementations
  clang-14 libclang-rt-14-dev  # fuzz/ (libFuzzer, ASan, UBSan): the fuzzing build in scripts/test.sh
  dpkg-dev fakeroot lintian  # packaging: cpack -G DEB computes dependencies with dpkg-shlibdeps; the package test runs lintian
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "atomicio: installing ${missing[*]}" >&2
run_as_root=()
[ "$(id -u)" -eq 0 ] || run_as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -q
"${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
