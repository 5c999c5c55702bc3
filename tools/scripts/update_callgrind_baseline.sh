#!/usr/bin/env bash
# Refreshes tests/perf/callgrind_baseline.txt, the instruction count that perf.callgrind_guard
# compares with. Run it (and commit the file, saying why) when:
#   - a change makes the hot path costlier on purpose (a new decoder, more rules) and the guard
#     fails: the new cost is accepted, the guard protects the new level;
#   - a change makes it cheaper (the guard prints a note below 80 % and fails below 60 %): lock the gain in;
#   - sbscan-gen's output changed (the guard says the input sha256 changed), or the toolchain
#     or the CI machine's CPU class changed.
# Never to silence a regression nobody has explained.
# Usage: tools/scripts/update_callgrind_baseline.sh  (BUILD_DIR=build; builds what it needs)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" --target callgrind_driver sbscan-gen >/dev/null
driver=$BUILD_DIR/tests/perf/callgrind_driver
gen=$BUILD_DIR/tools/sbscan-gen
# shellcheck source=tests/perf/callgrind_input.sh
source tests/perf/callgrind_input.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
callgrind_generate_input "$gen" "$tmp/input.jsonl"
SBSCAN_SIMD=avx2 CI=1 callgrind_run "$driver" "$tmp/input.jsonl" "$tmp/callgrind.out" > "$tmp/driver.out" \
  2> "$tmp/valgrind.err" || { cat "$tmp/valgrind.err" >&2; exit 1; }
ir=$(callgrind_total_ir "$tmp/callgrind.out")
backend=$(sed -n 's/.* json_backend \([a-z0-9_]*\).*/\1/p' "$tmp/driver.out")
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD_DIR/CMakeCache.txt")
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
out=tests/perf/callgrind_baseline.txt
{
  echo "# Instructions (callgrind Ir) of sbscan's hot path: tests/perf/callgrind_driver (bundled"
  echo "# rules, default options, one thread) reading, parsing, reassembling, decoding, matching"
  echo "# and formatting the alerts of the input below; rule compilation is not counted."
  echo "# Made by tools/scripts/update_callgrind_baseline.sh; checked by perf.callgrind_guard"
  echo "# (tests/perf/callgrind_guard.sh, fails above +20 %)."
  echo "ir $ir"
  echo "input $CALLGRIND_INPUT_DESCRIPTION"
  echo "input_sha256 $(sha256sum "$tmp/input.jsonl" | cut -d' ' -f1)"
  echo "driver_output $(cat "$tmp/driver.out")"
  echo "json_backend $backend"
  echo "made $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $build_type," \
       "$("$compiler" --version | head -1), $(valgrind --version)," \
       "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "command cd DIR && SBSCAN_SIMD=avx2 CI=1 valgrind --tool=callgrind --instr-atstart=no $driver input.jsonl"
} > "$out"
cat "$out"
