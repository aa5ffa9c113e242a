#!/usr/bin/env bash
# install-deps.sh — install the Debian/Ubuntu packages ecgr1 needs to build and test.
# Idempotent: installs only what is missing, and says what it does.
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config python3 parallel chromium
  libeigen3-dev libhwy-dev libcli11-dev catch2 nlohmann-json3-dev
  libpcre2-dev libutf8proc-dev libstb-dev libflac-dev libsoxr-dev libpugixml-dev
)
# A clang build also needs clang itself and compiler-rt's builtins.
if [[ "${CXX:-}" == *clang* ]]; then PACKAGES+=(clang libclang-rt-dev); fi
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages are already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
