#!/usr/bin/env bash
# Configures the libFuzzer targets (tests/fuzz, -DSBSCAN_FUZZ=ON, clang-14, ASan+UBSan) into
# ${FUZZ_BUILD_DIR:-build-fuzz}, builds them, builds their seed corpora from ../shared and the
# repository (tests/fuzz/build_seed_corpus.py, into the build folder), and runs every target for
# a bounded time. Fails on any crash, leak, timeout or out-of-memory; the reproducer is kept in
# build-fuzz/artifacts/<target>/. CI runs `fuzz.sh 20`.
# Usage: fuzz.sh [seconds_per_target] [target...]
# (Fixed libFuzzer seed FUZZ_SEED, default 1, so that CI runs are reproducible; FUZZ_SEED=0 is random.)
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_TARGET=${1:-20}
shift || true
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
SHARED_DIR=${SBSCAN_SHARED_DIR:-$(cd .. && pwd)/shared}
JOBS=${JOBS:-$(nproc)}
CC=${FUZZ_CC:-clang-14}
CXX=${FUZZ_CXX:-clang++-14}

start=$(date +%s)
if [ -z "${FUZZ_SKIP_BUILD:-}" ]; then  # FUZZ_SKIP_BUILD=1: rerun the targets already built
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1" \
  -DSBSCAN_FUZZ=ON -DSBSCAN_BUILD_BENCH=OFF -DSBSCAN_SHARED_DIR="$SHARED_DIR" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target fuzz_all
fi
built=$(date +%s)

seeds=$BUILD_DIR/fuzz-seeds
rm -rf "$seeds"
python3 tests/fuzz/build_seed_corpus.py "$PWD" "$SHARED_DIR" "$seeds" >&2

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < "$BUILD_DIR/tests/fuzz/fuzz_targets.txt"; fi
failed=()
for t in "${targets[@]}"; do
  work=$BUILD_DIR/fuzz-corpus/$t     # grows across runs in one build folder; seeds stay apart
  art=$BUILD_DIR/artifacts/$t/
  mkdir -p "$work" "$art" "$seeds/$t"
  log=$BUILD_DIR/fuzz-$t.log
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s" >&2
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "$BUILD_DIR/tests/fuzz/$t" "$work" "$seeds/$t" \
       -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -seed="${FUZZ_SEED:-1}" \
       -max_len=131072 -artifact_prefix="$art" -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+.*DONE' "$log" | \
      tr '\n' ' ' | sed "s/^/fuzz: $t: /" >&2
    echo >&2
  else
    echo "fuzz: $t FAILED (log: $log, reproducer in $art)" >&2
    grep -A40 -m1 -E 'ERROR: |runtime error|Timeout|out-of-memory' "$log" >&2 || tail -40 "$log" >&2
    failed+=("$t")
  fi
done
end=$(date +%s)
echo "fuzz: build $((built - start)) s, fuzzing $((end - built)) s, ${#targets[@]} targets" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
