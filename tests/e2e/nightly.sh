#!/usr/bin/env bash
# Running unattended: the run manifest, JSON log lines, the lock (a live
# holder refuses a second run with exit 5; a dead holder's stale lock is
# reported and taken over), the directory swap (first run, symlinked
# output directory, files firerisk did not write kept, a foreign
# subdirectory refused, an interrupted swap repaired) and passwords masked.
source "$(dirname "$0")/common.bash"
source "$(dirname "$0")/bad/lib_bad.bash"
cd "$WORK"
CHECK="python3 $(dirname "$0")/manifest_check.py"
good_parcels parcels.csv
cat > insp.csv <<'CSV'
id,when,x,y,pin
1,2024-03-01,741015,3735015,
2,2024-05-01,741045,3735015,
3,2199-01-01,741045,3735015,
CSV
{ parcels_yaml parcels.csv
  echo "    open_options: [PASSWORD=hunter2]   # ignored by CSV; must not reach the manifest"
  points_yaml inspections insp.csv
  echo "# staging copy: PG:\"host=db user=fire password='hunter 3'\" and postgresql://fire:hunter4@db/gis"
} > c.yaml

case_name "first run: the output directory and its parents are created"
OUT="$WORK/deep/er/out"
run_ok c.yaml
$CHECK "$OUT" >/dev/null || fail "$CASE: manifest check"
[ -f "$WORK/deep/er/.out.firerisk.lock" ] || fail "$CASE: no lock file beside the output directory"
[ ! -s "$WORK/deep/er/.out.firerisk.lock" ] || fail "$CASE: the lock file must be emptied on a clean exit"

case_name "manifest: inputs with size, mtime and SHA-256; counts; timings; passwords masked"
python3 - "$OUT/run_manifest.json" "$WORK" <<'PY' || fail "$CASE"
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
paths = {f["path"].split("/")[-1]: f for f in m["inputs"]}
for name in ("c.yaml", "parcels.csv", "insp.csv"):
    f = paths[name]
    assert f["size"] > 0 and f["mtime"].endswith("Z") and len(f["sha256"]) == 64, f
    assert f["sha256"] == hashlib.sha256(open(f"{sys.argv[2]}/{name}", "rb").read()).hexdigest()
assert paths["insp.csv"]["layers"] == ["inspections"]
c = m["counts"]["inspections"]
assert c["read"]["records"] == 3 and c["used"] == 2 and c["rejected"] == 1 and c["balanced"], c
assert m["rejects"]["inspections"] == {"future_date": 1}, m["rejects"]
assert set(m["seconds"]) == {"read", "join", "features", "score", "write", "total"}
assert m["as_of"] == "2025-01-01" and m["as_of_from"] == "config"
text = json.dumps(m)
for secret in ("hunter2", "hunter 3", "hunter4"):
    assert secret not in text, secret
assert "PASSWORD=***" in m["config"]["text"] and "fire:***@db" in m["config"]["text"], m["config"]["text"]
PY

case_name "JSON log lines: one object per line, run_finished with counts"
run_ok c.yaml --log-format json
python3 - "$WORK/stderr" <<'PY' || { cat "$WORK/stderr" >&2; fail "$CASE"; }
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines and all({"time", "level", "event", "pid", "message"} <= set(l) for l in lines), lines
end = lines[-1]
assert end["event"] == "run_finished" and end["exit_code"] == 0, end
assert end["layers"]["inspections"] == {"read": 3, "used": 2, "rejected": 1}, end
PY

case_name "JSON log line of a failure carries the exit code"
firerisk_run missing.yaml --log-format json
[ "$RC" = 1 ] || fail "$CASE: exit $RC"
python3 - "$WORK/stderr" <<'PY' || { cat "$WORK/stderr" >&2; fail "$CASE"; }
import json, sys
l = json.loads(open(sys.argv[1]).read())
assert l["event"] == "run_failed" and l["level"] == "error" and l["exit_code"] == 1, l
assert "missing.yaml" in l["message"], l
PY

case_name "--log-format must be text or json"
firerisk_run c.yaml --log-format xml
[ "$RC" = 1 ] && grep -q -- "--log-format must be text or json" "$WORK/stderr" || fail "$CASE"

case_name "with --log-format json, usage errors are JSON events too (exit 1)"
for args in "--no-such-option" "--threads 0" "--log-format=json extra-argument"; do
  # shellcheck disable=SC2086 # the words of $args are separate arguments
  firerisk_run c.yaml --log-format json $args
  [ "$RC" = 1 ] || fail "$CASE: $args: exit $RC"
  python3 - "$WORK/stderr" "$args" <<'PY' || { cat "$WORK/stderr" >&2; fail "$CASE: $args"; }
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, lines  # nothing but the one event, no usage text
l = json.loads(lines[0])
assert l["event"] == "run_failed" and l["exit_code"] == 1 and l["status"] == "usage or configuration error", l
assert sys.argv[2].split()[0].split("=")[0] in l["message"] or "argument" in l["message"], l
PY
done

case_name "a run in progress holds the lock: a second run exits 5 and names it"
run_ok c.yaml
LOCK="$WORK/deep/er/.out.firerisk.lock"
printf 'pid 424242\nhost nightly-1\nstarted 2026-01-01T02:00:00Z\n' > "$LOCK"
# -o: the lock belongs to the flock process alone (not to sleep), so killing it frees the lock
flock -o "$LOCK" sleep 60 >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do flock -n "$LOCK" true 2>/dev/null || break; sleep 0.1; done
run_fails 5 "is locked by a run in progress (pid 424242, host nightly-1, started 2026-01-01T02:00:00Z" c.yaml
sleeper=$(pgrep -P "$holder" || true)
kill "$holder" $sleeper; wait "$holder" 2>/dev/null || true

