#!/usr/bin/env bash
# The packages as a packager ships them: cpack -G DEB from the build, lintian on every package,
# then a selective set (core, CLI, development package, json, yaml, xz, ofd) installed with dpkg
# itself into a scratch root whose package database is a copy of this system's, so dpkg checks
# every Depends line against real packages. Then, from that root only:
#   - `atomicio formats` lists exactly the installed formats and codecs;
#   - x.yaml.xz round-trips; x.toml fails naming the package to install;
#   - an application built with find_package and one built with pkg-config both run;
#   - a plugin package cannot be installed without the core (the plugin-ABI dependency).
#
# usage: selective_install_test.sh <build-dir> <source-dir> <work-dir>
set -euo pipefail

build_dir=$(realpath "$1")
source_dir=$(realpath "$2")
work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(realpath "$work")

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
step() { echo "== $*"; }

step "cpack -G DEB"
(cd "$work" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/packages" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack"; }
ls "$work/packages"/*.deb >/dev/null 2>&1 || fail "cpack made no .deb"
ls -1 "$work/packages"/*.deb | xargs -n1 basename

deb() {  # the .deb file of package $1
  local file
  file=$(ls "$work/packages/$1"_*.deb 2>/dev/null | head -n1)
  [ -n "$file" ] || fail "no package $1 was built"
  echo "$file"
}

step "package relations"
core_deb=$(ls "$work/packages"/libatomicio0*.deb | head -n1)
core_package=$(dpkg-deb -f "$core_deb" Package)
dpkg-deb -f "$core_deb" Provides | grep -q "atomicio-plugin-abi-1 (= " || fail "$core_package does not provide the plugin ABI"
dpkg-deb -f "$core_deb" Depends | grep -q "atomicio-plugin-lock-ofd" || fail "$core_package does not pull in the default lock backend"
yaml_depends=$(dpkg-deb -f "$(deb atomicio-plugin-format-yaml)" Depends)
echo "atomicio-plugin-format-yaml Depends: $yaml_depends"
echo "$yaml_depends" | grep -q "libyaml-cpp" || fail "the yaml plugin's dependency on yaml-cpp was not computed"
echo "$yaml_depends" | grep -q "atomicio-plugin-abi-1 (>= " || fail "the yaml plugin does not depend on the plugin ABI"
echo "$yaml_depends" | grep -q "$core_package" && fail "the yaml plugin is tied to the core package itself"
dpkg-deb -f "$(deb atomicio-plugin-format-tsv)" Package >/dev/null
dpkg-deb --fsys-tarfile "$(deb atomicio-plugin-format-tsv)" | tar -xO --wildcards '*format.tsv.plugin.json' |
  grep -q '"install_hint" : "install the package atomicio-plugin-format-tsv"' || fail "format.tsv's manifest names another package"

step "lintian"
lintian_out="$work/lintian.txt"
# --fail-on error: warnings are reported (and listed in the README), errors fail the test.
if ! lintian --fail-on error --no-tag-display-limit "$work/packages"/*.deb >"$lintian_out" 2>&1; then
  cat "$lintian_out"
  fail "lintian reported errors"
fi
echo "lintian: no errors; $(grep -c '^W: ' "$lintian_out" || true) warnings:"
grep '^W: ' "$lintian_out" | sed -E 's/^W: [^:]+: ([^ ]+).*/\1/' | sort | uniq -c | sort -rn || true

step "dpkg into a scratch root"
# A dpkg database that knows this system's packages (so Depends are checked against them) and
# none of their files (so nothing of this system is touched or replaced).
new_admin() {
  mkdir -p "$1/info" "$1/updates" "$1/triggers"
  cp /var/lib/dpkg/status "$1/status"
  : >"$1/available"
  dpkg-query --admindir="$1" -W -f '${binary:Package}\n' | sed "s|^|$1/info/|; s|\$|.list|" | xargs touch
}
root="$work/root"
admin="$work/dpkg"
mkdir -p "$root"
new_admin "$admin"
install_set=("$core_deb" "$(deb atomicio)" "$(deb libatomicio-dev)" "$(deb atomicio-plugin-format-json)"
  "$(deb atomicio-plugin-format-yaml)" "$(deb atomicio-plugin-codec-xz)" "$(deb atomicio-plugin-lock-ofd)")
