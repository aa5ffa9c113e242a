#!/usr/bin/env bash
# cli_test.sh — the ecgr1 binary through its command line, on real and broken files.
# Usage: cli_test.sh path/to/ecgr1 path/to/tests/data [EMULATOR]
# (EMULATOR, e.g. qemu-aarch64, runs a cross-compiled binary.)
# Every bad input must give exactly one "ecgr1: ..." line on stderr naming the
# file, the documented non-zero exit code, and leave no output file behind.
set -u
BIN=$(realpath "$1")
DATA=$2
GOLD=$DATA/golden_a
TMP=$(mktemp -d /tmp/ecgr1_cli_XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ -n "${3:-}" ]; then
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$3" "$BIN" >"$TMP/ecgr1-emulated"
  chmod +x "$TMP/ecgr1-emulated"
  BIN=$TMP/ecgr1-emulated
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE NEEDLE -- command...: exit code CODE, one stderr line containing NEEDLE.
expect() {
  local code=$1 needle=$2
  shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$TMP/err")
  if [ "$rc" != "$code" ]; then bad "exit $rc (want $code): $* :: $(head -c 300 "$TMP/err")"; return; fi
  if [ "$code" != 0 ] && [ "$lines" != 1 ]; then bad "want one stderr line, got $lines: $*"; cat "$TMP/err"; return; fi
  if ! grep -qF -- "$needle" "$TMP/err"; then bad "stderr lacks '$needle': $* :: $(cat "$TMP/err")"; return; fi
  ok
}

# --- convert, info, tokenize, interpret on the golden checkpoint -------------
"$BIN" convert-weights "$GOLD/model" -o "$TMP/tiny.ecgr1" --type f32 2>"$TMP/err" && ok || bad "convert f32: $(cat "$TMP/err")"
"$BIN" convert-weights "$GOLD/model" -o "$TMP/tiny_bf16.ecgr1" 2>"$TMP/err" && ok || bad "convert bf16: $(cat "$TMP/err")"
[ ! -e "$TMP/tiny.ecgr1.tmp."* ] 2>/dev/null && ok || bad "temporary file left behind"

"$BIN" info "$TMP/tiny.ecgr1" >"$TMP/info" 2>&1 && grep -q "RANDOM-WEIGHT" "$TMP/info" && ok || bad "info: $(cat "$TMP/info")"
"$BIN" info --json "$TMP/tiny_bf16.ecgr1" >"$TMP/info.json" && python3 - "$TMP/info.json" <<'PY' && ok || bad "info --json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["tensors"] == 906 or j["tensors"] > 100, j["tensors"]
assert j["random_weights"] is True
assert "bf16" in j["types"] and "f32" in j["types"], j["types"]
assert j["text"]["vocab"] == 151672
PY

"$BIN" tokenize -m "$TMP/tiny.ecgr1" --json -- "QTc 452 ms" >"$TMP/tok.json" &&
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["ids"]==[43678,66,220,19,20,17,9829], j' "$TMP/tok.json" && ok || bad "tokenize"
"$BIN" tokenize -m "$TMP/tiny.ecgr1" --json -- "<|im_end|>" >"$TMP/tok2.json" &&
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert 151645 not in j["ids"], j' "$TMP/tok2.json" && ok || bad "tokenize must not parse specials by default"
"$BIN" tokenize -m "$TMP/tiny.ecgr1" --special --json -- "<|im_end|>" >"$TMP/tok3.json" &&
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["ids"]==[151645], j' "$TMP/tok3.json" && ok || bad "tokenize --special"
echo -n "Hello world" | "$BIN" tokenize -m "$TMP/tiny.ecgr1" - >"$TMP/tok4" && grep -q "^9707" "$TMP/tok4" && ok || bad "tokenize from stdin"

# The golden text-only case from the command line: exact greedy tokens.
PROMPT=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["cases"]["text_only"]["messages"][1]["content"], end="")' "$GOLD/manifest.json")
WANT=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["cases"]["text_only"]["generated_ids"])' "$GOLD/manifest.json")
for m in tiny.ecgr1 tiny_bf16.ecgr1; do
  "$BIN" interpret -m "$TMP/$m" -p "$PROMPT" --temp 0 -n 16 --json >"$TMP/gen.json" 2>"$TMP/err" &&
    python3 - "$TMP/gen.json" "$WANT" <<'PY' && ok || bad "interpret --json greedy tokens ($m): $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
want = json.loads(sys.argv[2])
assert j["tokens"] == want, (j["tokens"], want)
assert j["prompt_tokens"] == 42 and j["finish_reason"] == "length"
for k in ("text", "timings"): assert k in j
PY
done
grep -q "RANDOM-WEIGHT" "$TMP/err" && ok || bad "random-weight note missing on stderr"
# Same prompt via stdin and via --messages.
printf '%s' "$PROMPT" | "$BIN" interpret -m "$TMP/tiny.ecgr1" -p - -n 16 --json 2>/dev/null >"$TMP/gen2.json" &&
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["tokens"]==json.loads(sys.argv[2])' "$TMP/gen2.json" "$WANT" && ok || bad "interpret -p -"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps({"messages": m["cases"]["text_only"]["messages"]}))' "$GOLD/manifest.json" >"$TMP/msgs.json"
"$BIN" interpret -m "$TMP/tiny.ecgr1" --messages "$TMP/msgs.json" -n 16 --json 2>/dev/null >"$TMP/gen3.json" &&
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["tokens"]==json.loads(sys.argv[2])' "$TMP/gen3.json" "$WANT" && ok || bad "interpret --messages"
# Streaming text mode prints the decoded text.
"$BIN" interpret -m "$TMP/tiny.ecgr1" -p "$PROMPT" -n 16 2>/dev/null >"$TMP/gen.txt" && [ -s "$TMP/gen.txt" ] && ok || bad "interpret text mode"
ECGR1_MODEL="$TMP/tiny.ecgr1" "$BIN" interpret -p "$PROMPT" -n 2 >/dev/null 2>&1 && ok || bad "ECGR1_MODEL not used"
# Speculative decoding: the same tokens with and without drafts; a draft store
# grows with each output and makes the next identical run draft more.
"$BIN" interpret -m "$TMP/tiny.ecgr1" -p "$PROMPT" -n 120 --json --no-draft 2>/dev/null >"$TMP/nd.json" &&
  "$BIN" interpret -m "$TMP/tiny.ecgr1" -p "$PROMPT" -n 120 --json --draft-store "$TMP/store" --draft-max 6 2>/dev/null >"$TMP/d1.json" &&
  "$BIN" interpret -m "$TMP/tiny.ecgr1" -p "$PROMPT" -n 120 --json --draft-store "$TMP/store" --draft-max 6 2>/dev/null >"$TMP/d2.json" &&
  python3 - "$TMP/nd.json" "$TMP/d1.json" "$TMP/d2.json" <<'PY' && ok || bad "interpret drafting"
