#!/usr/bin/env bash
# The real public layers in ../shared/data through the whole pipeline:
# DeKalb parcels from a WKT CSV (EPSG:4326), their block groups from the
# second WKT column of the same CSV, Atlanta battalions (legacy GeoJSON in
# EPSG:4269) as zones, Red Cross home-fire cases (TSV with lon/lat, M/D/YY
# dates, all in Jan-Feb 2009) as incidents; then the same homes as address points (the CSV's lon/lat
# columns).  Skipped (exit 77) when ../shared is absent.
source "$(dirname "$0")/common.bash"
DATA="$FIRERISK_SOURCE/../shared/data"
if [ ! -f "$DATA/dekalb_multifamily_parcels.csv" ]; then
  echo "SKIP: $DATA not present (a user's fresh clone has no ../shared)"
  exit 77
fi
CONFIG="$FIRERISK_FIXTURES/real/dekalb.yaml" # sources relative to it: ../../../../shared/data
# The fixture is a clip: 647 multifamily parcels against six years of county-wide
# cases (all but 4 rejected: outside the clip, or after as_of) and the City of
# Atlanta's battalions (no parcel inside).  The quality checks hold such a night
# (exit 6, nothing published, run_held naming both) ...
expect_exit 6 "$FIRERISK" run --config "$CONFIG" --out "$WORK/out" --threads 2 --log-format json
python3 - "$WORK/stderr" <<'PY' || { cat "$WORK/stderr" >&2; fail "the fixture's night must be held for its rejects and empty battalions"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
held = [e for e in ev if e["event"] == "run_held"]
assert held and held[0]["level"] == "error", ev
assert "reject_share:incidents" in held[0]["message"] and "9118 of 9122" in held[0]["message"], held
assert "empty_zones:battalion" in held[0]["message"], held
assert ev[-1]["event"] == "run_failed" and ev[-1]["exit_code"] == 6, ev[-1]
PY
[ ! -e "$WORK/out" ] || fail "a held run published outputs"
[ -d "$WORK/.out.firerisk-held" ] || fail "a held run's outputs must stay for inspection"
# ... and --accept publishes it, recorded in the manifest.
expect_exit 0 "$FIRERISK" run --config "$CONFIG" --out "$WORK/out" --threads 2 --accept
cat "$WORK/stderr"
python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["checks"]; sys.exit(not (c["accepted"] and len(c["failed"]) == 2))' \
  "$WORK/out/run_manifest.json" || fail "the manifest must record the accepted checks"
[ ! -e "$WORK/.out.firerisk-held" ] || fail "the held outputs must go once a run is published"
out="$WORK/out"
[ "$(feature_count "$out/ranked_parcels.geojson")" = 647 ] || fail "geojson feature count"
[ "$(feature_count "$out/ranked_parcels.shp")" = 647 ] || fail "shapefile feature count"
check_ranked_csv "$out/targets.csv" 500
# Every Red Cross case is accounted for: read = kept + rejected before matching,
# and every rejected record is a row of rejects.csv.
awk '$1 == "incidents" && $2 == 9122 { ok = 1 } END { exit !ok }' "$out/run_summary.txt" || fail "incidents read"
rows=$(($(wc -l < "$out/rejects.csv") - 1))
total=$(awk '$1 == "incidents" && NF == 10 { print $3 }' "$out/run_summary.txt")
[ "$rows" -ge "$total" ] || fail "rejects.csv has $rows rows, summary says $total incidents rejected"
grep -q "unparsable_coordinates" "$out/rejects.csv" || fail "the cases without coordinates must be rejected with their reason"
# The battalions (legacy GeoJSON, EPSG:4269, 3 invalid polygons repaired) are read as zones.
# (No multifamily DeKalb parcel lies inside the City of Atlanta's battalions, checked
# independently with SpatiaLite, so the battalion column is empty here.)
awk '$1 == "battalion" && $2 == 6 && $4 == 6 { ok = 1 } END { exit !ok }' "$out/run_summary.txt" || fail "battalions"
head -1 "$out/targets.csv" | grep ",battalion," >/dev/null || fail "targets.csv lacks the battalion column"
# Block groups come from the second WKT column of the parcel CSV: every parcel lies in one.
[ "$(csv_column "$out/targets.csv" parcel_id | wc -l)" = 500 ] || fail "targets rows"
# The GeoJSON is RFC 7946 lon/lat around DeKalb County.
ogrinfo -ro -so -al "$out/ranked_parcels.geojson" | grep "Extent: (-84\.[0-9]*, 33\.[0-9]*)" >/dev/null || fail "geojson extent not lon/lat in DeKalb"
# Fires near the parcels exist in this data (DeKalb cases 2009-2014): some score > 0.
csv_column "$out/targets.csv" score > "$WORK/scores"
awk 'NR == 1 { exit !($1 > 0) }' "$WORK/scores" || fail "top score is 0: no fire matched near any parcel"
csv_column "$out/targets.csv" reason_1 > "$WORK/reasons"
grep -q "fire" "$WORK/reasons" || fail "no reason mentions a fire"
# The same homes as points: the CSV's address lon/lat columns (geometry: {x, y}) instead of the
# parcel polygons.  Every map output is a point layer, every home gets its block group from its
# point, a fire 0-30 m from an address point matches it (nearest; never contains), the neighbourhood
# counts are measured from the points, and the layers balance.
sed -e "s|../../../../shared/data|$DATA|" -e "s|geometry: {wkt: geometry_adr_mf}|geometry: {x: Longitude_adr_mf, y: Latitude_adr_mf}|" \
  "$CONFIG" > "$WORK/points.yaml"
grep -q "Longitude_adr_mf" "$WORK/points.yaml" || fail "the points config does not name the lon/lat columns"
expect_exit 0 "$FIRERISK" run --config "$WORK/points.yaml" --out "$WORK/pts" --threads 2 --accept --quiet
for f in ranked_parcels.geojson ranked_parcels.shp ranked_parcels.gpkg; do
  ogrinfo -ro -so -al "$WORK/pts/$f" | grep "^Geometry: Point$" >/dev/null || fail "points: $f is not a point layer"
done
ogrinfo -ro -q "$WORK/pts/ranked_parcels.gpkg" -sql "SELECT count(*) AS n, sum(block_group IS NULL) AS nobg,
    sum(fires_near_5y > 0) AS near FROM ranked_parcels" > "$WORK/pts.sql"
grep "n (Integer) = 647" "$WORK/pts.sql" >/dev/null || fail "points: $(cat "$WORK/pts.sql")"
grep "nobg (Integer) = 0" "$WORK/pts.sql" >/dev/null || fail "points: homes without a block group: $(cat "$WORK/pts.sql")"
grep -E "near \(Integer\) = [1-9]" "$WORK/pts.sql" >/dev/null || fail "points: no fire near any home"
awk -F, '$1 == "incidents" && $3 == "nearest" { n++ } $1 == "incidents" && $3 == "contains" { c++ }
         END { exit !(n > 0 && c == 0) }' "$WORK/pts/matches.csv" || fail "points: incidents must match by nearest only"
grep -q '^accounting: read = used + rejected on every layer' "$WORK/pts/run_summary.txt" || fail "points: accounting"
echo "real data: ok"
