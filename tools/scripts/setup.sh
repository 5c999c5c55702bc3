#!/usr/bin/env bash
# Installs what sbscan needs on Debian 12 (only what is missing), then configures and
# builds into ${BUILD_DIR:-build}. Safe to run again; never asks questions.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(cmake ninja-build g++ pkg-config clang-14 libfuzzer-14-dev libclang-rt-14-dev python3
          libhyperscan-dev libre2-dev libsimdjson-dev libabsl-dev
          libbenchmark-dev libgtest-dev libgmock-dev libyaml-cpp-dev
          libcli11-dev zlib1g-dev libssl-dev librdkafka-dev rsyslog
          valgrind ripgrep yara)  # valgrind: perf.callgrind_guard; rg, yara: bench baselines
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