import json, sys
nd, d1, d2 = (json.load(open(p)) for p in sys.argv[1:])
assert nd["tokens"] == d1["tokens"] == d2["tokens"], "drafting changed the output"
assert not nd["draft"]["enabled"] and nd["draft"]["drafted"] == 0
assert d1["draft"]["enabled"] and d2["draft"]["accepted"] > d1["draft"]["accepted"], (d1["draft"], d2["draft"])
assert d2["draft"]["tokens_per_step"] > 1.5
PY
python3 -c 'import json; print(json.dumps({"response": open("'"$TMP"'/gen.txt").read()}))' >"$TMP/corpus.jsonl"
"$BIN" interpret -m "$TMP/tiny.ecgr1" -p "$PROMPT" -n 16 --json --draft-corpus "$TMP/corpus.jsonl" 2>/dev/null >"$TMP/dc.json" &&
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["tokens"]==json.loads(sys.argv[2]) and j["draft"]["accepted"]>0, j["draft"]' "$TMP/dc.json" "$WANT" && ok || bad "interpret --draft-corpus"
echo '{"id": 1}' >"$TMP/nocorpus.jsonl"
expect 3 "nocorpus.jsonl:1" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" -p hi -n 2 --draft-corpus "$TMP/nocorpus.jsonl"
# render: the bundled record as a printout, PNG and SVG; refusals leave no file.
EX=$(dirname "$DATA")/../examples
"$BIN" render "$EX/HR06000" -o "$TMP/ecg.png" --dpi 100 2>"$TMP/err" &&
  python3 - "$TMP/ecg.png" <<'PY' && ok || bad "render PNG: $(cat "$TMP/err")"
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", b[16:24])
assert (w, h) == (1063, 453), (w, h)  # 270 x 115 mm at 100 dpi
PY
"$BIN" render "$EX/HR06000" -o "$TMP/ecg.svg" --layout 12x1 2>"$TMP/err" && grep -c 'class="lead"' "$TMP/ecg.svg" | grep -qx 12 &&
  ok || bad "render SVG: $(cat "$TMP/err")"
expect 2 "ecg.jpg" -- "$BIN" render "$EX/HR06000" -o "$TMP/ecg.jpg"
[ ! -e "$TMP/ecg.jpg" ] && ok || bad "render left a file"
expect 3 "nope" -- "$BIN" render "$TMP/nope.hea" -o "$TMP/none.png"
expect 2 "--start" -- "$BIN" render "$EX/HR06000" -o "$TMP/none.png" --start 20
[ ! -e "$TMP/none.png" ] && ok || bad "render left a file after an error"

# interpret --render: the record's printout (2126 x 906 at 200 dpi) as its image; Qwen's smart_resize with
# factor 32 and at most 768 x 32 x 32 pixels (spec preprocessing.md) makes it 1344 x 576: 18 x 42 = 756 tokens.
"$BIN" interpret -m "$TMP/tiny.ecgr1" --ecg "$EX/HR06000" --render -n 2 --json 2>"$TMP/err" >"$TMP/rend.json" &&
  python3 - "$TMP/rend.json" <<'PY' && ok || bad "interpret --render: $(cat "$TMP/err")"
import json, sys
im = json.load(open(sys.argv[1]))["inputs"]["image"][0]
assert (im["width"], im["height"]) == (2126, 906), im
assert (im["resized_width"], im["resized_height"], im["tokens"]) == (1344, 576, 756), im
PY

# The drafter replayed over the five real ECG-R1 outputs (needs only the tokenizer: the real Qwen one).
"$BIN" bench -m "$TMP/tiny.ecgr1" --draft-replay "$DATA/drafts/real-outputs.jsonl" --draft-max 6 --json 2>"$TMP/err" >"$TMP/replay.json" &&
  python3 - "$TMP/replay.json" <<'PY' && ok || bad "bench --draft-replay: $(cat "$TMP/err")"
import json, sys
r = json.load(open(sys.argv[1]))["draft_replay"]
fo, lo = r["file_order"], r["leave_one_out"]
assert fo["outputs"] == lo["outputs"] == 5 and fo["tokens"] > 3000
# Measured 1.79 and 2.24: the first output has nothing earlier to draft from.
assert 1.5 < fo["tokens_per_step"] < lo["tokens_per_step"] < 3, (fo["tokens_per_step"], lo["tokens_per_step"])
assert sum(fo["steps_by_width"]) == fo["steps"]
PY
"$BIN" bench --synthetic tiny --only decode,verify,batch --batch 4 -n 16 -r 1 --json 2>"$TMP/err" >"$TMP/vb.json" &&
  python3 - "$TMP/vb.json" <<'PY' && ok || bad "bench verify and batch: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert len(j["verify_pass_ms"]) == len(j["verify_widths"]) == 9 and all(v > 0 for v in j["verify_pass_ms"])
assert j["batch"] == 4 and j["batch_decode_tokens_per_s"] > 0
PY
expect 2 "replay" -- "$BIN" bench --synthetic tiny --only replay
head -c 20 "$TMP/store" >"$TMP/cutstore"
expect 3 "cutstore" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" -p hi -n 2 --draft-store "$TMP/cutstore"

