#!/usr/bin/env bash
# Homes given as points (address points, building centroids): the synthetic
# city's parcels turned into points (ST_PointOnSurface) run end to end.
# Every output is a point layer with one feature per home, every record is
# accounted for, records match the nearest home within the tolerance (never
# "contains"), the QGIS style draws markers, and the outputs are
# byte-identical at 1 and 2 threads.  Homes stacked on one point (condos)
# share homes_at_location and fires_location_5y.  A layer mixing polygons and
# points keeps the first geometry's kind and rejects the others, counted.
source "$(dirname "$0")/common.bash"
N=3000
STACKED=150
synth_city "$WORK/city" --parcels $N --seed 7
cols="parcel_id, address, year_built, land_use, bldg_sqft, units, assessed_value, vacant, owner_occ"
point_homes "$WORK/city" $STACKED
HOMES=$((N + STACKED))

expect_exit 0 "$FIRERISK" run --config "$WORK/city/points.yaml" --out "$WORK/t1" --threads 1 --quiet
expect_exit 0 "$FIRERISK" run --config "$WORK/city/points.yaml" --out "$WORK/t2" --threads 2 --quiet
for f in ranked_parcels.geojson ranked_parcels.shp ranked_parcels.shx ranked_parcels.dbf ranked_parcels.prj \
         ranked_parcels.qml targets.csv rejects.csv matches.csv equity.csv; do
  [ -s "$WORK/t1/$f" ] || fail "$f missing"
  cmp -s "$WORK/t1/$f" "$WORK/t2/$f" || fail "$f differs between --threads 1 and --threads 2"
done

# Point layers, one feature per home, in every map format.
for f in ranked_parcels.geojson ranked_parcels.shp ranked_parcels.gpkg; do
  ogrinfo -ro -so -al "$WORK/t1/$f" | grep "^Geometry: Point$" >/dev/null || fail "$f is not a point layer"
done
[ "$(feature_count "$WORK/t1/ranked_parcels.geojson")" = $HOMES ] || fail "geojson feature count"
[ "$(feature_count "$WORK/t1/ranked_parcels.shp")" = $HOMES ] || fail "shapefile feature count"
[ "$(ogrinfo -ro -so "$WORK/t1/ranked_parcels.gpkg" ranked_parcels | awk -F': ' '/^Feature Count/ {print $2}')" = $HOMES ] \
  || fail "geopackage feature count"
# the GeoPackage's point is the home's point (working CRS = the source's UTM 16N here)
want=$(ogrinfo -ro -q "$WORK/city/homes.gpkg" parcels -where "parcel_id = 'P0000042'" | grep -o "POINT ([0-9. ]*)")
got=$(ogrinfo -ro -q "$WORK/t1/ranked_parcels.gpkg" ranked_parcels -where "parcel_id = 'P0000042'" | grep -o "POINT ([0-9. ]*)")
[ -n "$want" ] && [ "$want" = "$got" ] || fail "home P0000042 at '$want' in the source, '$got' in the GeoPackage"
check_ranked_csv "$WORK/t1/targets.csv" 500
grep -q 'class="SimpleMarker"' "$WORK/t1/ranked_parcels.qml" || fail "the style draws no markers for point homes"
grep -q 'class="SimpleFill"' "$WORK/t1/ranked_parcels.qml" && fail "the style fills point homes"
ogrinfo -ro -q "$WORK/t1/ranked_parcels.gpkg" -sql "SELECT count(*) AS n FROM layer_styles WHERE styleQML LIKE '%SimpleMarker%'" \
  | grep "n (Integer) = 1" >/dev/null || fail "the GeoPackage's layer_styles does not draw markers"

# Accounting: read = kept + rejected; matched + unmatched = kept; nothing by containment.
awk 'NF == 10 && $2 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+$/ {
       if ($2 != $4 + $3 - $9) { print "layer " $1 " does not add up"; bad = 1 }
       if ($5 + $6 + $7 + $8 + $9 != $4) { print "layer " $1 " matches do not add up"; bad = 1 }
       if ($7 != 0) { print "layer " $1 ": " $7 " matched by containment in points"; bad = 1 } }
     END { exit bad }' "$WORK/t1/run_summary.txt" || fail "accounting"
grep -q '^accounting: read = used + rejected on every layer' "$WORK/t1/run_summary.txt" || fail "no accounting line"
grep -q '^the homes are points: a point record matches the nearest home within 15 m' "$WORK/t1/run_summary.txt" \
  || fail "the summary does not say the homes are points"
grep -q 'The homes are points (address points or building centroids)' "$WORK/t1/report.html" \
  || fail "the report does not say the homes are points"
awk '$1 == "parcels" && $2 == '$HOMES' && $4 == '$HOMES' { ok = 1 } END { exit !ok }' "$WORK/t1/run_summary.txt" \
  || fail "not every home kept: $(grep '^parcels' "$WORK/t1/run_summary.txt")"
