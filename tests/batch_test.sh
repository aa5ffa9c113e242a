#!/usr/bin/env bash
# batch_test.sh — `--batch` of interpret, measure and check through the real
# binary: results per record, error records, refused job files, --resume after
# a cut-short line, SIGINT, 10 SIGKILLs of a 200-record run each resumed (the
# final file must hold each id once and equal an uninterrupted run's), and 4
# shards run by GNU parallel merging into a single run's results.
# Usage: batch_test.sh path/to/ecgr1 path/to/tests/data [EMULATOR]
# Interpret runs the tiny random-weight golden model (its text means nothing).
set -u
BIN=$(realpath "$1")
DATA=$(realpath "$2")
TMP=$(mktemp -d /tmp/ecgr1_batch_XXXXXX)
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
cd "$TMP"

# Records compared without what depends on the run (wall-clock timings).
cat >same.py <<'PY'
import json, sys
def load(p, drop):
    out = {}
    for n, line in enumerate(open(p), 1):
        r = json.loads(line)
        for k in drop:
            r.pop(k, None)
        key = json.dumps(r["id"])
        assert key not in out, f"{p}:{n}: id {key} twice"
        out[key] = r
    return out
drop = sys.argv[3].split(",") if len(sys.argv) > 3 else ["timings"]
a, b = load(sys.argv[1], drop), load(sys.argv[2], drop)
assert a.keys() == b.keys(), (sorted(set(a) ^ set(b)))[:5]
for k in a:
    assert a[k] == b[k], f"record {k} differs"
PY

# --- measure: results, an error record, refusals ---------------------------
E=$DATA/ecg/cinc2021
mkdir sub
printf '{"id":"a","ecg":"%s/HR06001"}\n\n{"id":2,"ecg":"nope"}\n{"id":"c","ecg":"%s/HR06004","median_beats":true}\n' "$E" "$E" >sub/jobs.jsonl
"$BIN" measure --batch sub/jobs.jsonl -o m.jsonl 2>err
rc=$?
python3 - m.jsonl <<'PY' && [ $rc = 3 ] && grep -q "1 of 3 records failed" err && ok || bad "measure --batch (rc $rc): $(cat err)"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["id"] for x in r] == ["a", 2, "c"]
assert r[0]["beats"] and r[0]["record"].endswith("HR06001")
assert r[1]["exit_code"] == 3 and "sub/nope" in r[1]["error"]  # relative to the job file
assert "median_beat" in json.dumps(r[2]) or "median_beats" in json.dumps(r[2])
PY
"$BIN" measure --batch sub/jobs.jsonl -o m.jsonl 2>err
[ $? = 2 ] && grep -q "add --resume" err && ok || bad "existing results without --resume: $(cat err)"
"$BIN" measure --batch sub/jobs.jsonl -o m.jsonl --resume 2>err && [ "$(wc -l <m.jsonl)" = 3 ] && ok || bad "--resume with nothing left"
printf '{"id":"a","ecg":"x"}\n{"id":"a","ecg":"y"}\n' >dup.jsonl
"$BIN" measure --batch dup.jsonl -o d.jsonl 2>err
[ $? = 3 ] && grep -q 'dup.jsonl:2: duplicate id "a"' err && [ ! -e d.jsonl ] && ok || bad "duplicate id: $(cat err)"
printf '{"id":"a","ecg":"x"}\n{"id":\n' >broken.jsonl
"$BIN" measure --batch broken.jsonl -o d.jsonl 2>err
[ $? = 3 ] && grep -q "broken.jsonl:2: not a JSON object" err && [ ! -e d.jsonl ] && ok || bad "broken job line: $(cat err)"
printf '{"ecg":"x"}\n' >noid.jsonl
"$BIN" measure --batch noid.jsonl -o d.jsonl 2>err
[ $? = 3 ] && grep -q 'noid.jsonl:1: no "id"' err && ok || bad "job without id: $(cat err)"
"$BIN" measure --batch sub/jobs.jsonl -o d.jsonl --shard 4/4 2>err
[ $? = 2 ] && grep -q "0 <= i < n" err && ok || bad "bad shard: $(cat err)"
# A last line cut short (a crash while writing) is dropped and redone.
head -c 100 m.jsonl >cut.jsonl
"$BIN" measure --batch sub/jobs.jsonl -o cut.jsonl --resume 2>err
[ $? = 3 ] && python3 same.py m.jsonl cut.jsonl timings,measure_ms && ok || bad "resume after a cut-short line: $(cat err)"