# The golden ECG-only case from the command line: record in, exact greedy tokens out.
ECG_PROMPT=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["cases"]["ecg_only"]["messages"][1]["content"][1]["text"], end="")' "$GOLD/manifest.json")
ECG_WANT=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["cases"]["ecg_only"]["generated_ids"])' "$GOLD/manifest.json")
"$BIN" interpret -m "$TMP/tiny.ecgr1" --ecg "$GOLD/inputs/ecg_A.hea" --lead-order file -p "<ecg>$ECG_PROMPT" -n 16 --json \
  >"$TMP/ecg.json" 2>"$TMP/err" && python3 - "$TMP/ecg.json" "$ECG_WANT" <<'PY' && ok || bad "interpret --ecg greedy tokens: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["tokens"] == json.loads(sys.argv[2]), j["tokens"]
assert j["prompt_tokens"] == 146, j["prompt_tokens"]
rep = j["inputs"]["ecg"][0]
assert rep["resampled"] is False and rep["lead_order"] == "file", rep
PY
expect 3 "nope" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" --ecg "$TMP/nope.hea" -n 2
cp "$GOLD/inputs/ecg_A.hea" "$TMP/short.hea"; head -c 1000 "$GOLD/inputs/ecg_A.dat" >"$TMP/short.dat"
sed -i 's/ecg_A.dat/short.dat/; s/^ecg_A /short /' "$TMP/short.hea"
expect 3 "short" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" --ecg "$TMP/short" -n 2

# The golden image cases (and ECG + image) from the command line: exact greedy tokens.
for case in image_noresize image_resize ecg_image; do
  python3 - "$GOLD/manifest.json" "$case" "$GOLD/inputs" >"$TMP/args" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["cases"][sys.argv[2]]
text = "".join({"ecg": "<ecg>", "image": "<image>"}.get(p["type"], p.get("text", "")) for p in c["messages"][1]["content"])
print(json.dumps({"prompt": text, "image": sys.argv[3] + "/" + c["image"].split("/")[-1], "want": c["generated_ids"],
                  "ecg": c["ecg_record"] is not None, "n": c["n_tokens"]}))
PY
  P=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["prompt"], end="")' "$TMP/args")
  IMG=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' "$TMP/args")
  EXTRA=()
  python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["ecg"] else 1)' "$TMP/args" &&
    EXTRA=(--ecg "$GOLD/inputs/ecg_A" --lead-order file)
  "$BIN" interpret -m "$TMP/tiny.ecgr1" --image "$IMG" "${EXTRA[@]}" -p "$P" -n 16 --json >"$TMP/img.json" 2>"$TMP/err" &&
    python3 - "$TMP/img.json" "$TMP/args" <<'PY' && ok || bad "interpret $case: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
assert j["tokens"] == a["want"], (j["tokens"], a["want"])
assert j["prompt_tokens"] == a["n"], j["prompt_tokens"]
im = j["inputs"]["image"][0]
assert im["tokens"] * 4 == im["grid_thw"][1] * im["grid_thw"][2], im
PY
done
printf 'GIF89a\x01\x00\x01\x00\x00\x00\x00;' >"$TMP/x.gif"
expect 3 "x.gif" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" --image "$TMP/x.gif" -n 2
head -c 2000 "$GOLD/inputs/image_resize_90x141.png" >"$TMP/cut.png"
expect 3 "cut.png" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" --image "$TMP/cut.png" -n 2
python3 - "$TMP/huge.png" <<'PY'
# A PNG header declaring 10000 x 10000 pixels (100 megapixels), valid CRCs, tiny file.
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
ihdr = struct.pack(">IIBBBBB", 10000, 10000, 8, 2, 0, 0, 0)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
PY
expect 3 "huge.png" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" --image "$TMP/huge.png" -n 2

# The bundled example: a real 12-lead record and a 2200 x 1700 rendered page with the trained prompt.
EX=$(dirname "$DATA")/../examples
"$BIN" interpret -m "$TMP/tiny.ecgr1" --ecg "$EX/HR06000" --image "$EX/ptbxl_00002_hr.png" -n 2 --json >"$TMP/ex.json" 2>"$TMP/err" &&
  python3 - "$TMP/ex.json" <<'PY' && ok || bad "example: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["prompt_tokens"] == 911, j["prompt_tokens"]  # spec preprocessing.md 2.4: 66 + 101 + 744
im = j["inputs"]["image"][0]
assert (im["resized_width"], im["resized_height"], im["tokens"]) == (992, 768, 744), im
ecg = j["inputs"]["ecg"][0]
assert ecg["resampled"] is False and ecg["fs_in"] == 500, ecg
PY

# --- ECG tower from the ECG-CoCa .pt ---------------------------------------------
"$BIN" convert-weights "$GOLD/model" -o "$TMP/tiny_pt.ecgr1" --ecg-tower "$GOLD/model/ecg_tower.pt" 2>"$TMP/err" && ok || bad "convert --ecg-tower: $(cat "$TMP/err")"
python3 -c 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("archive/data.pkl", b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R."); z.close()' "$TMP/evil.pt"
expect 4 "forbidden global os.system" -- "$BIN" convert-weights "$GOLD/model" -o "$TMP/evil.ecgr1" --ecg-tower "$TMP/evil.pt"
python3 -c 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1],"w",compression=zipfile.ZIP_DEFLATED); z.writestr("archive/data.pkl", b"\x80\x02}."); z.close()' "$TMP/deflate.pt"
expect 4 "compressed zip entries are not supported" -- "$BIN" convert-weights "$GOLD/model" -o "$TMP/deflate.ecgr1" --ecg-tower "$TMP/deflate.pt"
[ ! -e "$TMP/evil.ecgr1" ] && [ ! -e "$TMP/deflate.ecgr1" ] && ok || bad "output left behind after a refused .pt"

