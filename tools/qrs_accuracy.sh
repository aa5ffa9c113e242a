#!/usr/bin/env bash
# qrs_accuracy.sh — beat-detection accuracy of `ecgr1 measure` on annotated
# records: per record and overall TP/FN/FP, sensitivity (Se) and positive
# predictivity (+P), AAMI EC57-style one-to-one matching in a 150 ms window,
# each record at its own sampling rate. Records annotated only in part (LUDB,
# ecgpuwave) are scored from their first to their last annotation.
#
# Usage: tools/qrs_accuracy.sh [ECGR1_BINARY] [ECG_FOLDER]
#   defaults: build/ecgr1 and ../shared/ecg (the project's ground truth), else
#   tests/data/ecg (the small copies that ship with the project).
set -euo pipefail
PROJECT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath -m "${1:-$PROJECT/build/ecgr1}")
ROOT=${2:-}
if [ -z "$ROOT" ]; then
  if [ -d "$PROJECT/../shared/ecg" ]; then ROOT=$PROJECT/../shared/ecg; else ROOT=$PROJECT/tests/data/ecg; fi
fi
[ -x "$BIN" ] || { echo "qrs_accuracy: $BIN not found; build first (make build)" >&2; exit 2; }

# record (without extension) and its reference annotation file, relative to ROOT
PAIRS="
wfdb-python/sample-data/100 wfdb-python/sample-data/100.atr
cpsc2021/data_8_4 cpsc2021/data_8_4.atr
cpsc2021/data_92_12 cpsc2021/data_92_12.atr
ludb/ludb-ecg ludb/ludb-ecg.ii
muse/muse-sinus muse/muse-sinus.ecgpuwave
"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
while read -r rec ann; do
  [ -n "$rec" ] || continue
  if [ ! -e "$ROOT/$rec.hea" ] || [ ! -e "$ROOT/$ann" ]; then
    echo "skip  $rec (not in $ROOT)"
    continue
  fi
  "$BIN" measure --json --annotations "$ROOT/$ann" "$ROOT/$rec" >"$TMP/$n.json"
  echo "$rec" >"$TMP/$n.name"
  n=$((n + 1))
done <<<"$PAIRS"
python3 - "$TMP" "$n" <<'PY'
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
tp = fn = fp = 0
print(f"{'record':38} {'fs':>6} {'beats':>6} {'TP':>6} {'FN':>4} {'FP':>4} {'Se %':>8} {'+P %':>8}")
for i in range(n):
    j = json.load(open(f"{tmp}/{i}.json"))
    name = open(f"{tmp}/{i}.name").read().strip()
    r = j["reference"]
    tp, fn, fp = tp + r["tp"], fn + r["fn"], fp + r["fp"]
    print(f"{name[-38:]:38} {j['fs_hz']:6g} {r['reference_beats']:6d} {r['tp']:6d} {r['fn']:4d} {r['fp']:4d}"
          f" {100 * r['sensitivity']:8.2f} {100 * r['positive_predictivity']:8.2f}")
se = tp / (tp + fn) if tp + fn else 1.0
pp = tp / (tp + fp) if tp + fp else 1.0
print(f"{'overall':38} {'':6} {tp + fn:6d} {tp:6d} {fn:4d} {fp:4d} {100 * se:8.2f} {100 * pp:8.2f}")
PY
