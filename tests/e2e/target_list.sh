#!/usr/bin/env bash
# The target list crews work from: homes visited within the revisit window
# (an inspection or a record of layers.visits) leave the list and come back
# after it (a failed visit after targets.failed_revisit_days); the list
# fills from further down; held-back homes keep rank and score in the map
# layers with last_visit and visit_outcome; on_list and list_rank in every
# format; equal scores share a tier and are ordered by fire history, then
# time since the last visit, then parcel id; record ids and addresses as
# read carried into matches.csv and rejects.csv; bad visits are rejected
# and counted.
source "$(dirname "$0")/common.bash"
source "$(dirname "$0")/bad/lib_bad.bash"
cd "$WORK"
good_parcels parcels.csv
# Fires: P1 two, P2 and P3 one each (equal scores), P16 one long ago.
cat > inc.csv <<'CSV'
incident_no,when,pin
F-1,2024-06-01,P1
F-2,2024-07-01,P1
F-3,2024-06-01,P2
F-4,2024-06-01,P3
CSV
# Inspection of P2 long ago (a pass); visits: P1 completed 31 days before
# 2025-01-01, P3 failed then; three bad records.
cat > insp.csv <<'CSV'
insp_no,when,pin,result
I-1,2020-03-01,P2,PASS
CSV
cat > visits.csv <<'CSV'
visit_no,when,pin,outcome,addr
V-1,2024-12-01,P1,Installed,
V-2,2024-12-01,P3,no answer,
V-3,2024-02-30,P4,completed,4 MAIN ST
V-4,2024-05-01,P5,maybe,5 MAIN ST
V-5,2024-05-01,P6,,
V-6,2024-05-01,P99,completed,999 NOWHERE AVE
CSV
{ parcels_yaml parcels.csv
  cat <<'YAML'
  incidents:
    source: inc.csv
    fields: {date: when, parcel_id: pin, record_id: incident_no}
  inspections:
    source: insp.csv
    fields: {date: when, parcel_id: pin, result: result, record_id: insp_no}
  visits:
    source: visits.csv
    fields: {date: when, parcel_id: pin, outcome: outcome, record_id: visit_no, address: addr}
    join: [parcel_id]
output:
  target_list_size: 3
YAML
} > c.yaml

targets() { csv_column "$OUT/targets.csv" parcel_id | paste -sd' '; }

case_name "visited homes are held back; the list fills from below; ties by fire history, then since the last visit"
run_ok c.yaml
# ranking: P1 (2 fires); P2 (last visited 2020) before P3 (equal score,
# visited 31 days ago); then the 13 equal scores by parcel id.  P1 and P3
# are held back.
[ "$(csv_column "$OUT/targets.csv" rank | paste -sd' ')" = "2 4 5" ] || fail "$CASE: ranks $(csv_column "$OUT/targets.csv" rank | paste -sd' ')"
[ "$(targets)" = "P2 P10 P11" ] || fail "$CASE: targets $(targets)"
[ "$(csv_column "$OUT/targets.csv" list_rank | paste -sd' ')" = "1 2 3" ] || fail "$CASE: list_rank"
grep -q "revisit rule: 2 homes held back as visited within 365 days (1 of them after a failed visit, within 90 days); 2 ranked above the last target" \
  "$OUT/run_summary.txt" || { cat "$OUT/run_summary.txt" >&2; fail "$CASE: summary"; }
grep -q "held back: visited recently" "$OUT/report.html" || fail "$CASE: report lacks the held-back count"
# run_summary.txt gives the stage times stderr gives (the write stage was 0.00 s in the file)
[ "$(grep '^time:' "$OUT/run_summary.txt")" = "$(grep '^time:' "$WORK/stderr")" ] \
  || fail "$CASE: times differ: $(grep '^time:' "$OUT/run_summary.txt") / $(grep '^time:' "$WORK/stderr")"
# the map layers keep the held-back homes with their rank, score, last visit and outcome
for f in ranked_parcels.gpkg ranked_parcels.geojson ranked_parcels.shp; do
  ogr2ogr -f CSV "$WORK/$f.csv" "$OUT/$f" >/dev/null 2>&1 || fail "$CASE: ogr2ogr $f"
done
python3 - "$WORK" <<'PY' || fail "$CASE: map layers"
import csv, sys
for name in ("ranked_parcels.gpkg", "ranked_parcels.geojson", "ranked_parcels.shp"):
    rows = {r["parcel_id"]: r for r in csv.DictReader(open(f"{sys.argv[1]}/{name}.csv"))}
    shp = name.endswith(".shp")
    last, outc = "last_visit", "visit_out" if shp else "visit_outcome"
    p1, p2, p3 = rows["P1"], rows["P2"], rows["P3"]
    day = lambda r: r[last].replace("/", "-")
    assert p1["rank"] == "1" and p1["on_list"] == "0" and p1["list_rank"] == "", (name, p1)
    assert day(p1) == "2024-12-01" and p1[outc] == "completed", (name, p1)
    assert p3["rank"] == "3" and p3[outc] == "failed" and p3["on_list"] == "0", (name, p3)
    assert p2["rank"] == "2" and p2["on_list"] == "1" and p2["list_rank"] == "1", (name, p2)
    assert day(p2) == "2020-03-01" and p2[outc] == "completed", (name, p2)
    # equal scores share a tier
    tiers = {}
    for r in rows.values():
        tiers.setdefault(round(float(r["score"]), 9), set()).add(r["tier"])
    assert all(len(t) == 1 for t in tiers.values()), (name, tiers)
    assert p2["score"] == p3["score"], name