# --- measure: no model needed ---------------------------------------------------------
"$BIN" measure --json "$DATA/ecg/cpsc2021/data_8_4" >"$TMP/m.json" 2>"$TMP/err" && python3 - "$TMP/m.json" <<'PY' && ok || bad "measure data_8_4: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert len(j["beats"]) == 51, len(j["beats"])  # the annotation file has 51 beats, all matched by the unit test
assert j["rr"]["regular"] is False  # an atrial fibrillation excerpt
assert j["fs_hz"] == 200 and all(isinstance(b["sample"], int) for b in j["beats"])
PY
"$BIN" measure "$DATA/ecg/cpsc2021/data_92_12" >"$TMP/m.txt" && grep -q "^beats  *71 " "$TMP/m.txt" && ok || bad "measure text: $(cat "$TMP/m.txt")"
expect 3 "nope" -- "$BIN" measure "$TMP/nope.hea"
expect 3 "short" -- "$BIN" measure "$TMP/short"

# The GE MUSE XML export: the full measurement set against the machine's own values.
"$BIN" measure --json "$DATA/ecg/muse/muse-sinus.xml" >"$TMP/muse.json" 2>"$TMP/err" && python3 - "$TMP/muse.json" <<'PY' && ok || bad "measure MUSE XML: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["format"] == "GE MUSE XML" and len(j["leads"]) == 12 and len(j["beats"]) == 15
iv = j["intervals"]  # GE 12SL: PR 144, QRS 86, QT 402 ms; axes P 48, QRS 0, T 111
assert abs(iv["pr_ms"] - 144) <= 5 and abs(iv["qrs_ms"] - 86) <= 5 and abs(iv["qt_ms"] - 402) <= 12, iv
assert abs(j["axes"]["qrs_deg"]) <= 15 and abs(j["axes"]["t_deg"] - 111) <= 15, j["axes"]
assert j["rhythm"]["label"] == "sinus rhythm" and j["amplitudes_plausible"] is True and j["warnings"] == []
for l in j["leads"]:
    assert l["quality"]["usable"] and l["amplitudes"]["r_mv"] is not None, l["lead"]
PY
# Its WFDB conversion (amplitudes 5x too large): the plausibility warning names the lead.
"$BIN" measure "$DATA/ecg/muse/muse-sinus" >"$TMP/m5.txt" 2>"$TMP/err" && grep -q "^warning .*V4.*voltage claims are not judged" "$TMP/m5.txt" && ok || bad "measure gain gate: $(cat "$TMP/m5.txt")"
# Beats scored against reference annotations.
"$BIN" measure --json --annotations "$DATA/ecg/cpsc2021/data_92_12.atr" "$DATA/ecg/cpsc2021/data_92_12" >"$TMP/ref.json" 2>"$TMP/err" && python3 - "$TMP/ref.json" <<'PY' && ok || bad "measure --annotations: $(cat "$TMP/err")"
import json, sys
r = json.load(open(sys.argv[1]))["reference"]
assert (r["reference_beats"], r["tp"], r["fn"], r["fp"]) == (71, 71, 0, 0), r
PY
"$(dirname "$0")/../tools/qrs_accuracy.sh" "$BIN" "$DATA/ecg" >"$TMP/acc.txt" 2>&1 && grep -q "^overall .* 100.00 *100.00$" "$TMP/acc.txt" && ok || bad "tools/qrs_accuracy.sh: $(cat "$TMP/acc.txt")"
# The all-zero record: measured, nothing found, said so; exit 0.
"$BIN" measure --json "$DATA/ecg/edge/bad-ecg" >"$TMP/zero.json" 2>"$TMP/err" && python3 - "$TMP/zero.json" <<'PY' && ok || bad "measure bad-ecg: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["beats"] == [] and j["intervals"]["qrs_ms"] is None and j["heart_rate_bpm"] is None
assert any("no beats" in w for w in j["warnings"]) and all(l["quality"]["flat"] for l in j["leads"])
PY
head -c 3000 "$DATA/ecg/muse/muse-sinus.xml" >"$TMP/cut.xml"
expect 3 "cut.xml" -- "$BIN" measure "$TMP/cut.xml"
echo '<AnnotatedECG/>' >"$TMP/aecg.xml"
expect 3 "not a GE MUSE" -- "$BIN" measure "$TMP/aecg.xml"
printf '\001' >"$TMP/one.atr"
expect 3 "one.atr: no beat annotations" -- "$BIN" measure --annotations "$TMP/one.atr" "$DATA/ecg/cpsc2021/data_92_12"
expect 3 "not a regular file" -- "$BIN" measure --annotations "$TMP" "$DATA/ecg/cpsc2021/data_92_12"
expect 3 "nothere.atr" -- "$BIN" measure --annotations "$TMP/nothere.atr" "$DATA/ecg/cpsc2021/data_92_12"

# --- usage errors ----------------------------------------------------------
expect 2 "" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" --temp -1
expect 2 "" -- "$BIN" interpret --no-such-flag
expect 2 "" -- "$BIN" convert-weights "$GOLD/model" -o "$TMP/x.ecgr1" --type q9
[ ! -e "$TMP/x.ecgr1" ] && ok || bad "output left after usage error"
expect 2 "<ecg> tag" -- "$BIN" interpret -m "$TMP/tiny.ecgr1" -p "<ecg> what is this?" -n 2

# --- missing model -----------------------------------------------------------
(cd "$TMP" && env -u ECGR1_MODEL "$BIN" interpret -p hi >"$TMP/out" 2>"$TMP/err"); rc=$?
[ "$rc" = 4 ] && grep -q "get-weights.sh" "$TMP/err" && ok || bad "no-model hint (rc $rc): $(cat "$TMP/err")"
expect 4 "nope.ecgr1" -- "$BIN" info "$TMP/nope.ecgr1"