dpkg_into() {  # dpkg_into <admin> <root> <dpkg arguments...>
  local admin_dir=$1 root_dir=$2
  shift 2
  dpkg --admindir="$admin_dir" --instdir="$root_dir" --force-not-root --force-script-chrootless "$@"
}
dpkg_root() { dpkg_into "$admin" "$root" "$@"; }
# A plugin alone: dpkg unpacks it but will not configure it without the plugin ABI.
new_admin "$work/dpkg-alone"
mkdir -p "$work/root-alone"
if dpkg_into "$work/dpkg-alone" "$work/root-alone" -i "$(deb atomicio-plugin-format-toml)" >"$work/dpkg-alone.log" 2>&1; then
  fail "a plugin installed without the core"
fi
grep "atomicio-plugin-abi-1" "$work/dpkg-alone.log" || { cat "$work/dpkg-alone.log"; fail "the refusal does not name the plugin ABI"; }
dpkg_root -i "${install_set[@]}" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i of the selective set"; }
dpkg_root -l | awk '/^ii/ && $2 ~ /atomicio/ {print "installed:", $2, $3}'

libdir=$(dirname "$(find "$root/usr/lib" -name 'libatomicio.so.*' -type f | head -n1)")
[ -n "$libdir" ] && [ "$libdir" != . ] || fail "libatomicio is not in the scratch root"
case "$libdir" in
  */usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)) ;;
  *) fail "libatomicio is in $libdir, not the multiarch directory" ;;
esac
cli="$root/usr/bin/atomicio"
[ -x "$cli" ] || fail "the CLI is not installed"
# Nothing of the build tree or this system's own install may be searched.
export -n ATOMICIO_PLUGIN_PATH 2>/dev/null || true
unset ATOMICIO_PLUGIN_PATH ATOMICIO_LOCK_BACKEND

step "atomicio formats"
formats=$("$cli" formats)
echo "$formats"
listed=$(echo "$formats" | grep -oE '^ *\.[a-z0-9]+' | tr -d ' ' | sort | tr '\n' ' ')
[ "$listed" = ".json .xz .yaml .yml " ] || fail "atomicio formats lists '$listed', not exactly .json .xz .yaml .yml"
"$cli" plugins | grep -q "install the package atomicio-plugin-format-yaml" || fail "atomicio plugins does not show the install hint"

step "x.yaml.xz round trip"
data="$work/data"
mkdir -p "$data"
echo '{"name": "shipped", "list": [1, 2, 3]}' | "$cli" write "$data/x.yaml.xz"
xz -dc "$data/x.yaml.xz" | grep -q "name: shipped" || fail "x.yaml.xz is not xz-compressed YAML"
[ "$("$cli" cat "$data/x.yaml.xz" | tr -d ' \n')" = '{"name":"shipped","list":[1,2,3]}' ] || fail "x.yaml.xz did not read back"

step "x.toml names its package"
echo 'a = 1' >"$data/x.toml"
if "$cli" cat "$data/x.toml" >"$work/toml.out" 2>"$work/toml.err"; then fail "x.toml was read without its plugin"; fi
cat "$work/toml.err"
grep -q "atomicio-plugin-format-toml" "$work/toml.err" || fail "the error for x.toml does not name atomicio-plugin-format-toml"

step "an application with find_package"
cmake -S "$source_dir/tests/packaging/app" -B "$work/app-cmake" -G Ninja -DCMAKE_PREFIX_PATH="$root/usr" \
  >"$work/app-cmake.log" 2>&1 || { cat "$work/app-cmake.log"; fail "configuring against the installed package"; }
cmake --build "$work/app-cmake" >>"$work/app-cmake.log" 2>&1 || { cat "$work/app-cmake.log"; fail "building against the installed package"; }
grep -q "$root/usr/lib" "$work/app-cmake/CMakeCache.txt" || fail "find_package did not find the scratch root's package"
LD_LIBRARY_PATH="$libdir" "$work/app-cmake/packaged_app" "$data" | grep -qx "round trip ok" || fail "the find_package application"

step "an application with pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pkg-config --exists atomicio || fail "pkg-config does not find atomicio.pc"
[ "$(pkg-config --variable=plugindir atomicio)" -ef "$libdir/atomicio/plugins-abi1" ] || fail "atomicio.pc's plugindir"
# shellcheck disable=SC2046
g++ -std=c++20 "$source_dir/tests/packaging/app/main.cpp" -o "$work/app-pkgconfig" $(pkg-config --cflags --libs atomicio) ||
  fail "building with pkg-config"
LD_LIBRARY_PATH="$libdir" "$work/app-pkgconfig" "$data" | grep -qx "round trip ok" || fail "the pkg-config application"

echo "PASSED"
