#!/usr/bin/env bash
# tests/e2e/progress.sh — the progress line on a terminal: per stage, the
# layer and file being read (with the share of its records read), the files
# being written (with the share of their features written); nothing with --quiet, nothing when
# stderr is not a terminal, and the outputs the same either way.
# FIRERISK_PROGRESS_AFTER=0 draws from the first moment of a stage instead
# of after a second, so that a small city shows every line (no timing).
source "$(dirname "$0")/common.bash"
command -v script >/dev/null || { echo "SKIP: script (bsdutils) missing"; exit 77; }
cd "$WORK"
synth_city city --parcels 9000 --seed 8
on_tty() { # on_tty OUTFILE ARGS...: firerisk ARGS with stderr on a pseudo-terminal
  local out=$1; shift
  FIRERISK_PROGRESS_AFTER=0 script -qec "'$FIRERISK' $*" /dev/null > "$out" 2>&1
  tr '\r' '\n' < "$out" | sed 's/\x1b\[K//g' > "$out.lines"
}
on_tty tty.txt run --config city/firerisk.yaml --out out_tty
grep -q '^firerisk 1/5 read parcels: city.gpkg \[' tty.txt.lines || { cat tty.txt.lines; fail "no read line naming the parcels' file"; }
grep -q '^firerisk 1/5 read parcels: city.gpkg \[#.*\]  45% ' tty.txt.lines ||
  { cat tty.txt.lines; fail "no share of the parcels read (4096 of 9000 = 45%)"; }
grep -qF 'firerisk 1/5 read inspections: city.gpkg [' tty.txt.lines || fail "no read line for the inspections"
grep -q '^firerisk 5/5 write ranked_parcels.\* \[.*\]  15% ' tty.txt.lines ||
  { cat tty.txt.lines; fail "no share of the map layers' features written (4096 of 3 x 9000 = 15%)"; }
grep -q '^firerisk 5/5 write targets\.\.\. \[' tty.txt.lines || fail "no line for the tables written"
grep -q '^firerisk run  as_of' tty.txt.lines || fail "no summary after the progress"
# --quiet: nothing drawn even on a terminal
on_tty quiet.txt run --config city/firerisk.yaml --out out_quiet --quiet
grep -q $'\r\x1b' quiet.txt && fail "progress drawn with --quiet"
# not a terminal: nothing drawn
FIRERISK_PROGRESS_AFTER=0 "$FIRERISK" run --config city/firerisk.yaml --out out_pipe 2> pipe.txt
grep -q $'\r' pipe.txt && fail "progress drawn although stderr is not a terminal"
for f in targets.csv ranked_parcels.geojson rejects.csv; do
  cmp -s out_tty/$f out_pipe/$f || fail "$f differs with the progress line drawn"
done
echo "progress: ok"