# --- broken checkpoints: one line naming the problem, exit 4, no output file --
mkckpt() { rm -rf "$TMP/ck"; cp -r "$GOLD/model" "$TMP/ck"; chmod -R u+w "$TMP/ck"; }
convert_fails() {  # NEEDLE
  rm -f "$TMP/broken.ecgr1"
  expect 4 "$1" -- "$BIN" convert-weights "$TMP/ck" -o "$TMP/broken.ecgr1"
  [ ! -e "$TMP/broken.ecgr1" ] && ! ls "$TMP"/broken.ecgr1.tmp.* >/dev/null 2>&1 && ok || bad "partial output left ($1)"
}
SHARD1=model-00001-of-00002.safetensors
mkckpt; truncate -s 1000000 "$TMP/ck/$SHARD1"; convert_fails "$SHARD1"
mkckpt; truncate -s 4 "$TMP/ck/$SHARD1"; convert_fails "$SHARD1"
mkckpt; python3 - "$TMP/ck/$SHARD1" <<'PY'
# Make the second tensor's offsets overlap the first.
import json, struct, sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
names = sorted((k for k in h if k != "__metadata__"), key=lambda k: h[k]["data_offsets"][0])
h[names[1]]["data_offsets"][0] -= 2
s = json.dumps(h, separators=(",", ":")).encode(); s += b" " * (n - len(s))
assert len(s) == n; b[8:8 + n] = s; open(p, "wb").write(b)
PY
convert_fails "$SHARD1"
mkckpt; python3 - "$TMP/ck" <<'PY'
# Wrong shape: swap the dims of a decoder matrix (same byte size).
import json, struct, sys, glob
for p in sorted(glob.glob(sys.argv[1] + "/*.safetensors")):
    b = bytearray(open(p, "rb").read()); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
    k = "model.language_model.layers.0.mlp.gate_proj.weight"
    if k in h:
        h[k]["shape"] = h[k]["shape"][::-1]
        s = json.dumps(h, separators=(",", ":")).encode(); s += b" " * (n - len(s)); b[8:8 + n] = s; open(p, "wb").write(b)
PY
convert_fails "gate_proj.weight has shape"
mkckpt; python3 - "$TMP/ck" <<'PY'
# A tensor missing from the index and its shard cannot be faked simply: drop it from the index only.
import json, sys
p = sys.argv[1] + "/model.safetensors.index.json"; j = json.load(open(p))
del j["weight_map"]["lm_head.weight"]; json.dump(j, open(p, "w"))
PY
convert_fails "lm_head.weight"
mkckpt; python3 - "$TMP/ck" <<'PY'
import json, sys
p = sys.argv[1] + "/model.safetensors.index.json"; j = json.load(open(p))
j["weight_map"]["lm_head.weight"] = "../evil.safetensors"; json.dump(j, open(p, "w"))
PY
convert_fails "evil.safetensors"
mkckpt; python3 - "$TMP/ck" <<'PY'
import json, sys
p = sys.argv[1] + "/tokenizer.json"; j = json.load(open(p)); del j["model"]["merges"]; json.dump(j, open(p, "w"))
PY
convert_fails "tokenizer.json"
mkckpt; echo '{"text_config": {' >"$TMP/ck/config.json"; convert_fails "config.json"
mkckpt; rm "$TMP/ck/model-00002-of-00002.safetensors"; convert_fails "model-00002-of-00002.safetensors"

# --- bench on the tiny model ---------------------------------------------------------
"$BIN" bench -m "$TMP/tiny_bf16.ecgr1" -r 2 -p 32 -n 4 --json >"$TMP/bench.json" 2>"$TMP/err" && python3 - "$TMP/bench.json" <<'PY' && ok || bad "bench --json: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("prefill_tokens_per_s", "decode_tokens_per_s", "weight_bytes_per_token", "bandwidth_bytes_per_s",
          "decode_ceiling_fraction", "ecg_tower_ms", "vision_ms", "ttft_ms", "peak_rss_bytes"):
    assert isinstance(j[k], (int, float)) and j[k] > 0, (k, j[k])
assert j["weight_type"] == "bf16" and j["random_weights"] is True and j["repetitions"] == 2
assert j["shapes"]["layers"] >= 1 and j["prefill_tokens"] == 32 and j["decode_tokens"] == 4
assert j["decode_tokens_per_s_spread"]["min"] <= j["decode_tokens_per_s"] <= j["decode_tokens_per_s_spread"]["max"]
PY
expect 4 "nothere.ecgr1" -- "$BIN" bench -m "$TMP/nothere.ecgr1"
expect 2 "" -- "$BIN" bench -m "$TMP/tiny_bf16.ecgr1" -n 1

# --- quantized weights: convert q4, info, interpret, bench, bench --synthetic tiny ----
"$BIN" convert-weights "$GOLD/model" -o "$TMP/tiny_q4.ecgr1" --type q4 2>"$TMP/err" && ok || bad "convert q4: $(cat "$TMP/err")"
"$BIN" info --json --tensors "$TMP/tiny_q4.ecgr1" >"$TMP/info_q4.json" && python3 - "$TMP/info_q4.json" <<'PY' && ok || bad "info --json --tensors (q4)"
import json, sys
j = json.load(open(sys.argv[1]))
t = {x["name"]: x["type"] for x in j["tensor_list"]}
assert len(t) == j["tensors"]
assert j["provenance"]["weight_type"] == "q4"
assert t["lm_head.weight"] == "q8" and t["model.language_model.embed_tokens.weight"] == "q4"
for m in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"):
    assert t["model.language_model.layers.3.%s.weight" % m] == "q4", m
assert t["model.visual.blocks.0.attn.qkv.weight"] == "bf16" and t["model.visual.patch_embed.proj.weight"] == "bf16"
assert t["model.ecg_tower.conv1.weight"] == "bf16" and t["model.ecg_projector.2.weight"] == "bf16"
assert t["model.language_model.norm.weight"] == "f32" and t["model.visual.blocks.0.attn.qkv.bias"] == "f32"
assert set(j["types"]) == {"f32", "bf16", "q8", "q4"}, j["types"]
assert j["bits_per_weight"]["text_matrices"] == 4.5, j["bits_per_weight"]
assert 4.5 < j["bits_per_weight"]["all"] < 8.5, j["bits_per_weight"]
assert j["types"]["q4"]["nominal_bits_per_weight"] == 4.5 and j["types"]["q8"]["nominal_bits_per_weight"] == 8.5
assert sum(v["bytes"] for v in j["types"].values()) == j["tensor_bytes"]
PY
"$BIN" info --tensors "$TMP/tiny_q4.ecgr1" >"$TMP/info_q4.txt" && grep -q "4.50 for the text decoder" "$TMP/info_q4.txt" &&
  grep -Eq "lm_head.weight +q8 " "$TMP/info_q4.txt" && ok || bad "info --tensors: $(head -5 "$TMP/info_q4.txt")"
