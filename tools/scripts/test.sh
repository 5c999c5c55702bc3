#!/usr/bin/env bash
# Sets up (installs missing Debian packages, configures, builds) and runs the whole
# test suite through ctest. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" ${CTEST_ARGS:-}
