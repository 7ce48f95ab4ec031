#!/usr/bin/env bash
# Runs one fuzz program for longer than the test suite does:
#
#   scripts/fuzz.sh TARGET [SECONDS] [JOBS]     e.g. scripts/fuzz.sh yaml 3600 2
#
# TARGET is a name from fuzz/CMakeLists.txt (json, text, yaml, toml, csv, tsv, xml, and the
# codecs gzip, bz2, xz where built). SECONDS defaults to 600 (0: until stopped); JOBS to 1.
# Builds the fuzzing build first if needed (scripts/build-fuzz.sh). The corpus lives in
# ${ATOMICIO_FUZZ_SCRATCH:-<build>/fuzz-scratch}/TARGET/corpus and grows from run to run; what
# the fuzzer finds is saved in .../TARGET/findings. Interesting new inputs can be minimised into
# the seed corpus with: <build>/bin/fuzz_TARGET -merge=1 fuzz/corpus/TARGET <scratch corpus>
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
target="${1#fuzz_}"
seconds="${2:-600}"
jobs="${3:-1}"
build_dir="${ATOMICIO_FUZZ_BUILD_DIR:-build-fuzz}"
scratch="${ATOMICIO_FUZZ_SCRATCH:-$build_dir/fuzz-scratch}"

scripts/build-fuzz.sh >/dev/null
settings="$build_dir/fuzz/$target.fuzz.cmake"
if [ ! -f "$settings" ]; then
  echo "fuzz.sh: no fuzz target '$target'; built: $(cd "$build_dir/fuzz" && ls -- *.fuzz.cmake | sed 's/\.fuzz\.cmake$//' | tr '\n' ' ')" >&2
  exit 2
fi
exec cmake -D "SETTINGS=$settings" -D "SECONDS=$seconds" -D "JOBS=$jobs" \
  -D "WORK_DIR=$(realpath -m "$scratch/$target")" -P fuzz/run_fuzzer.cmake