case_name "the holder died: its stale lock is reported and taken over"
run_ok c.yaml
grep -q "firerisk: warning: stale lock on .*out: the run that held it (pid 424242, host nightly-1" "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "$CASE: no stale-lock warning"; }
grep -q 'stale lock' "$OUT/run_manifest.json" || fail "$CASE: the stale lock must be noted in the manifest"

case_name "a swap interrupted between its two renames is repaired"
mv "$OUT" "$WORK/deep/er/.out.firerisk-old"
run_ok c.yaml
grep -q "warning: restored .*out from .*out.firerisk-old" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE"; }
[ ! -e "$WORK/deep/er/.out.firerisk-old" ] || fail "$CASE: old copy left"

case_name "files firerisk did not write are kept; its own stale outputs are not"
echo "notes of the duty officer" > "$OUT/README.txt"
echo "stale" > "$OUT/ranked_parcels.geojson"
sed 's/^as_of:.*/&\noutput: {geojson: false}/' c.yaml > c_nojson.yaml
run_ok c_nojson.yaml
[ "$(cat "$OUT/README.txt")" = "notes of the duty officer" ] || fail "$CASE: README.txt lost"
[ ! -e "$OUT/ranked_parcels.geojson" ] || fail "$CASE: a previous output of firerisk must not survive"
grep -q "warning: 1 file(s) in .* were not written by firerisk (e.g. 'README.txt')" "$WORK/stderr" || fail "$CASE: no warning"
$CHECK "$OUT" README.txt >/dev/null || fail "$CASE: manifest check"

case_name "a subdirectory firerisk did not write stops the run before any work"
mkdir "$OUT/archive"
run_fails 3 "holds 'archive', which firerisk did not write and cannot keep" c.yaml
rmdir "$OUT/archive"

case_name "an output directory given through a symlink: the target is replaced, the link stays"
mkdir -p "$WORK/real"
ln -s "$WORK/real" "$WORK/link"
OUT="$WORK/link"
run_ok c.yaml
[ -L "$WORK/link" ] || fail "$CASE: the symlink was replaced"
[ -f "$WORK/real/run_manifest.json" ] || fail "$CASE: outputs not in the link's target"
run_ok c.yaml
$CHECK "$WORK/real" >/dev/null || fail "$CASE: manifest check"

case_name "--out names a file"
: > "$WORK/afile"
OUT="$WORK/afile"
firerisk_run c.yaml
[ "$RC" = 3 ] && grep -q "exists and is not a directory" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE"; }

case_name "--out is /"
OUT=/
firerisk_run c.yaml
[ "$RC" = 1 ] && grep -q "cannot be the root directory" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE"; }

case_name "--out . (the current directory) is refused"
mkdir -p "$WORK/here"
(cd "$WORK/here" && set +e; "$FIRERISK" run --config "$WORK/c.yaml" --out . 2>"$WORK/stderr"; echo $? > "$WORK/rc")
[ "$(cat "$WORK/rc")" = 1 ] && grep -q "is the current directory or holds it" "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "$CASE"; }

case_name "inputs' digests: a settled, unchanged file's taken from the last manifest; a rewritten one read again"
mkdir -p "$WORK/settle"
cp parcels.csv insp.csv "$WORK/settle/"
sed "s|parcels.csv|$WORK/settle/parcels.csv|; s|insp.csv|$WORK/settle/insp.csv|" c.yaml > "$WORK/settle/c.yaml"
OUT="$WORK/settle/out"
digests() { # "name identity sha256 reused" of each input, into $WORK/digests
  python3 - "$OUT/run_manifest.json" > "$WORK/digests" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["inputs"]:
    print(f["path"].split("/")[-1], "id" if f.get("identity") else "-", f["sha256"][:12], f.get("sha256_from_previous_run", False))
PY
}
has_digest() { # PATTERN: a line of digests (read whole first: grep -q closing a pipe early fails pipefail)
  digests && grep -q "$1" "$WORK/digests"
}
run_ok "$WORK/settle/c.yaml"
has_digest "^parcels.csv - .* False$" || { cat "$WORK/digests" >&2; fail "$CASE: a file changed just now must have no identity"; }
sleep 11 # FR_INPUT_SETTLED_S (10 s): the files are settled now
run_ok "$WORK/settle/c.yaml"
has_digest "^parcels.csv id .* False$" || { cat "$WORK/digests" >&2; fail "$CASE: a settled file gets an identity"; }
run_ok "$WORK/settle/c.yaml"
has_digest "^parcels.csv id .* True$" || { cat "$WORK/digests" >&2; fail "$CASE: the unchanged file's digest must be reused"; }
$CHECK "$OUT" >/dev/null || fail "$CASE: manifest check (the reused digest is the file's)"
# the same size and modification time, other bytes: only the change time tells
python3 - "$WORK/settle/parcels.csv" <<'PY'
import os, sys
p = sys.argv[1]; st = os.stat(p); b = bytearray(open(p, "rb").read())
i = b.rindex(b"1"); b[i:i + 1] = b"2"
open(p, "wb").write(bytes(b)); os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
PY
sleep 11 # settled again, with another change time
run_ok "$WORK/settle/c.yaml"
has_digest "^parcels.csv id .* False$" || { cat "$WORK/digests" >&2; fail "$CASE: a rewritten file must be read again"; }
has_digest "^insp.csv id .* True$" || { cat "$WORK/digests" >&2; fail "$CASE: the untouched file's digest is still reused"; }
$CHECK "$OUT" >/dev/null || fail "$CASE: manifest check after the rewrite"

echo "nightly: ok ($CASES cases)"
