#!/usr/bin/env bash
# perf.callgrind_guard: counts the instructions (callgrind's Ir) of sbscan's hot path on a small
# fixed generated input and fails when they exceed the committed baseline by more than the
# tolerance. Instruction counts do not move with machine load, so this guard is stable on a
# shared, noisy CI machine where wall-clock gates are not (see tests/perf/README.md).
#
# Usage: callgrind_guard.sh DRIVER SBSCAN_GEN BASELINE_FILE
#   CALLGRIND_TOLERANCE  allowed increase over the baseline (default 0.20 = 20 %)
#   CALLGRIND_BASELINE_IR  use this count instead of the file's (to prove the guard can fail)
# Refresh the baseline with tools/scripts/update_callgrind_baseline.sh.
set -euo pipefail
driver=$1
gen=$2
baseline_file=$3
tolerance=${CALLGRIND_TOLERANCE:-0.20}

# Everything that defines the measurement (the update script sources this file's header).
# shellcheck source=tests/perf/callgrind_input.sh
source "$(dirname "$0")/callgrind_input.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
callgrind_generate_input "$gen" "$tmp/input.jsonl"
sha=$(sha256sum "$tmp/input.jsonl" | cut -d' ' -f1)

read_key() { sed -n "s/^$1 //p" "$baseline_file" | head -1; }
baseline_ir=${CALLGRIND_BASELINE_IR:-$(read_key ir)}
baseline_sha=$(read_key input_sha256)
baseline_backend=$(read_key json_backend)
[ -n "$baseline_ir" ] || { echo "callgrind_guard: no 'ir' line in $baseline_file" >&2; exit 1; }

if [ "$sha" != "$baseline_sha" ]; then
  echo "callgrind_guard: the generated input changed (sha256 $sha, baseline made on" \
       "$baseline_sha): the counts are not comparable. If sbscan-gen changed on purpose," \
       "run tools/scripts/update_callgrind_baseline.sh and commit the new baseline." >&2
  exit 1
fi

start=$(date +%s)
# Same JSON walker as the baseline (an AVX2 CPU and a generic one run different code), and the
# decoders' AVX2 passes (valgrind hides AVX-512 today; pinned so that a host or valgrind with it
# counts the same code).
SBSCAN_JSON_BACKEND=$baseline_backend SBSCAN_SIMD=avx2 CI=1 callgrind_run "$driver" "$tmp/input.jsonl" \
  "$tmp/callgrind.out" > "$tmp/driver.out" 2> "$tmp/valgrind.err" || {
  cat "$tmp/valgrind.err" >&2
  echo "callgrind_guard: the driver failed under valgrind" >&2
  exit 1
}
end=$(date +%s)
ir=$(callgrind_total_ir "$tmp/callgrind.out")
backend=$(sed -n 's/.* json_backend \([a-z0-9_]*\).*/\1/p' "$tmp/driver.out")

echo "driver:   $(cat "$tmp/driver.out")"
echo "input:    $CALLGRIND_INPUT_DESCRIPTION ($(stat -c %s "$tmp/input.jsonl") bytes, sha256 $sha)"
echo "baseline: $baseline_ir Ir ($(read_key made)); json backend $baseline_backend"
python3 - "$ir" "$baseline_ir" "$tolerance" "$backend" "$baseline_backend" "$((end - start))" <<'PY'
import sys
ir, base, tol = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
backend, base_backend, seconds = sys.argv[4], sys.argv[5], sys.argv[6]
ratio = ir / base
print(f"measured: {ir} Ir in the hot path; ratio {ratio:.4f} to the baseline "
      f"(fails above {1 + tol:.2f} or below {1 - 2 * tol:.2f}); valgrind took {seconds} s")
if backend != base_backend:
    print(f"callgrind_guard: this CPU ran the '{backend}' JSON walker, the baseline "
          f"'{base_backend}': counts are not comparable", file=sys.stderr)
    sys.exit(1)
if ratio > 1 + tol:
    print(f"callgrind_guard: FAIL: {100 * (ratio - 1):.1f} % more instructions than the "
          f"baseline. Find the cause with callgrind_annotate (see tests/perf/README.md); if "
          f"the cost is wanted, refresh the baseline with "
          f"tools/scripts/update_callgrind_baseline.sh and say why in the commit.",
          file=sys.stderr)
    sys.exit(1)
# A baseline far above the hot path no longer guards it (a 20 % regression would pass):
# below 1 - 2 * tol the guard fails until the gain is locked in.
if ratio < 1 - 2 * tol:
    print(f"callgrind_guard: FAIL: {100 * (1 - ratio):.1f} % fewer instructions than the "
          f"baseline: it is stale and would let a {100 * tol:.0f} % regression pass. Refresh it "
          f"(tools/scripts/update_callgrind_baseline.sh) and commit it with the change.",
          file=sys.stderr)
    sys.exit(1)
if ratio < 1 - tol:
    print(f"note: {100 * (1 - ratio):.1f} % fewer instructions than the baseline: refresh it "
          f"(tools/scripts/update_callgrind_baseline.sh) to keep the gain")
PY