"$BIN" interpret -m "$TMP/tiny_q4.ecgr1" -p "$PROMPT" -n 4 --json 2>"$TMP/err" >"$TMP/gen_q4.json" &&
  python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["tokens"]) == 4' "$TMP/gen_q4.json" && ok || bad "interpret with q4 weights: $(cat "$TMP/err")"
# bench's bytes per token: the stored bytes of every layer, the final norm, lm_head and one embedding row.
"$BIN" bench -m "$TMP/tiny_q4.ecgr1" -r 1 -p 16 -n 4 --json >"$TMP/bench_q4.json" 2>"$TMP/err" && python3 - "$TMP/bench_q4.json" "$TMP/info_q4.json" <<'PY' && ok || bad "bench q4: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1])); info = json.load(open(sys.argv[2]))
want = 0
for x in info["tensor_list"]:
    n = x["name"]
    if n.startswith("model.language_model.layers.") or n in ("model.language_model.norm.weight", "lm_head.weight"):
        want += x["bytes"]
    if n == "model.language_model.embed_tokens.weight":
        want += x["bytes"] // x["shape"][0]
assert j["weight_bytes_per_token"] == want, (j["weight_bytes_per_token"], want)
assert j["type"] == "q4" and j["synthetic"] is None
PY
SHM=$TMP/shm
mkdir -p "$SHM"
ECGR1_SYNTHETIC_DIR=$SHM "$BIN" bench --synthetic tiny -r 1 -p 16 -n 4 --json >"$TMP/bench_syn.json" 2>"$TMP/err" &&
  python3 - "$TMP/bench_syn.json" <<'PY' && ok || bad "bench --synthetic tiny --json: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("prefill_tokens_per_s", "decode_tokens_per_s", "weight_bytes_per_token", "bandwidth_bytes_per_s",
          "decode_ceiling_fraction", "ecg_tower_ms", "vision_ms", "ttft_ms", "peak_rss_bytes", "file_bytes",
          "synthetic_generation_ms"):
    assert isinstance(j[k], (int, float)) and j[k] > 0, (k, j[k])
assert j["type"] == "q4" and j["synthetic"] == "tiny" and j["random_weights"] is True and j["threads"] >= 1
assert j["shapes"]["vocab"] == 151936 and j["shapes"]["layers"] == 2 and j["ctx"] >= 20 and j["model"] is None
PY
[ -z "$(ls -A "$SHM")" ] && ok || bad "bench --synthetic left files behind: $(ls "$SHM")"
ECGR1_SYNTHETIC_DIR=$SHM "$BIN" bench --synthetic tiny --type bf16 -r 1 -p 16 -n 2 --ctx 2048 >"$TMP/bench_syn.txt" 2>"$TMP/err" &&
  grep -q "SYNTHETIC tiny: random bf16 weights" "$TMP/bench_syn.txt" && grep -q "KV cache 2048 tokens" "$TMP/bench_syn.txt" &&
  [ -z "$(ls -A "$SHM")" ] && ok || bad "bench --synthetic tiny --type bf16: $(cat "$TMP/err" "$TMP/bench_syn.txt")"
expect 2 "" -- "$BIN" bench --synthetic 9b
expect 2 "not both" -- "$BIN" bench -m "$TMP/tiny_q4.ecgr1" --synthetic tiny
expect 2 "--type" -- "$BIN" bench -m "$TMP/tiny_q4.ecgr1" --type q8
expect 2 "too small" -- "$BIN" bench --synthetic 8b --ctx 100
ECGR1_SYNTHETIC_DIR=$SHM/nope expect 5 "needs" -- "$BIN" bench --synthetic tiny

# --only runs just the phases asked for; the others are null in the JSON.
"$BIN" bench -m "$TMP/tiny_q4.ecgr1" -r 1 -p 16 -n 4 --only decode,tower --json >"$TMP/bench_only.json" 2>"$TMP/err" &&
  python3 - "$TMP/bench_only.json" <<'PY' && ok || bad "bench --only decode,tower: $(cat "$TMP/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["phases"] == ["decode", "tower"], j["phases"]
assert j["decode_tokens_per_s"] > 0 and j["ecg_tower_ms"] > 0, j
assert j["prefill_tokens_per_s"] is None and j["vision_ms"] is None and j["ttft_ms"] is None, j
PY
expect 2 "" -- "$BIN" bench -m "$TMP/tiny_q4.ecgr1" --only prefil

# ECGR1_MAX_ISA caps the kernels (and says so); a level of no architecture is refused.
ECGR1_MAX_ISA=scalar "$BIN" bench -m "$TMP/tiny_q4.ecgr1" -r 1 -p 8 -n 2 --only decode --json >"$TMP/bench_isa.json" 2>"$TMP/err" &&
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["isa"]=="scalar" and j["quant_path"]=="highway", j' \
    "$TMP/bench_isa.json" && ok || bad "ECGR1_MAX_ISA=scalar: $(cat "$TMP/err")"
ECGR1_MAX_ISA=pentium expect 2 "ECGR1_MAX_ISA=pentium" -- "$BIN" info "$TMP/tiny_q4.ecgr1"

