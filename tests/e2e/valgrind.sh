#!/usr/bin/env bash
# valgrind memcheck on the end-to-end run: a small synthetic city run to
# completion, and a run that fails while reading (an error path), each with
# no memory error and no definite leak.  No suppression file is needed:
# GDAL's and PROJ's one-time caches are "possibly lost" or "still
# reachable", which are not counted as errors here.  Skipped (77) without
# valgrind, and in the ASan tree (valgrind cannot run ASan binaries).
# No `grep -q` after a pipe in these tests: under pipefail, grep -q exiting at
# the first match can kill the writer (here ldd) with SIGPIPE and fail the
# pipeline; that once made this test run, and fail, in the ASan tree.
source "$(dirname "$0")/common.bash"
command -v valgrind >/dev/null || { echo "skipped: valgrind not installed"; exit 77; }
if ldd "$FIRERISK" | grep libasan >/dev/null; then echo "skipped: ASan build"; exit 77; fi
cd "$WORK"
synth_city city --parcels 300 --seed 5
memcheck() { # expected-exit args...
  local want=$1; shift
  set +e
  valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-origins=yes --log-file="$WORK/vg.log" "$FIRERISK" "$@" 2>"$WORK/stderr"
  local rc=$?
  set -e
  grep -q "ERROR SUMMARY: 0 errors" "$WORK/vg.log" || { cat "$WORK/vg.log" >&2; fail "memcheck errors: $*"; }
  [ "$rc" = "$want" ] || { cat "$WORK/stderr" "$WORK/vg.log" >&2; fail "exit $rc, expected $want: $*"; }
  grep -E "definitely lost|ERROR SUMMARY" "$WORK/vg.log" | sed 's/^==[0-9]*== */  /'
}
memcheck 0 run --config city/firerisk.yaml --out out --threads 2 --quiet
python3 "$(dirname "$0")/manifest_check.py" out >/dev/null || fail "outputs of the memcheck run"
sed 's/parcel_id: parcel_id/parcel_id: PIN_MISSING/' city/firerisk.yaml > city/bad.yaml
memcheck 1 run --config city/bad.yaml --out out --quiet
grep -q "field 'PIN_MISSING'" "$WORK/stderr" || fail "error path: message"
echo "valgrind: ok"
