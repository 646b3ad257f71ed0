#!/usr/bin/env bash
# Faults during the nightly run: SIGKILL while the outputs are written (and
# at many other moments), a file-size limit, a full disk, a read-only
# output directory, parent or file system.  Every time the previous outputs
# stay byte-identical (or are replaced by a complete new set: never a mix),
# the message is clear and the exit code is 3; the next run reports the
# dead run's stale lock and cleans up after it.
#
# Cases that need root (mount, chattr) say "skipped" when not permitted.
source "$(dirname "$0")/../common.bash"
source "$(dirname "$0")/lib_bad.bash"
cd "$WORK"
CHECK="python3 $(dirname "$0")/../manifest_check.py"
N=${FIRERISK_FAULT_PARCELS:-6000}
"$FIRERISK" synth --parcels "$N" --seed 3 --out city 2>/dev/null
echo "as_of: 2026-01-01   # generated configs leave as_of unset (today); the tests pin the day the records end" >> city/firerisk.yaml
CFG="$WORK/city/firerisk.yaml"
OUT="$WORK/out"
STAGING="$WORK/.out.firerisk-new"
LOCK="$WORK/.out.firerisk.lock"
MOUNTS=()
cleanup_faults() {
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
  chattr -i "$OUT" "$WORK" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup_faults EXIT

case_name "reference run"
run_ok "$CFG" --as-of 2025-06-01
$CHECK "$OUT" >/dev/null || fail "$CASE: manifest check"

case_name "SIGKILL while the outputs are being written"
"$FIRERISK" run --config "$CFG" --out "$OUT" --as-of 2025-07-01 --quiet 2>/dev/null &
pid=$!
for _ in $(seq 3000); do [ -e "$STAGING" ] && break; sleep 0.005; done
[ -e "$STAGING" ] || fail "$CASE: the run never reached the write stage"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
[ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: the previous outputs changed"
[ -s "$LOCK" ] || fail "$CASE: the dead run's lock text is gone"
grep -q "^pid $pid$" "$LOCK" || fail "$CASE: the lock does not name the dead run"

case_name "the next run reports the stale lock, removes the leftovers and publishes"
run_ok "$CFG" --as-of 2025-07-01
grep -q "warning: stale lock on $OUT: the run that held it (pid $pid" "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "$CASE: stale lock not reported"; }
grep -q "warning: removed $STAGING: the unfinished outputs of a run that was killed" "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "$CASE: leftovers not reported"; }
[ ! -e "$STAGING" ] || fail "$CASE: staging left"
$CHECK "$OUT" >/dev/null || fail "$CASE: manifest check"

case_name "SIGKILL at 6 moments of the write and publish: always the old set or the new set, never a mix"
published=0
month=1
for delay in 0 0.02 0.05 0.1 0.2 0.4; do
  before=$(outputs_sha)
  month=$((month % 9 + 1))
  "$FIRERISK" run --config "$CFG" --out "$OUT" --as-of "2025-0$month-01" --quiet 2>/dev/null &
  pid=$!
  for _ in $(seq 3000); do [ -e "$STAGING" ] && break; sleep 0.005; done
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  $CHECK "$OUT" >/dev/null || fail "$CASE: after a kill ${delay}s into the write the output directory is not one complete run"
  [ "$before" = "$(outputs_sha)" ] || published=$((published + 1))
done
echo "  the old set survived $((6 - published)) kills; $published runs had published a complete new set first"
[ "$published" -lt 6 ] || fail "$CASE: no kill landed before the publication"

case_name "file-size limit (ulimit -f): exit 3, File too large, the same error at 1, 2 and 4 threads"
# Several of the write stage's jobs fail (the GeoJSON, the Shapefile's .dbf,
# the GeoPackage); whichever thread ran which, the first in the fixed order
# is reported, and nothing is published.
run_ok "$CFG" --as-of 2025-06-01
first_error=""
for threads in 1 2 4; do
  set +e
  ( ulimit -f 512; exec "$FIRERISK" run --config "$CFG" --out "$OUT" --as-of 2025-08-01 --threads "$threads" ) 2>"$WORK/stderr"
  RC=$?
  set -e
  sanitizer_clean
  [ "$RC" = 3 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC at $threads threads, expected 3"; }
  grep -q "File too large" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: message"; }
  [ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: the previous outputs changed"
  [ ! -e "$STAGING" ] || fail "$CASE: staging left"
  error=$(grep "^firerisk: error:" "$WORK/stderr")
  [ -n "$first_error" ] || first_error=$error
  [ "$error" = "$first_error" ] || fail "$CASE: at $threads threads '$error', at 1 thread '$first_error'"
done

mount_tmpfs() { # DIR SIZE: 0 when mounted
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null || return 1
  MOUNTS+=("$1")
}

case_name "disk full (small tmpfs): exit 3, No space left on device"
if mount_tmpfs "$WORK/small" 64m; then
  SAVED_OUT=$OUT
  OUT="$WORK/small/out"
  run_ok "$CFG" --as-of 2025-06-01
  used=$(du -sk "$OUT" | cut -f1)
  # leave room for a fraction of a second copy of the outputs
  avail=$(df -k --output=avail "$WORK/small" | tail -1)
  fill=$(( avail - used / 3 ))
  [ "$fill" -gt 0 ] && dd if=/dev/zero of="$WORK/small/filler" bs=1k count="$fill" status=none 2>/dev/null || true
  firerisk_run "$CFG" --as-of 2025-08-01
  [ "$RC" = 3 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 3"; }
  grep -q "No space left on device" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: message"; }
  [ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: the previous outputs changed"
  [ ! -e "$WORK/small/.out.firerisk-new" ] || fail "$CASE: staging left"
  rm -f "$WORK/small/filler"
  run_ok "$CFG" --as-of 2025-08-01
  $CHECK "$OUT" >/dev/null || fail "$CASE: the run after the disk was freed"

  case_name "read-only file system: exit 3 before any work"
  mount -o remount,ro "$WORK/small"
  firerisk_run "$CFG" --as-of 2025-09-01
  [ "$RC" = 3 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 3"; }
  grep -q "Read-only file system" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: message"; }
  [ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: the previous outputs changed"
  OUT=$SAVED_OUT
else
  echo "  skipped: mounting a tmpfs is not permitted here"
  CASES=$((CASES + 1))
  echo "case $CASES: read-only file system: skipped (no tmpfs)"
fi
run_ok "$CFG" --as-of 2025-06-01

case_name "read-only output directory: exit 3 before any work"
ro_done=0
if chattr +i "$OUT" 2>/dev/null; then
  firerisk_run "$CFG" --as-of 2025-09-01
  chattr -i "$OUT"
  [ "$RC" = 3 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 3"; }
  grep -q "output directory $OUT is not writable" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE"; }
  [ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: the previous outputs changed"
  ro_done=1
fi
# The same as an unprivileged user, whose outputs live in a directory it owns.
chmod 755 "$WORK"
chmod -R a+rX "$WORK/city"
mkdir -m 777 "$WORK/nb"
nobody_run() { # expected-exit text
  set +e
  as_nobody "$FIRERISK" run --config "$CFG" --out "$WORK/nb/out" --quiet 2>"$WORK/stderr"
  RC=$?
  set -e
  [ "$RC" = 77 ] && return 0
  sanitizer_clean
  [ "$RC" = "$1" ] || { cat "$WORK/stderr" >&2; fail "$CASE (unprivileged): exit $RC, expected $1"; }
  [ -z "$2" ] || grep -- "$2" "$WORK/stderr" >/dev/null || { cat "$WORK/stderr" >&2; fail "$CASE (unprivileged): message"; }
}
nobody_run 0 ""
if [ "$RC" != 77 ]; then
  nb_sha=$(cd "$WORK/nb/out" && sha256sum ./* | sha256sum)
  chmod 555 "$WORK/nb/out"
  nobody_run 3 "output directory $WORK/nb/out is not writable (Permission denied)"
  chmod 755 "$WORK/nb/out"
  ro_done=1

  case_name "read-only parent directory: exit 3 before any work"
  chmod 555 "$WORK/nb"
  nobody_run 3 "cannot write in $WORK/nb, the directory that holds the output directory (Permission denied)"
  chmod 777 "$WORK/nb"
  [ "$nb_sha" = "$(cd "$WORK/nb/out" && sha256sum ./* | sha256sum)" ] || fail "$CASE: outputs changed"
else
  case_name "read-only parent directory: skipped (needs an unprivileged user)"
fi
[ "$ro_done" = 1 ] || echo "  skipped: needs chattr or an unprivileged user"

echo "faults: ok ($CASES cases)"