# Progress goes to stderr only when it is a terminal, and never into stdout.
python3 - "$BIN" "$TMP/tiny_q4.ecgr1" <<'PY' && ok || bad "progress on a terminal"
import os, pty, subprocess, sys
binary, model = sys.argv[1], sys.argv[2]
def run(args):
    master, slave = pty.openpty()
    p = subprocess.Popen([binary] + args, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    out = p.communicate()[0]
    assert p.returncode == 0, (args, p.returncode, err)
    return out.decode(), err.decode()
out, err = run(["bench", "-m", model, "-r", "1", "-p", "16", "-n", "8", "--only", "prefill,decode"])
assert "\r" in err and "prefill of 16 tokens" in err and "decode of 8 tokens" in err, err
assert "\r" not in out and "prefill " in out and "decode " in out, out
out, err = run(["interpret", "-m", model, "-p", "hi", "-n", "4", "--json"])
assert "prefill of" in err and "generating" in err and err.rstrip().endswith("\x1b[K"), err  # erased at the end
assert out.startswith("{") and "\r" not in out, out
PY

# --- broken .ecgr1 files ---------------------------------------------------------
SIZE=$(stat -c %s "$TMP/tiny_bf16.ecgr1")
for cut in 0 7 64 1000 100000 $((SIZE / 2)) $((SIZE - 1)); do
  head -c "$cut" "$TMP/tiny_bf16.ecgr1" >"$TMP/cut.ecgr1"
  expect 4 "cut.ecgr1" -- "$BIN" info "$TMP/cut.ecgr1"
done
head -c 100 /dev/urandom >"$TMP/rand.ecgr1"; expect 4 "rand.ecgr1" -- "$BIN" info "$TMP/rand.ecgr1"
expect 4 "" -- "$BIN" interpret -m "$TMP/cut.ecgr1" -p hi

# --- output that cannot be written -----------------------------------------------
expect 5 "/nonexistent-dir/x.ecgr1" -- "$BIN" convert-weights "$GOLD/model" -o /nonexistent-dir/x.ecgr1

# --- check ---------------------------------------------------------------------
# `ecgr1 check`: claims of an ECG-R1 output judged against a record; exit 0 nothing
# contradicted, 1 something contradicted, 2 any bad input. Self-contained: uses only
# tests/data/check (our own real-style outputs, see its README) and tests/data/ecg.
CK=$DATA/check
CKT=$TMP/check
mkdir -p "$CKT"
HR6=$DATA/ecg/cinc2021/HR06000
# No record: every claim listed, none judged, exit 0.
"$BIN" check "$CK/hr06000.txt" --json >"$CKT/none.json" 2>"$CKT/err" && python3 - "$CKT/none.json" <<'PY' && ok || bad "check without record: $(cat "$CKT/err")"
import json, sys
j = json.load(open(sys.argv[1]))
s, cl = j["summary"], j["claims"]
assert 20 <= s["claims"] <= 30 and s["claims"] == len(cl), s
assert s["unverifiable"] == s["claims"] and s["supported"] == 0 and s["contradicted"] == 0, s
assert j["measurements"] is None and j["record"] is None
assert any("no record" in w for w in j["warnings"]), j["warnings"]
for c in cl:
    for k in ("step", "kind", "text", "start", "end", "byte_start", "byte_end", "claimed", "claimed_hi", "relation",
              "negated", "leads", "measured", "unit", "verdict", "reason"):
        assert k in c, (k, c)
    assert c["verdict"] == "unverifiable" and c["measured"] is None
st = j["structure"]
assert st["steps"] == [1, 2, 3, 4, 5, 6] and st["answer_labels"] == ["Sinus rhythm", "T wave abnormality"], st
assert st["problems"] == [], st
assert j["rewards"] == {"format": 1.0}, j["rewards"]
PY
"$BIN" check "$CK/hr06000.txt" >"$CKT/none.txt" 2>"$CKT/err" && grep -q "^summary .* 0 contradicted" "$CKT/none.txt" &&
  grep -q "^Step 2" "$CKT/none.txt" && ok || bad "check text report: $(cat "$CKT/err")"
"$BIN" check --help | grep -q "1 at least one claim contradicted" && ok || bad "check --help documents the exit status"

# --solution: the three rewards (hand-computed: evidence (1 + 1/2 + 1) / 3 counted steps, weight 2; diagnosis 1/3).
printf '%s\n' '<|answer|>Sinus rhythm; Normal ECG<|/answer|>' \
  '<|key_diagnostic_evidence|>step_1_technical_rate_rhythm: heart rate is 70 bpm; rhythm is regular' \
  'step_2_conduction_axis_intervals: QRS duration is narrow; left axis deviation' \
  'step_3_chamber_hypertrophy_voltage: ' \
  'step_6_final_medical_reasoning: sinus rhythm<|/key_diagnostic_evidence|>' >"$CKT/sol.txt"
EVIDENCE_WEIGHT=2 "$BIN" check "$CK/hr06000.txt" --solution "$CKT/sol.txt" --json >"$CKT/sol.json" 2>"$CKT/err" &&
  python3 - "$CKT/sol.json" <<'PY' && ok || bad "check --solution rewards: $(cat "$CKT/err")"
import json, sys
r = json.load(open(sys.argv[1]))["rewards"]
assert r["format"] == 1.0, r
assert abs(r["evidence"] - 2 * 2.5 / 3) < 1e-9, r["evidence"]
assert abs(r["diagnosis"] - 1 / 3) < 1e-9, r["diagnosis"]
d = r["evidence_detail"]
assert d["weight"] == 2 and d["counted_steps"] == 3, d
assert d["steps"][0]["hit"] == [True, True] and d["steps"][1]["hit"] == [True, False], d["steps"][:2]
assert d["steps"][2]["counted"] is False and d["steps"][5]["score"] == 1.0, d["steps"]
PY

# Standard input (explicit "-" and by default), and the --json of `interpret` as input.
"$BIN" check "$CK/hr06000.txt" --json >"$CKT/file.json" 2>/dev/null
"$BIN" check - --json <"$CK/hr06000.txt" >"$CKT/stdin.json" 2>"$CKT/err" && cmp -s <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j.pop("input"); print(json.dumps(j))' "$CKT/file.json") \
  <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j.pop("input"); print(json.dumps(j))' "$CKT/stdin.json") && ok || bad "check from stdin: $(cat "$CKT/err")"
"$BIN" check <"$CK/hr06000.txt" >"$CKT/stdin2.txt" 2>"$CKT/err" && grep -q "^summary" "$CKT/stdin2.txt" && ok || bad "check reads stdin by default: $(cat "$CKT/err")"
python3 -c 'import json,sys; print(json.dumps({"text": open(sys.argv[1]).read(), "tokens": [1, 2], "finish_reason": "stop"}))' "$CK/hr06000.txt" >"$CKT/interp.json"
"$BIN" check "$CKT/interp.json" --json >"$CKT/interp.out" 2>"$CKT/err" && python3 - "$CKT/interp.out" "$CKT/file.json" <<'PY' && ok || bad "check on interpret --json: $(cat "$CKT/err")"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["claims"] == b["claims"] and a["summary"] == b["summary"]
PY

