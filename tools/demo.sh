#!/usr/bin/env bash
# demo.sh — the main job on the bundled example, with whatever model is available.
#
# Without the real model (17 GB, tools/get-weights.sh) it converts the tiny
# RANDOM-WEIGHT test checkpoint from tests/data and runs interpret on it, so the
# whole pipeline (checkpoint -> .ecgr1 -> tokenizer -> decoder -> sampler ->
# streamed text) runs for real — but that text is meaningless and labelled so.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/ecgr1
ECG=$ROOT/examples/HR06000
IMAGE=$ROOT/examples/ptbxl_00002_hr.png

echo "== ecgr1 measure examples/HR06000   (the signal itself, no model needed)"
"$BIN" measure "$ECG"

# render: the record as the standard printout (25 mm/s, 10 mm/mV).
"$BIN" render "$ECG" -o "$ROOT/build/HR06000.png"
echo "== ecgr1 render examples/HR06000 -o build/HR06000.png   (the 12-lead printout: open it)"

# check: claims of an interpretation judged against the record. The text is
# hand-written in ECG-R1's protocol style with two deliberate errors (rate and
# QRS duration), not model output: tests/data/check/README.md.
TEXT=$ROOT/tests/data/check/hr06000-wrong-rate-qrs.txt
echo
echo "== ecgr1 check tests/data/check/hr06000-wrong-rate-qrs.txt --ecg examples/HR06000"
echo "   (a HAND-WRITTEN example text with two deliberate errors, not model output)"
rc=0
"$BIN" check "$TEXT" --ecg "$ECG" --html "$ROOT/build/HR06000-check.html" || rc=$?
[ "$rc" = 1 ] && echo "== check exit status 1: contradicted claims found (as planted); the evidence report: build/HR06000-check.html"
[ "$rc" -le 1 ] || exit "$rc"
echo

MODEL=${ECGR1_MODEL:-}
[ -z "$MODEL" ] && [ -f "$ROOT/weights/ECG-R1-8B-RL.ecgr1" ] && MODEL=$ROOT/weights/ECG-R1-8B-RL.ecgr1
if [ -n "$MODEL" ]; then
  echo "== ecgr1 info $MODEL"
  "$BIN" info "$MODEL"
  echo "== ecgr1 interpret -m $MODEL --ecg examples/HR06000 --image examples/ptbxl_00002_hr.png"
  OUT=$(mktemp /tmp/ecgr1_demo_XXXXXX.txt)
  "$BIN" interpret -m "$MODEL" --ecg "$ECG" --image "$IMAGE" | tee "$OUT"
  echo
  echo "== ecgr1 check (the output above) --ecg examples/HR06000"
  rc=0
  "$BIN" check "$OUT" --ecg "$ECG" || rc=$?
  rm -f "$OUT"
  [ "$rc" -le 1 ] || exit "$rc"
  exit 0
fi

echo "== No real model found (-m, \$ECGR1_MODEL or weights/ECG-R1-8B-RL.ecgr1)."
echo "   To get it: tools/get-weights.sh (downloads 17.7 GB and converts it)."
echo "   Running the pipeline on the tiny RANDOM-WEIGHT test model instead: its text is meaningless."
TINY=$ROOT/build/tiny-random-test-model.ecgr1
"$BIN" convert-weights "$ROOT/tests/data/golden_a/model" -o "$TINY" --random-weights
echo "== ecgr1 info $TINY"
"$BIN" info "$TINY"
echo "== ecgr1 interpret -m $TINY --ecg examples/HR06000 --image examples/ptbxl_00002_hr.png -n 24 --json   (RANDOM WEIGHTS)"
"$BIN" interpret -m "$TINY" --ecg "$ECG" --image "$IMAGE" -n 24 --json