# The inspections a few metres off their parcel match the nearest home, within the tolerance, with the distance.
tol=$(awk '/tolerance_m:/ {print $2; exit}' "$WORK/city/points.yaml"); tol=${tol:-15}
awk -F, -v tol="$tol" 'NR > 1 && $3 == "nearest" { n++; if ($6 == "" || $6 + 0 > tol + 0) { print "nearest at " $6 " m"; bad = 1 } }
     NR > 1 && $3 == "contains" { print "contains in point homes"; bad = 1 }
     END { if (n == 0) { print "no nearest match"; bad = 1 } exit bad }' "$WORK/t1/matches.csv" \
  || fail "matches.csv methods"
awk -F, '$1 == "inspections" && $4 == "beyond_tolerance" { n++ } END { exit !(n > 0) }' "$WORK/t1/rejects.csv" \
  || fail "no inspection beyond the tolerance (records inside a parcel far from its point should be)"

# Condos: the stacked homes share a location: homes_at_location 2, the same fires_location_5y.
ids=$(awk -F, 'NR > 1 && $1 == "incidents" && $3 == "address_building" { sub(/-B$/, "", $4); print $4 }' \
      "$WORK/t1/matches.csv" | sort -u)
[ -n "$ids" ] || fail "no incident matched a building of stacked homes"
args=$(for id in $ids; do echo "$id $id-B"; done)
# shellcheck disable=SC2086
"$FIRERISK" explain --config "$WORK/city/points.yaml" --json $args > "$WORK/explain.json" || fail "explain the condos"
# values FILE NAME: the JSON list of feature NAME's values over the explained parcels, in their order
# (python3, as every e2e JSON check: jq is not a package the set-up installs).
values() {
  python3 -c 'import json, sys
print(json.dumps([f["value"] for p in json.load(open(sys.argv[1]))["parcels"] for f in p["features"] if f["name"] == sys.argv[2]]))' "$1" "$2"
}
# check FILE NAME EXPR: EXPR (python, over the list v of values FILE NAME) holds.
check() { python3 -c "import json, sys; v = json.loads(sys.argv[1]); sys.exit(0 if ($3) else 1)" "$(values "$1" "$2")"; }
check "$WORK/explain.json" homes_at_location 'len(v) > 0 and all(x == 2 for x in v)' \
  || fail "stacked homes: homes_at_location $(values "$WORK/explain.json" homes_at_location)"
# the pairs (home, home-B) have the same building history, and some building had a qualifying fire
check "$WORK/explain.json" fires_location_5y 'all(v[i] == v[i + 1] for i in range(0, len(v), 2))' \
  || fail "stacked homes: fires_location_5y differs within a pair: $(values "$WORK/explain.json" fires_location_5y)"
check "$WORK/explain.json" fires_location_5y 'max(v) >= 1' || fail "stacked homes: no fire in any building"
"$FIRERISK" explain --config "$WORK/city/points.yaml" --json P0002999 > "$WORK/alone.json" || fail "explain P0002999"
check "$WORK/alone.json" homes_at_location 'v == [1]' || fail "a home alone on its point is not homes_at_location 1"

# A layer mixing polygons and points: the first geometry (a polygon) decides; the points are counted rejects.
MIXED=20
ogr2ogr -f GPKG "$WORK/city/mixed.gpkg" "$WORK/city/city.gpkg" -nln parcels -nlt GEOMETRY -dialect sqlite -sql \
  "SELECT geom, $cols FROM parcels WHERE fid > $MIXED
   UNION ALL SELECT ST_PointOnSurface(geom) AS geom, $cols FROM parcels WHERE fid <= $MIXED" \
  || fail "ogr2ogr could not make the mixed layer"
sed '0,/source: city.gpkg/s//source: mixed.gpkg/' "$WORK/city/firerisk.yaml" > "$WORK/city/mixed.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/mixed.yaml" --out "$WORK/m" --quiet --accept
n=$(awk -F, '$1 == "parcels" && $4 == "wrong_geometry_type" { n++ } END { print n + 0 }' "$WORK/m/rejects.csv")
[ "$n" = $MIXED ] || fail "mixed layer: $n wrong_geometry_type rejects, expected $MIXED"
grep -q "geometry type Point where the layer's homes are polygons" "$WORK/m/rejects.csv" || fail "mixed layer: reject detail"
grep -q '^accounting: read = used + rejected on every layer' "$WORK/m/run_summary.txt" || fail "mixed: accounting"
[ "$(feature_count "$WORK/m/ranked_parcels.shp")" = $((N - MIXED)) ] || fail "mixed layer: feature count"
ogrinfo -ro -so -al "$WORK/m/ranked_parcels.shp" | grep "^Geometry: Polygon$" >/dev/null || fail "mixed layer: not polygons"
grep -q "homes are points" "$WORK/m/run_summary.txt" && fail "mixed layer: the summary says the homes are points"
echo "point homes: ok"