PY

case_name "bad visits are rejected and counted; record ids and addresses as read in rejects.csv and matches.csv"
expect_reject visits unparsable_date
expect_reject visits unknown_outcome "outcome 'maybe'"
expect_reject visits missing_value
expect_reject visits unknown_parcel_id
accounting_balanced
[ "$(summary_read visits)" = 6 ] || fail "$CASE: visits read"
[ "$(summary_used visits)" = 2 ] || fail "$CASE: visits used"
python3 - "$OUT" <<'PY' || fail "$CASE: record ids"
import csv, sys
out = sys.argv[1]
rej = list(csv.DictReader(open(f"{out}/rejects.csv")))
by = {(r["layer"], r["reason"]): r for r in rej}
assert by[("visits", "unparsable_date")]["record_id"] == "V-3", rej
assert by[("visits", "unparsable_date")]["address"] == "4 MAIN ST", rej
assert by[("visits", "unknown_outcome")]["record_id"] == "V-4"
assert by[("visits", "missing_value")]["record_id"] == "V-5"
assert by[("visits", "unknown_parcel_id")]["record_id"] == "V-6"
assert by[("visits", "unknown_parcel_id")]["address"] == "999 NOWHERE AVE"
m = list(csv.DictReader(open(f"{out}/matches.csv")))
ids = {(r["layer"], r["record_id"]): r for r in m}
assert ids[("incidents", "F-3")]["parcel_id"] == "P2", m
assert ids[("inspections", "I-1")]["parcel_id"] == "P2"
assert ids[("visits", "V-1")]["parcel_id"] == "P1"
assert ids[("visits", "V-6")]["method"] == "unmatched"
assert ids[("visits", "V-6")]["address_as_read"] == "999 NOWHERE AVE"
assert ids[("visits", "V-6")]["address"] == "999 NOWHERE AVE", ids[("visits", "V-6")]
PY

case_name "a completed visit comes back after revisit_after_days, a failed one after failed_revisit_days"
# 2025-02-28: P3's failed visit is 89 days old, held; 2025-03-01: 90 days, due again
run_ok c.yaml --as-of 2025-02-28
[ "$(targets)" = "P2 P10 P11" ] || fail "$CASE: 89 days after the failed visit: $(targets)"
run_ok c.yaml --as-of 2025-03-01
[ "$(targets)" = "P2 P3 P10" ] || fail "$CASE: 90 days after the failed visit: $(targets)"
# 2025-11-30: P1's visit is 364 days old, held; 2025-12-01: 365 days, due again
run_ok c.yaml --as-of 2025-11-30
[ "$(targets)" = "P2 P3 P10" ] || fail "$CASE: 364 days after the visit: $(targets)"
run_ok c.yaml --as-of 2025-12-01
[ "$(targets)" = "P1 P2 P3" ] || fail "$CASE: 365 days after the visit: $(targets)"

case_name "revisit_after_days: 0 and failed_revisit_days: 0 hold no home back"
sed 's/^output:/targets: {revisit_after_days: 0, failed_revisit_days: 0}\noutput:/' c.yaml > c0.yaml
run_ok c0.yaml
[ "$(targets)" = "P1 P2 P3" ] || fail "$CASE: $(targets)"
case_name "changes.csv says why: visited, due again, features moved, zone at capacity"
# a fire on P4 in June 2025: counted as of 2025-12-01, not as of 2025-01-01
{ cat inc.csv; echo "F-5,2025-06-01,P4"; } > inc2.csv
sed 's/source: inc.csv/source: inc2.csv/' c.yaml > c2.yaml
why() { awk -F, -v id="$1" "$CSV_AWK"'{ n = csv($0, f) } NR == 1 { for (i = 1; i <= n; i++) if (f[i] == "why") w = i; next }
        f[2] == id { print f[1] ": " f[w] }' "$OUT/changes.csv"; }
run_ok c2.yaml --as-of 2025-12-01          # P1 P4 P2: nobody held back
run_ok c2.yaml --as-of 2025-01-01          # P1, P3 held back; P4's fire not yet
[ "$(why P1)" = "left: visited on 2024-12-01" ] || fail "$CASE: P1 '$(why P1)'"
# the feature that moved the score most first (a points term), then the others
case "$(why P4)" in "left: fires_parcel_5y 1 -> 0; fires_near_3y 5 -> 4; "*) ;; *) false ;; esac \
  || fail "$CASE: P4 '$(why P4)'"