# Offsets: "start"/"end" count Unicode code points of the model text, byte_start/byte_end bytes.
printf 'Fr\xc3\xa9quence \xe2\x80\x94 \xf0\x9f\x92\x93 The heart rate is 72 bpm and the QRS duration is 0.09 s.\n' >"$CKT/utf8.txt"
"$BIN" check "$CKT/utf8.txt" --json >"$CKT/utf8.json" 2>"$CKT/err" && python3 - "$CKT/utf8.txt" "$CKT/utf8.json" <<'PY' && ok || bad "check offsets: $(cat "$CKT/err")"
import json, sys
raw = open(sys.argv[1], "rb").read(); text = raw.decode("utf-8")
cl = json.load(open(sys.argv[2]))["claims"]
assert len(cl) >= 2, cl
for c in cl:
    assert text[c["start"]:c["end"]] == c["text"], c
    assert raw[c["byte_start"]:c["byte_end"]].decode("utf-8") == c["text"], c
    assert c["byte_start"] > c["start"], c
PY

# The real-style test through the command line: a wrong rate (150 bpm) and QRS (160 ms) on HR06000
# (69 bpm, QRS < 110 ms) are contradicted, exit 1; compared with the unedited text, exactly those two.
"$BIN" check "$CK/hr06000.txt" --ecg "$HR6" --json >"$CKT/good.json" 2>"$CKT/err"; rc_good=$?
"$BIN" check "$CK/hr06000-wrong-rate-qrs.txt" --ecg "$HR6" --json >"$CKT/bad.json" 2>"$CKT/err2"; rc_bad=$?
[ "$rc_bad" = 1 ] && python3 - "$CKT/good.json" "$CKT/bad.json" "$rc_good" <<'PY' && ok || bad "check wrong rate/QRS (rc $rc_bad): $(cat "$CKT/err2")"
import json, sys
from collections import Counter
g, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
key = lambda j: Counter((c["kind"], c["text"]) for c in j["claims"] if c["verdict"] == "contradicted")
added = key(b) - key(g)
assert added == Counter({("heart_rate", "heart rate is 150 bpm"): 1,
                         ("qrs", "QRS duration is narrow at approximately 160 ms"): 1}), added
assert int(sys.argv[3]) == (1 if key(g) else 0)
hr = [c for c in b["claims"] if c["text"] == "heart rate is 150 bpm"][0]
assert hr["claimed"] == 150 and 60 < hr["measured"] < 80 and hr["unit"] == "bpm", hr
assert b["measurements"]["beats"] == 12 and b["summary"]["contradicted"] >= 2
PY
"$BIN" check "$CK/hr06000-wrong-rate-qrs.txt" --ecg "$HR6" >"$CKT/bad.txt" 2>/dev/null
[ $? = 1 ] && grep -q "contradicted  *heart_rate .*150 bpm" "$CKT/bad.txt" && ok || bad "check text report: wrong rate not flagged"

# The all-zero record: no beats, every claim unverifiable, exit 0.
"$BIN" check "$CK/hr06000-wrong-rate-qrs.txt" --ecg "$DATA/ecg/edge/bad-ecg" --json >"$CKT/zero.json" 2>"$CKT/err" &&
  python3 - "$CKT/zero.json" <<'PY' && ok || bad "check on bad-ecg: $(cat "$CKT/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["summary"]["unverifiable"] == j["summary"]["claims"] > 0, j["summary"]
assert j["measurements"]["beats"] == 0 and any("no beats" in w for w in j["warnings"]), j["warnings"]
PY

# Hostile model text: binary garbage, no crash, still a report.
head -c 300000 /dev/urandom >"$CKT/garbage.txt"
"$BIN" check "$CKT/garbage.txt" --ecg "$HR6" --json >"$CKT/garbage.json" 2>"$CKT/err"; rc=$?
{ [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$CKT/garbage.json" && ok || bad "check on garbage (rc $rc): $(cat "$CKT/err")"

# Bad input: exit 2, one stderr line naming the file, nothing on stdout.
check_fails() {  # NEEDLE -- args...
  local needle=$1
  shift 2
  expect 2 "$needle" -- "$BIN" check "$@"
  [ ! -s "$TMP/out" ] && ok || bad "check printed a partial report on error: $*"
}
: >"$CKT/empty.sol"
head -c 2000 /dev/urandom >"$CKT/garbage.sol"
cp "$HR6.hea" "$CKT/cut.hea"; head -c 5000 "$HR6.mat" >"$CKT/HR06000.mat"
sed -i 's/^HR06000 /cut /' "$CKT/cut.hea"
check_fails "nope.txt" -- "$CKT/nope.txt"
check_fails "$CKT" -- "$CKT"
check_fails "empty.sol" -- "$CK/hr06000.txt" --solution "$CKT/empty.sol"
check_fails "garbage.sol" -- "$CK/hr06000.txt" --solution "$CKT/garbage.sol"
check_fails "nope.sol" -- "$CK/hr06000.txt" --solution "$CKT/nope.sol"
check_fails "nope.hea" -- "$CK/hr06000.txt" --ecg "$CKT/nope.hea"
check_fails "cut" -- "$CK/hr06000.txt" --ecg "$CKT/cut"
check_fails "standard input" -- - --solution -
check_fails "" -- "$CK/hr06000.txt" --no-such-flag
EVIDENCE_WEIGHT=heavy check_fails "EVIDENCE_WEIGHT" -- "$CK/hr06000.txt" --solution "$CKT/sol.txt"
"$BIN" check "$CK/hr06000-wrong-rate-qrs.txt" --ecg "$HR6" >/dev/null 2>"$CKT/err1"; rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$CKT/err1")" = 1 ] && grep -q "2 claims contradicted" "$CKT/err1" && ok || bad "check exit 1 says so on stderr: $(cat "$CKT/err1")"
# --- end of check ------------------------------------------------------------------

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
