#!/bin/bash
# How far `ecgr1 check` can be trusted as a gate: builds ecgr1 and the
# accuracy tool, runs `ecgr1 check` on every report of the evaluation set
# (tests/data/check/eval, see its README) and prints per-report and per-claim
# false-alarm rates, planted errors caught, extraction recall and time per
# report. Extra arguments go to the tool (e.g. --require).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$BUILD" -j "$(nproc)" --target ecgr1 ecgr1_check_accuracy > /dev/null
exec "$BUILD/ecgr1_check_accuracy" "$@" tests/data/check/eval/manifest.json "$BUILD/ecgr1"
