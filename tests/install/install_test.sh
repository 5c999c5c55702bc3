#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds tests/install/consumer.c against the
# installed package (CMake find_package: shared and static; pkg-config + cc: shared), runs each
# on a few 4104 JSON lines and checks that an alert comes out.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/sbscan/sbscan.h include/sbscan/scanner.h; do
  [ -f "$prefix/$f" ] || { echo "missing $f"; exit 1; }
done
libdir=$(dirname "$(find "$prefix" -name 'libsbscan.a' | head -1)")
[ -f "$libdir/libsbscan.a" ] && [ -e "$libdir/libsbscan.so" ] || { echo "libraries missing"; exit 1; }
[ -f "$libdir/pkgconfig/sbscan.pc" ] || { echo "sbscan.pc missing"; exit 1; }

# Input: a script block in two fragments (the signature cut by the fragment boundary), plus a
# record of no interest.
input=$tmp/events.jsonl
rec() {  # host id n total text
  printf '{"@timestamp":"2024-03-05T14:22:07.452Z","event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","computer_name":"%s","event_id":"4104","provider_name":"Microsoft-Windows-PowerShell","event_data":{"MessageNumber":"%s","MessageTotal":"%s","ScriptBlockId":"%s","ScriptBlockText":"%s"}}}\n' "$1" "$3" "$4" "$2" "$5"
}
{
  rec WS01 11111111-2222-4333-8444-555555555555 2 2 'mikatz -DumpCreds'
  echo '{"winlog":{"event_id":"4688","computer_name":"WS01"}}'
  rec WS01 11111111-2222-4333-8444-555555555555 1 2 'Write-Host start; Invoke-Mi'
} > "$input"

check() {  # name binary
  local out=$tmp/$1.out
  set +e
  "$2" < "$input" > "$out" 2> "$tmp/$1.err"
  local rc=$?
  set -e
  if [ $rc -ne 0 ] || ! grep -q '"host":{"name":"WS01"}\|"host": *{"name": *"WS01"}' "$out" ||
     ! grep -qi 'mimikatz' "$out"; then
    echo "FAIL $1 (rc=$rc)"; cat "$out" "$tmp/$1.err"; exit 1
  fi
  echo "ok $1: $(wc -l < "$out") alert(s); $(cat "$tmp/$1.err")"
}

# 1. CMake package.
cmake -S "$src/tests/install/project" -B "$tmp/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/build" -j 2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
check cmake_shared "$tmp/build/consumer_shared"
check cmake_static "$tmp/build/consumer_static"
# The static binary must not need libsbscan.so.
if ldd "$tmp/build/consumer_static" | grep -q libsbscan; then echo "static binary links libsbscan.so"; exit 1; fi

# 2. pkg-config + cc (shared).
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc -std=c99 -Wall -Werror -o "$tmp/consumer_pc" "$src/tests/install/consumer.c" \
  $(pkg-config --cflags --libs sbscan) -Wl,-rpath,"$libdir"
check pkgconfig_shared "$tmp/consumer_pc"
# The README's "Embedding (C API)" example, exactly as printed there.
awk '/^## Embedding \(C API\)/{s=1} s&&/^```c$/{c=1;next} c&&/^```$/{exit} c' "$src/README.md" > "$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "README example not found"; exit 1; }
cc -std=c99 -Wall -Werror -o "$tmp/example" "$tmp/example.c" \
  $(pkg-config --cflags --libs sbscan) -Wl,-rpath,"$libdir"
check readme_example "$tmp/example"
# 3. pkg-config --static: the archive and its private dependencies.
c++ -o "$tmp/consumer_pc_static" -x c "$src/tests/install/consumer.c" -x none \
  $(pkg-config --cflags sbscan) "$libdir/libsbscan.a" $(pkg-config --static --libs-only-l sbscan | sed 's/-lsbscan//')
check pkgconfig_static "$tmp/consumer_pc_static"
echo "install test passed"
