#!/usr/bin/env bash
# Regenerates the committed bindings (package io.github.v4l2ffm.bindings) from the pinned uapi
# headers under src/main/c-headers, with an installed jextract (JEXTRACT, or `jextract` on PATH).
#
#   scripts/regenerate-bindings.sh                 regenerate from the committed headers
#   scripts/regenerate-bindings.sh --fetch VERSION replace the committed headers with those of
#                                                  Debian's linux-libc-dev VERSION first
#
# The constants and types kept are listed in scripts/bindings-includes.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
headers=$here/src/main/c-headers
out=$here/src/main/java
pkg=io.github.v4l2ffm.bindings
jextract=${JEXTRACT:-jextract}

if [[ ${1:-} == --fetch ]]; then
  version=${2:?usage: $0 --fetch LINUX_LIBC_DEV_VERSION}
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache"
  for suite in bookworm bookworm-backports; do
    echo "deb http://deb.debian.org/debian $suite main"
  done > "$work/sources.list"
  apt=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
  apt-get "${apt[@]}" update -q >/dev/null
  (cd "$work" && apt-get "${apt[@]}" download -q "linux-libc-dev=$version")
  dpkg -x "$work"/linux-libc-dev_*.deb "$work/x"
  for h in $(awk '$1=="header"{print $2}' "$here/scripts/bindings-includes.txt") linux/v4l2-common.h linux/v4l2-controls.h; do
    cp "$work/x/usr/include/$h" "$headers/$h"
  done
  echo "linux-libc-dev $version (Debian): the uapi headers the bindings are generated from." > "$headers/VERSION"
fi

command -v "$jextract" >/dev/null || { echo "jextract not found: set JEXTRACT or put it on PATH" >&2; exit 1; }
dump=$(mktemp); args=$(mktemp); trap 'rm -f "$dump" "$args"' EXIT
"$jextract" -I "$headers" --dump-includes "$dump" "$headers/v4l2-ffm.h" >/dev/null
headers_re=$(awk '$1=="header"{gsub(/[.]/,"[.]",$2); printf "%s%s", sep, $2; sep="|"}' "$here/scripts/bindings-includes.txt")
const_re=$(awk '$1=="constant"{printf "%s(%s)", sep, $2; sep="|"}' "$here/scripts/bindings-includes.txt")
# keep only declarations from the listed headers
grep -E "# header: .*/($headers_re)\$" "$dump" | while read -r opt name _; do
  case $opt in
    --include-struct|--include-union|--include-typedef) echo "$opt $name" ;;
    --include-constant) [[ $name =~ $const_re ]] && echo "$opt $name" ;;
  esac
done > "$args"
awk '$1=="extra"{print $2, $3}' "$here/scripts/bindings-includes.txt" >> "$args"
sort -u -o "$args" "$args"
rm -rf "$out/${pkg//.//}"
"$jextract" -I "$headers" --target-package "$pkg" --header-class-name Videodev2 --output "$out" @"$args" "$headers/v4l2-ffm.h"
echo "generated $(ls "$out/${pkg//.//}" | wc -l) files from $(wc -l < "$args") declarations into $out/${pkg//.//}"