# --- check: verdicts per record, exit 1 when something is contradicted -------
C=$DATA/check
printf '{"id":"t","output":"%s/hr06000.txt","ecg":"%s/HR06000"}\n{"id":"w","output":"%s/hr06000-wrong-rate-qrs.txt","ecg":"%s/HR06000"}\n{"id":"x","text":"<think>no record</think>"}\n' "$C" "$E" "$C" "$E" >cj.jsonl
"$BIN" check --batch cj.jsonl -o c.jsonl 2>err
rc=$?
python3 - c.jsonl <<'PY' && [ $rc = 1 ] && ok || bad "check --batch (rc $rc): $(cat err)"
import json, sys
r = {x["id"]: x for x in map(json.loads, open(sys.argv[1]))}
assert r["t"]["summary"]["contradicted"] == 0, r["t"]["summary"]
assert r["w"]["summary"]["contradicted"] > 0
assert r["x"]["record"] is None
PY

# --- interpret: batched decoding gives each record its own tokens -------------
"$BIN" convert-weights "$DATA/golden_a/model" -o tiny.ecgr1 --type q8 2>/dev/null || bad "convert"
python3 - <<'PY'
import json
with open("jobs200.jsonl", "w") as f:
    for i in range(200):
        j = {"id": f"r{i:03d}", "prompt": f"Record {i}: sinus rhythm, rate {60 + i % 40}", "max_new_tokens": 12 + i % 23}
        if i % 50 == 7:
            j["ecg"] = "missing.hea"  # an error record
        f.write(json.dumps(j) + "\n")
with open("jobs16.jsonl", "w") as f:
    for i in range(16):
        f.write(json.dumps({"id": i, "prompt": f"Record {i}", "max_new_tokens": 20 + i}) + "\n")
PY
"$BIN" interpret -m tiny.ecgr1 --batch jobs16.jsonl -o p1.jsonl 2>/dev/null &&
  "$BIN" interpret -m tiny.ecgr1 --batch jobs16.jsonl -o p4.jsonl --parallel 4 2>/dev/null &&
  "$BIN" interpret -m tiny.ecgr1 --batch jobs16.jsonl -o nd.jsonl --no-draft 2>/dev/null &&
  python3 same.py p1.jsonl p4.jsonl timings,draft && python3 same.py p1.jsonl nd.jsonl timings,draft &&
  ok || bad "interpret --batch: --parallel 4 or --no-draft changed the tokens"
"$BIN" interpret -m nomodel.ecgr1 --batch jobs16.jsonl -o none.jsonl 2>err
[ $? = 4 ] && [ ! -e none.jsonl ] && ok || bad "a batch without its model left a results file: $(cat err)"
"$BIN" interpret -m tiny.ecgr1 --batch jobs200.jsonl -o full.jsonl 2>err
[ $? = 3 ] && [ "$(wc -l <full.jsonl)" = 200 ] && ok || bad "200-record run: $(cat err)"

# --- kill safety: 10 SIGKILLs at random points, each run resumed -------------
rm -f killed.jsonl
for k in 1 2 3 4 5 6 7 8 9 10; do
  "$BIN" interpret -m tiny.ecgr1 --batch jobs200.jsonl -o killed.jsonl --resume 2>/dev/null &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
done
"$BIN" interpret -m tiny.ecgr1 --batch jobs200.jsonl -o killed.jsonl --resume 2>err
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] && python3 same.py full.jsonl killed.jsonl && ok || bad "killed and resumed 10 times (rc $rc): $(cat err)"

# --- SIGINT: the record in flight finishes, the file stays valid ------------
rm -f int.jsonl
"$BIN" interpret -m tiny.ecgr1 --batch jobs200.jsonl -o int.jsonl 2>err &
pid=$!
# Interrupted once some records are written (however slow this machine or build is).
for _ in $(seq 300); do [ -s int.jsonl ] && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
n=$(wc -l <int.jsonl)
[ $rc = 130 ] && grep -q "interrupted" err && [ "$n" -lt 200 ] && python3 -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)' int.jsonl && ok || bad "SIGINT (rc $rc, $n lines): $(cat err)"
"$BIN" interpret -m tiny.ecgr1 --batch jobs200.jsonl -o int.jsonl --resume 2>/dev/null
python3 same.py full.jsonl int.jsonl && ok || bad "resume after SIGINT"

# --- shards: GNU parallel over 4 machines' worth, merged == one run ---------
if command -v parallel >/dev/null; then
  parallel --will-cite "$BIN" interpret -m tiny.ecgr1 --batch jobs200.jsonl -o shard{}.jsonl --shard {}/4 \
    ::: 0 1 2 3 2>/dev/null
  cat shard0.jsonl shard1.jsonl shard2.jsonl shard3.jsonl >merged.jsonl
  # Drafts differ (each shard drafts from its own records); the tokens may not.
  python3 same.py full.jsonl merged.jsonl timings,draft && ok || bad "4 shards under GNU parallel"
else
  bad "GNU parallel is not installed (tools/install-deps.sh installs it)"
fi

echo "batch_test: $pass passed, $fail failed"
[ "$fail" = 0 ]
