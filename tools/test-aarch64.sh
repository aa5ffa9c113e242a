#!/usr/bin/env bash
# test-aarch64.sh — build ecgr1 for arm64 with Debian's cross compiler and run
# the whole test suite under qemu-aarch64, on an x86-64 Debian/Ubuntu machine.
#
#   tools/test-aarch64.sh            install what is missing, build, test
#   BUILD=dir JOBS=n tools/test-aarch64.sh
#
# Installs (once, as root or with sudo): the cross compiler, qemu-user, and
# the arm64 builds of the libraries through Debian multiarch
# (dpkg --add-architecture arm64). Under qemu, the CPU has dotprod, so the
# suite runs the NEON dotprod path at the top level and the plain NEON path
# through the instruction-set levels the tests pin (ECGR1_MAX_ISA=neon).
# Takes about 10 minutes on 2 cores (qemu is 5-20x slower than native); not
# part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-aarch64}
JOBS=${JOBS:-$(nproc)}
CROSS=(g++-aarch64-linux-gnu qemu-user)
ARM64=(libhwy-dev libpcre2-dev libutf8proc-dev libflac-dev libsoxr-dev libpugixml-dev libgomp1 libstdc++6)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${CROSS[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${ARM64[@]}"; do installed "$p:arm64" || missing+=("$p:arm64"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "test-aarch64: adding the arm64 architecture (dpkg --add-architecture arm64)"
    $SUDO dpkg --add-architecture arm64
  fi
  echo "test-aarch64: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
tools/install-deps.sh  # the architecture-independent headers (Eigen, CLI11, Catch2, JSON, stb)

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$PWD/tools/aarch64-toolchain.cmake"
cmake --build "$BUILD" -j "$JOBS"
file "$BUILD/ecgr1" | grep -q "ARM aarch64" || { echo "test-aarch64: $BUILD/ecgr1 is not an arm64 binary"; exit 1; }
echo "test-aarch64: $(qemu-aarch64 "$BUILD/ecgr1" bench --synthetic tiny -r 1 -p 8 -n 2 | grep '^run')"
cd "$BUILD" && ctest --output-on-failure -j "$JOBS"
