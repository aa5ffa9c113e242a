#!/usr/bin/env bash
# html_test.sh — `check --html` opened in a real browser (headless chromium):
# the page of the bundled planted-error example loads with no console
# message, has one mark per claim (as many as check --json counts), the two
# planted errors marked contradicted, stays under 2 MB, and its screenshot
# shows the trace (dark pixels where the printout is). The screenshot of the
# example is kept in tests/data/html/ for a person to look at.
# Usage: html_test.sh path/to/ecgr1 path/to/project [EMULATOR]
set -u
BIN=$(realpath "$1")
ROOT=$(realpath "$2")
TMP=$(mktemp -d /tmp/ecgr1_html_XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ -n "${3:-}" ]; then
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$3" "$BIN" >"$TMP/ecgr1-emulated"
  chmod +x "$TMP/ecgr1-emulated"
  BIN=$TMP/ecgr1-emulated
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "FAIL: chromium is not installed (tools/install-deps.sh installs it)"
  exit 1
fi
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
TEXT=$ROOT/tests/data/check/hr06000-wrong-rate-qrs.txt
"$BIN" check "$TEXT" --ecg "$ROOT/examples/HR06000" --json --html "$TMP/report.html" >"$TMP/report.json" 2>/dev/null
[ $? = 1 ] || bad "check --html exit status (want 1: two planted errors)"
[ -s "$TMP/report.html" ] || bad "no page written"
[ "$(stat -c %s "$TMP/report.html")" -lt 2000000 ] || bad "page over 2 MB"
grep -qE '(src|href)="https?:' "$TMP/report.html" && bad "the page loads something from the network"
run() { HOME=$TMP timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run \
  --enable-logging=stderr --v=0 "$@" "file://$TMP/report.html"; }
run --dump-dom >"$TMP/dom.html" 2>"$TMP/chromium.log" || bad "chromium --dump-dom failed: $(tail -3 "$TMP/chromium.log")"
grep -q "CONSOLE" "$TMP/chromium.log" && bad "console messages: $(grep CONSOLE "$TMP/chromium.log" | head -3)"
python3 - "$TMP/dom.html" "$TMP/report.json" <<'PY' || bad "marks in the loaded page"
import json, re, sys
dom, rep = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
marks = re.findall(r'<mark class="claim (\w+)"', dom)
assert len(marks) == rep["summary"]["claims"] == len(rep["claims"]), (len(marks), rep["summary"])
assert marks.count("contradicted") == rep["summary"]["contradicted"] == 2, marks.count("contradicted")
assert len(re.findall(r'class="lead"', dom)) == 13 and 'class="median"' in dom
assert all(re.search(r'id="tip-%d"' % (i + 1), dom) for i in range(len(marks)))
PY
run --window-size=1300,2400 --screenshot="$TMP/shot.png" >/dev/null 2>>"$TMP/chromium.log" || bad "screenshot failed"
python3 - "$TMP/shot.png" <<'PY' || bad "screenshot"
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h, depth, ctype = struct.unpack(">IIBB", b[16:26])
assert (w, h) == (1300, 2400) and depth == 8 and ctype in (2, 6), (w, h, depth, ctype)
# Decode (filters 0-4) and count dark pixels in the printout's area, the top fifth.
idat, i = b"", 8
while i < len(b):
    n, t = struct.unpack(">I4s", b[i:i + 8])
    if t == b"IDAT": idat += b[i + 8:i + 8 + n]
    i += 12 + n
raw, bpp = zlib.decompress(idat), 3 if ctype == 2 else 4
stride, prev, dark = w * bpp, bytearray(w * bpp), 0
for y in range(h // 5):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        c = prev[x - bpp] if x >= bpp else 0
        p = a + prev[x] - c
        pred = [0, a, prev[x], (a + prev[x]) // 2,
                a if abs(p - a) <= abs(p - prev[x]) and abs(p - a) <= abs(p - c) else prev[x] if abs(p - prev[x]) <= abs(p - c) else c][f]
        line[x] = (line[x] + pred) & 255
    dark += sum(1 for x in range(0, stride, bpp) if line[x] < 60 and line[x + 1] < 60 and line[x + 2] < 60)
    prev = line
assert dark > 5000, dark  # the trace and the labels
PY
[ -n "${ECGR1_KEEP_SCREENSHOT:-}" ] && cp "$TMP/shot.png" "$ROOT/tests/data/html/example-report.png"
[ "$fail" = 0 ] && echo "html_test: passed" || echo "html_test: $fail failed"
[ "$fail" = 0 ]
