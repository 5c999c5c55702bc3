#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer (-DSBSCAN_SANITIZE=ON,
# g++) into ${ASAN_BUILD_DIR:-build-asan}, without benchmarks, and runs the test suite under
# ctest with leak detection on and every sanitizer report fatal. CI runs it after test.sh.
#
# Excluded (meaningless under ASan):
#   install.consumer  installs the build tree and links tests/install/consumer.c against the
#                     installed libsbscan.a/.so with a plain `cc`, without -fsanitize: the
#                     instrumented library cannot link into an uninstrumented program. It tests
#                     packaging, not memory safety; the C API it drives is covered by c_api_test.
# Usage: sanitize.sh [extra ctest args...]
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
JOBS=${JOBS:-$(nproc)}
start=$(date +%s)
# -O1 keeps compile time and ASan's slowdown both moderate; -g1 is enough for symbolized stacks.
cmake -S . -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DSBSCAN_SANITIZE=ON -DSBSCAN_BUILD_BENCH=OFF -DSBSCAN_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
built=$(date +%s)

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Tests fork/exec the instrumented sbscan CLI, which inherits the options above.
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" \
  -E '^install\.consumer$' "$@"
end=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((end - built)) s" >&2
