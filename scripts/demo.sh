#!/usr/bin/env bash
# The main job: install what is missing, build, and show atomicio doing its real work —
# processes and threads hammering one JSON file and one log through locked atomic commits,
# then the CLI doing the same from the shell. Ends with exit status 0 only if nothing was lost.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
bin="${ATOMICIO_BUILD_DIR:-build}/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== 1. library: 4 processes x 4 threads, locked read-modify-write on one JSON file"
"$bin/concurrent_counter" --processes 4 --threads 4 --increments 50 --dir "$work/lib"

echo
echo "== 2. CLI: 6 shell processes x 20 'atomicio edit' increments of one counter file"
counter="$work/counter"
for p in $(seq 6); do
  ( for i in $(seq 20); do "$bin/atomicio" edit "$counter" -- awk '{print $1+1} END {if (NR==0) print 1}'; done ) &
done
wait
echo "counter = $(cat "$counter") (expected 120)"
[ "$(cat "$counter")" = 120 ]

echo
echo "== 3. CLI: formats and plugins known from manifests (nothing loaded to list them)"
"$bin/atomicio" plugins
echo
"$bin/atomicio" update "$work/lib/counters.json" '{"note": "merged by atomicio update"}'
"$bin/atomicio" cat "$work/lib/counters.json" | head -5

echo
echo "== 4. CLI: the same document converted to YAML inside xz and to TOML inside gzip, read back by the stock tools"
"$bin/atomicio" convert "$work/lib/counters.json" "$work/counters.yaml.xz"
"$bin/atomicio" convert "$work/counters.yaml.xz" "$work/counters.toml.gz"
xz -dc "$work/counters.yaml.xz" | head -4
gzip -dc "$work/counters.toml.gz" | head -4
[ "$("$bin/atomicio" cat "$work/counters.toml.gz")" = "$("$bin/atomicio" cat "$work/lib/counters.json")" ]
echo "round trip through yaml.xz and toml.gz: identical"

echo
echo "== 5. async: 4 processes x (2 threads + 8 coroutines) on one JSON file, threads and tasks sharing one lock"
"$bin/async_counter" --processes 4 --threads 2 --coroutines 8 --increments 25 --dir "$work/async"
echo "OK"