run_ok c2.yaml --as-of 2025-12-01
[ "$(why P1)" = "entered: due again: visited on 2024-12-01, 365 days ago" ] || fail "$CASE: P1 '$(why P1)'"
case "$(why P4)" in "entered: fires_parcel_5y 0 -> 1; fires_near_3y 4 -> 5; "*) ;; *) false ;; esac \
  || fail "$CASE: P4 '$(why P4)'"
# two districts: A (x < 741060: P1 P2 P5 P6 ...) and B; one target each
cat > zones.csv <<'CSV'
label,wkt
A,"POLYGON((740900 3734900,741060 3734900,741060 3735200,740900 3735200,740900 3734900))"
B,"POLYGON((741060 3734900,741200 3734900,741200 3735200,741060 3735200,741060 3734900))"
CSV
ogr2ogr -f GPKG zones.gpkg zones.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:32616 -nln zones
sed 's/^output:/  zones:\n    - {name: district, source: zones.gpkg, field: label}\noutput:/' c2.yaml > z.yaml
run_ok z.yaml --as-of 2025-12-01
{ cat z.yaml; printf '  capacity_per_zone: {zone: district, default: 1}\n'; } > cap.yaml
run_ok cap.yaml --as-of 2025-12-01          # P1 (A), P4 (B); P2 (A) passed over
[ "$(targets)" = "P1 P4" ] || fail "$CASE: capacity list $(targets)"
[ "$(why P2)" = "left: zone district A at capacity" ] || fail "$CASE: P2 '$(why P2)'"

case_name "per-zone lists: targets_by_zone.csv sorted by zone within capacity; counts per zone in the report"
run_ok z.yaml --as-of 2025-12-01           # no capacity: P1 P4 P2 (A: P1 P2; B: P4)
[ "$(csv_column "$OUT/targets_by_zone.csv" parcel_id | paste -sd' ')" = "P1 P2 P4" ] || fail "$CASE: by zone order"
[ "$(csv_column "$OUT/targets_by_zone.csv" zone | paste -sd' ')" = "A A B" ] || fail "$CASE: zones"
[ "$(csv_column "$OUT/targets_by_zone.csv" zone_row | paste -sd' ')" = "1 2 1" ] || fail "$CASE: zone_row"
[ "$(csv_column "$OUT/targets_by_zone.csv" list_rank | paste -sd' ')" = "1 3 2" ] || fail "$CASE: list_rank"
grep -q "<h2>Targets per district</h2>" "$OUT/report.html" || fail "$CASE: report lacks the per-zone table"
# A: 8 parcels (x < 741060), 2 targets; B: 8 parcels, 1 target
grep -q "<tr><td>A</td><td class=\"n\">8</td><td class=\"n\">[0-9]*</td><td class=\"n\">2</td>" "$OUT/report.html" \
  || { grep -A3 "Targets per" "$OUT/report.html" >&2; fail "$CASE: zone A counts"; }
run_ok cap.yaml --as-of 2025-12-01
csv_column "$OUT/targets_by_zone.csv" zone | sort | uniq -c | awk '$1 > 1 { bad = 1 } END { exit bad }' \
  || fail "$CASE: a zone over its capacity of 1 in targets_by_zone.csv"

case_name "block-group reasons in plain words; an implausible value for its kind warns in the summary and report"
cat > bg.csv <<'CSV'
geoid,housing_units,poverty_rate,wkt
130890001001,1588216,0.45,"POLYGON((740900 3734900,741200 3734900,741200 3735200,740900 3735200,740900 3734900))"
CSV
sed 's/^output:/  block_groups:\n    source: bg.csv\n    geometry: {wkt: wkt}\n    crs: EPSG:32616\n    fields: {geoid: geoid, housing_units: housing_units, poverty_rate: poverty_rate}\nscore:\n  weights:\n    - {feature: bg_housing_units, weight: 5, cap: 100}\n    - {feature: fires_parcel_5y, weight: 1, cap: 2}\noutput:/' c.yaml > bg.yaml
run_ok bg.yaml
grep -q "^warning: implausible values" "$OUT/run_summary.txt" || { cat "$OUT/run_summary.txt" >&2; fail "$CASE: no warning"; }
grep -q "bg_housing_units .*16 parcels outside 0 to 50000 per block group (e.g. 1588216)" "$OUT/run_summary.txt" \
  || { cat "$OUT/run_summary.txt" >&2; fail "$CASE: warning line"; }
grep -q "Implausible values" "$OUT/report.html" || fail "$CASE: report lacks the warning"
csv_column "$OUT/targets.csv" reason_1 | grep -x "block group: housing units 1,588,216" >/dev/null \
  || fail "$CASE: reason $(csv_column "$OUT/targets.csv" reason_1 | head -1)"

echo "ok: $CASES cases"
