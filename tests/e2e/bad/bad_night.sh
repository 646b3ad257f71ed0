#!/usr/bin/env bash
# The quality checks (issue 16, docs/OPERATIONS.md): a night that reads
# without an error but is wrong is held, not published.  The bad night: a
# good run, then half the parcels -> exit 6, the published outputs
# byte-identical, the new ones kept for inspection, a run_held error event
# naming the check and its figures; then --accept publishes and the
# manifest records it.  Then one case per check, and its configuration.
source "$(dirname "$0")/../common.bash"
source "$(dirname "$0")/lib_bad.bash"
cd "$WORK"

# gated_yaml PARCELS INSPECTIONS [EXTRA]: parcels and inspections with the
# checks on (lib_bad's configs turn them off for the catalogue).
gated_yaml() {
  parcels_yaml "$1" | grep -v '^checks:'
  cat <<YAML
  inspections:
    source: $2
    geometry: {x: x, y: y}
    crs: EPSG:32616
    fields: {date: when, parcel_id: pin}
${3-}
YAML
}
# insp_csv FILE DATE [PIN-PREFIX] [N] [X-OFFSET]: one inspection inside each of
# the first N (16) parcels, dated DATE, parcel ids PREFIX1.. (P).
insp_csv() {
  local file=$1 day=$2 prefix=${3-P} n=${4-16} dx=${5-0} k=0
  echo "id,when,x,y,pin" > "$file"
  for j in 0 1 2 3; do
    for i in 0 1 2 3; do
      k=$((k + 1))
      [ $k -le "$n" ] || continue
      echo "$k,$day,$((741015 + 30 * i + dx)),$((3735015 + 30 * j)),$prefix$k" >> "$file"
    done
  done
}
held_event() { # CHECK TEXT: the last run's JSON log has run_held at level error naming CHECK with TEXT
  python3 - "$WORK/stderr" "$1" "$2" <<'PY' || { cat "$WORK/stderr" >&2; fail "$CASE: no run_held event naming $1 with '$2'"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
held = [e for e in ev if e["event"] == "run_held"]
assert len(held) == 1 and held[0]["level"] == "error", ev
assert sys.argv[2] in held[0]["message"] and sys.argv[3] in held[0]["message"], held[0]["message"]
assert ev[-1]["event"] == "run_failed" and ev[-1]["exit_code"] == 6, ev[-1]
PY
}

# expect_held CONFIG CHECK TEXT [args]: the run is held (exit 6) by CHECK with TEXT.
expect_held() {
  local cfg=$1 check=$2 text=$3; shift 3
  firerisk_run "$cfg" --log-format json "$@"
  [ "$RC" = 6 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 6"; }
  held_event "$check" "$text"
}

good_parcels parcels.csv
insp_csv insp.csv 2024-12-20
gated_yaml parcels.csv insp.csv > good.yaml

case_name "the bad night: a good run, then half the parcels is held (exit 6), then --accept publishes"
run_ok good.yaml
grep -q "^quality checks: passed (limits only: no published run yet)" "$OUT/run_summary.txt" || fail "$CASE: summary"
run_ok good.yaml # the same night again: passes against the published run
grep -q "^quality checks: passed (limits and the last published run)" "$OUT/run_summary.txt" || fail "$CASE: summary"
BASE_SHA=$(outputs_sha)
head -9 parcels.csv > half.csv # 8 of 16 parcels: an export cut in half
gated_yaml half.csv insp.csv > half.yaml # (the inspections of the lost parcels are unmatched too)
firerisk_run half.yaml --log-format json
[ "$RC" = 6 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 6"; }
held_event parcel_count "8 parcels used, 16 in the last published run (-50.0%, limit 5%)"
[ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: a held run changed the published outputs"
HELD="$WORK/.out.firerisk-held"
[ -f "$HELD/ranked_parcels.geojson" ] || fail "$CASE: the held outputs must stay for inspection"
grep -q "quality checks: [0-9]* FAILED, the run is HELD" "$HELD/run_summary.txt" || fail "$CASE: the held summary must explain"
grep -q "^  ! parcel_count: 8 parcels used, 16 in the last published run" "$HELD/run_summary.txt" || fail "$CASE: held summary"
grep -q "parcel_count" "$HELD/report.html" || fail "$CASE: the held report must explain"
[ ! -e "$WORK/.out.firerisk-new" ] || fail "$CASE: staging left behind"
firerisk_run half.yaml # text log: the summary, then why
[ "$RC" = 6 ] || fail "$CASE: exit $RC, expected 6"
grep -q "^  ! parcel_count: 8 parcels used, 16 in the last published run" "$WORK/stderr" || fail "$CASE: stderr summary"
grep -q "firerisk: error: run held, outputs not published" "$WORK/stderr" || fail "$CASE: stderr error"
firerisk_run half.yaml --accept
[ "$RC" = 0 ] || { cat "$WORK/stderr" >&2; fail "$CASE: --accept: exit $RC"; }
[ "$(summary_used parcels)" = 8 ] || fail "$CASE: --accept must publish the 8 parcels"
python3 - "$OUT/run_manifest.json" <<'PY' || fail "$CASE: the manifest must record --accept"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]
assert c["accepted"] is True and c["compared_with_previous_run"] is True, c
assert "parcel_count" in [f["check"] for f in c["failed"]], c
PY
grep -q "published anyway with --accept" "$OUT/run_summary.txt" || fail "$CASE: summary must say accepted"
[ ! -e "$HELD" ] || fail "$CASE: the held outputs must go once a run is published"

# Each check on a fresh output directory, or against a good published run.
fresh() { OUT="$WORK/out-$1"; }

case_name "a layer's reject share over 20%"
fresh rejects
{ cat parcels.csv; for k in 1 2 3 4 5; do echo "B$k,1 X ST,1950,POLYGON EMPTY"; done; } > rej.csv
gated_yaml rej.csv insp.csv > c.yaml
expect_held c.yaml reject_share:parcels "5 of 21 records rejected (23.8%, limit 20%"
[ ! -e "$OUT" ] || fail "$CASE: a held first run published something"

case_name "a layer's reject share up more than 10 points over the last published run"
fresh rise
run_ok good.yaml
{ head -1 insp.csv; tail -n +2 insp.csv | head -13; for k in 14 15 16; do echo "$k,not a date,741015,3735015,P$k"; done; } > rise.csv
gated_yaml parcels.csv rise.csv > c.yaml
expect_held c.yaml reject_share_rise:inspections "rejected share 18.8%, 0.0% in the last published run (+18.8 points, limit 10)"

case_name "a match method's rate down more than 10 points"
fresh methods
run_ok good.yaml
insp_csv noid.csv 2024-12-20 "" # no ids: every inspection by its point
sed -i 's/,$/,/' noid.csv
gated_yaml parcels.csv noid.csv > c.yaml
expect_held c.yaml match_rate:inspections:id "matched by_id: 0.0% of kept records, 100.0% in the last published run"

case_name "ids mapped but none matched by id (written differently from the parcels')"
fresh ids
insp_csv xid.csv 2024-12-20 X
gated_yaml parcels.csv xid.csv > c.yaml
expect_held c.yaml ids_unmatched:inspections "16 records carry a parcel id and none matches a parcel's"

case_name "a zone layer no parcel falls in"
fresh zones
echo 'name,wkt' > zones.csv
echo 'far,"POLYGON((760000 3735000,761000 3735000,761000 3736000,760000 3736000,760000 3735000))"' >> zones.csv
ogr2ogr -f GPKG zones.gpkg zones.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:32616 -nln zones
gated_yaml parcels.csv insp.csv "  zones:
    - name: battalion
      source: zones.gpkg
      field: name" > c.yaml
expect_held c.yaml empty_zones:battalion "no parcel lies in any of its 1 polygons"

case_name "the newest inspection older than max_data_age_days at as_of"
fresh age
insp_csv old.csv 2024-06-01
gated_yaml parcels.csv old.csv > c.yaml
expect_held c.yaml data_age:inspections "the newest record is of 2024-06-01, 214 days before as_of 2025-01-01 (limit 45 days"

case_name "checks are configurable: the same data passes with max_data_age_days: 400"
gated_yaml parcels.csv old.csv "checks: {max_data_age_days: 400}" > c.yaml
run_ok c.yaml

case_name "below the limit but notable: a warning event, published"
fresh notable
# A live export's pace: the 16 parcels inspected every month of 2024 up to
# December 1st (192 records in the year), then 31 quiet days.
echo "id,when,x,y,pin" > month.csv
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
  insp_csv m.csv "2024-$m-01"
  tail -n +2 m.csv | sed "s/^/$m/" >> month.csv
done
gated_yaml parcels.csv month.csv > c.yaml
firerisk_run c.yaml --log-format json
[ "$RC" = 0 ] || fail "$CASE: exit $RC"
python3 - "$WORK/stderr" <<'PY' || { cat "$WORK/stderr" >&2; fail "$CASE: no quality_warning event"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
w = [e for e in ev if e["event"] == "quality_warning"]
assert w and w[0]["level"] == "warning" and "data_age:inspections" in w[0]["message"] and "31 days" in w[0]["message"], ev
PY

case_name "a sparse layer quiet past the limit: a warning with its pace, published, not held"
fresh sparse
insp_csv sparse.csv 2024-10-01 P 3   # 3 inspections in the year: 92 quiet days are not unusual
gated_yaml parcels.csv sparse.csv > c.yaml
firerisk_run c.yaml --log-format json
[ "$RC" = 0 ] || fail "$CASE: exit $RC"
grep -q '"quality_warning".*data_age:inspections.*not unusual' "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "$CASE: no data_age warning with the layer's pace"; }

case_name "as_of after today"
fresh future
expect_held good.yaml as_of_future "as_of 2099-01-01 is after today" --as-of 2099-01-01

case_name "checks off: nothing judged"
gated_yaml parcels.csv old.csv "checks: {enabled: false}" > c.yaml
run_ok c.yaml
grep -q "^quality checks: off" "$OUT/run_summary.txt" || fail "$CASE: summary"

case_name "a limit out of range is a configuration error"
gated_yaml parcels.csv insp.csv "checks: {max_reject_share_pct: 150}" > c.yaml
firerisk_run c.yaml
[ "$RC" = 1 ] || fail "$CASE: exit $RC"
grep -q "checks.max_reject_share_pct" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: message"; }
