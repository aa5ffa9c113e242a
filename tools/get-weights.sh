#!/usr/bin/env bash
# get-weights.sh — download the released ECG-R1-8B-RL checkpoint (about 17.7 GB)
# and convert it to weights/ECG-R1-8B-RL.ecgr1. Run it yourself when you want
# the real model; nothing in the build or at run time downloads anything.
#
# Usage: tools/get-weights.sh [--type bf16|f32|q8|q4] [--dir DOWNLOAD_DIR]
# (--type: see "Weight types" in README.md; q8 is about 10 GB, q4 about 6.3 GB)
# Needs: the `huggingface-cli` (pip install -U huggingface_hub) or `git lfs`,
# about 36 GB of free disk (download + converted file), and a built ecgr1
# (make build).
set -euo pipefail
REPO=PKUDigitalHealth/ECG-R1-8B-RL
TYPE=bf16
DIR=weights/hf/ECG-R1-8B-RL
while [ $# -gt 0 ]; do
  case "$1" in
    --type) TYPE=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    *) echo "usage: $0 [--type bf16|f32|q8|q4] [--dir DOWNLOAD_DIR]" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/ecgr1
[ -x "$BIN" ] || { echo "get-weights: build ecgr1 first (make build)" >&2; exit 1; }
mkdir -p "$DIR"
if command -v huggingface-cli >/dev/null; then
  huggingface-cli download "$REPO" --local-dir "$DIR" \
    --include "*.json" "*.safetensors" "merges.txt" "vocab.json"
elif command -v git >/dev/null && git lfs version >/dev/null 2>&1; then
  [ -d "$DIR/.git" ] || git clone "https://huggingface.co/$REPO" "$DIR"
else
  echo "get-weights: install huggingface_hub (pip install -U huggingface_hub) or git-lfs first" >&2
  exit 1
fi
"$BIN" convert-weights "$DIR" -o "$ROOT/weights/ECG-R1-8B-RL.ecgr1" --type "$TYPE"
echo "get-weights: done: $ROOT/weights/ECG-R1-8B-RL.ecgr1 (you may delete $DIR)"
