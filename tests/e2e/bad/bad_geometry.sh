#!/usr/bin/env bash
# Bad-input catalogue, part 2: geometries.  Wrong and mixed types, Z/M,
# self-intersecting and bow-tie polygons, unclosed and degenerate rings,
# NaN/inf/huge coordinates, lon/lat swapped, points far away, empty and
# missing geometry.  None stops the run: each record is used (repaired
# where it can be) or rejected with its reason, and every layer balances.
source "$(dirname "$0")/../common.bash"
source "$(dirname "$0")/lib_bad.bash"
cd "$WORK"
baseline

# parcels_with ROWS...: the 16 good parcels plus the given CSV rows.
parcels_with() {
  good_parcels parcels.csv
  printf '%s\n' "$@" >> parcels.csv
  parcels_yaml parcels.csv > c.yaml
}

case_name "a line where a polygon is expected"
parcels_with 'L1,x,1950,"LINESTRING(741200 3735000,741230 3735000)"'
run_ok c.yaml
expect_reject parcels wrong_geometry_type "geometry type Line String where the layer's homes are polygons"
accounting_balanced

case_name "mixed geometry types in one GeoJSON layer: the first (a polygon) decides the homes are polygons"
cat > mixed.geojson <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"pin": "G1", "addr": "1 A ST", "yr": 1950}, "geometry": {"type": "Polygon", "coordinates": [[[-84.399, 33.7277], [-84.3987, 33.7277], [-84.3987, 33.728], [-84.399, 33.728], [-84.399, 33.7277]]]}},
 {"type": "Feature", "properties": {"pin": "G2", "addr": "2 A ST", "yr": 1950}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[-84.3985, 33.7277], [-84.3982, 33.7277], [-84.3982, 33.728], [-84.3985, 33.728], [-84.3985, 33.7277]]]]}},
 {"type": "Feature", "properties": {"pin": "G3", "addr": "3 A ST", "yr": 1950}, "geometry": {"type": "Point", "coordinates": [-84.398, 33.7278]}},
 {"type": "Feature", "properties": {"pin": "G4", "addr": "4 A ST", "yr": 1950}, "geometry": {"type": "LineString", "coordinates": [[-84.398, 33.7278], [-84.3979, 33.7279]]}}
]}
JSON
parcels_yaml mixed.geojson "" > c.yaml
run_ok c.yaml
expect_reject parcels wrong_geometry_type "geometry type Point where the layer's homes are polygons (as its first feature with a geometry, 0, is)"
expect_reject parcels wrong_geometry_type "geometry type Line String"
[ "$(summary_used parcels)" = 2 ] || fail "$CASE: the polygon and the multipolygon must be used"
accounting_balanced

case_name "Z and M geometries are used in 2D"
good_parcels parcels.csv
ogr2ogr -f GPKG z.gpkg parcels.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:32616 -nln parcels -nlt POLYGON \
  -dim XYZ
ogr2ogr -f GPKG zm.gpkg parcels.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:32616 -nln parcels -nlt POLYGON \
  -dim XYZM
ogrinfo -so -al z.gpkg | grep "Geometry: 3D Polygon" >/dev/null || fail "$CASE: test input is not 3D"
for src in z.gpkg zm.gpkg; do
  parcels_yaml $src "" > c.yaml
  run_ok c.yaml
  [ "$(summary_used parcels)" = 16 ] || fail "$CASE: all 16 $src parcels must be used"
  ogrinfo -so -al "$OUT/ranked_parcels.shp" | grep "^Geometry: Polygon" >/dev/null || fail "$CASE: outputs must be 2D"
done

case_name "bow-tie polygon repaired with MakeValid"
parcels_with 'B1,x,1950,"POLYGON((741200 3735000,741230 3735030,741230 3735000,741200 3735030,741200 3735000))"'
run_ok c.yaml
grep -q "1 invalid polygons repaired" "$OUT/run_summary.txt" || fail "$CASE: repair not counted"
[ "$(summary_used parcels)" = 17 ] || fail "$CASE: the repaired bow-tie must be used"
grep -q '"B1"' "$OUT/ranked_parcels.geojson" || fail "$CASE: B1 missing from the outputs"

case_name "self-intersecting polygon (ring crossing itself twice)"
parcels_with 'S1,x,1950,"POLYGON((741200 3735000,741260 3735000,741260 3735030,741230 3735030,741230 3734990,741250 3734990,741250 3735040,741200 3735040,741200 3735000))"'
run_ok c.yaml
grep -q "1 invalid polygons repaired" "$OUT/run_summary.txt" || fail "$CASE: repair not counted"
invalid=$(ogrinfo -ro -q -dialect SQLite -sql "SELECT count(*) AS n FROM ranked_parcels WHERE ST_IsValid(geometry) = 0" \
  "$OUT/ranked_parcels.shp" 2>/dev/null | awk -F' = ' '/ n \(/ { print $2 }')
[ "${invalid:-0}" = 0 ] || fail "$CASE: an invalid polygon reached the outputs"

case_name "polygon collapsed to a line (zero area) cannot be repaired"
parcels_with 'Z1,x,1950,"POLYGON((741200 3735000,741230 3735000,741260 3735000,741200 3735000))"'
run_ok c.yaml
expect_reject parcels invalid_geometry "invalid polygon that MakeValid could not repair"
accounting_balanced

case_name "unclosed ring is closed and counted"
parcels_with 'U1,x,1950,"POLYGON((741200 3735000,741230 3735000,741230 3735030,741200 3735030))"'
run_ok c.yaml
[ "$(summary_used parcels)" = 17 ] || fail "$CASE: the closed ring must be used"
grep -q "1 invalid polygons repaired" "$OUT/run_summary.txt" || fail "$CASE: closing not counted as a repair"
grep -q '"unclosed_ring": 1' "$OUT/run_manifest.json" || fail "$CASE: unclosed_ring not in the manifest's warnings"

case_name "ring with fewer than 4 points"
parcels_with 'T1,x,1950,"POLYGON((741200 3735000,741230 3735000,741200 3735000))"'
run_ok c.yaml
expect_reject parcels invalid_geometry "a ring has fewer than 4 points"

case_name "NaN and infinite coordinates in WKT"
parcels_with 'N1,x,1950,"POLYGON((nan 3735000,741230 3735000,741230 3735030,nan 3735000))"' \
             'N2,x,1950,"POLYGON((inf 3735000,741230 3735000,741230 3735030,inf 3735000))"'
run_ok c.yaml
[ "$(grep -c ',invalid_geometry,' "$OUT/rejects.csv")" = 2 ] || fail "$CASE: both must be rejected"
accounting_balanced

case_name "NaN, infinite and text coordinates in x/y columns"
good_parcels parcels.csv
cat > insp.csv <<'CSV'
id,when,x,y,pin
1,2024-03-01,741015,3735015,
2,2024-03-01,NaN,3735015,
3,2024-03-01,inf,-inf,
4,2024-03-01,twelve,3735015,
5,2024-03-01,1e400,3735015,
CSV
{ parcels_yaml parcels.csv; points_yaml inspections insp.csv; } > c.yaml
run_ok c.yaml
[ "$(grep -c '^inspections,[2-5],x,unparsable_coordinates,' "$OUT/rejects.csv")" = 4 ] \
  || { cat "$OUT/rejects.csv" >&2; fail "$CASE: 4 unparsable_coordinates expected"; }
accounting_balanced

case_name "infinite coordinate in GeoJSON (1e999)"
sed 's/\[-84.3985, 33.7277\], \[-84.3982, 33.7277\]/[1e999, 33.7277], [-84.3982, 33.7277]/' mixed.geojson > inf.geojson
parcels_yaml inf.geojson "" > c.yaml
run_ok c.yaml
expect_reject parcels invalid_coordinates "not finite"

case_name "huge coordinates (1e300) do not pick the working CRS or break the lon/lat outputs"
parcels_with 'H1,x,1950,"POLYGON((1e300 3735000,741230 3735000,741230 3735030,1e300 3735000))"' \
             'H2,x,1950,"POLYGON((-1e20 -1e20,1e20 -1e20,1e20 1e20,-1e20 -1e20))"'
sed -i '/working_crs/d' c.yaml
run_ok c.yaml
[ "$(grep -c ',outside_study_area,' "$OUT/rejects.csv")" = 2 ] || fail "$CASE: 2 outside_study_area expected"
grep -q "EPSG:32616 (UTM zone of the parcels)" "$OUT/run_summary.txt" || fail "$CASE: wrong working CRS chosen"
accounting_balanced

case_name "parcel in the wrong hemisphere (outside the study area)"
parcels_with "$(utm_square W1 741000 9735000)"
run_ok c.yaml
expect_reject parcels outside_study_area "is not within 500 km of the centre of the parcels"

case_name "lon/lat swapped in some inspections"
good_parcels parcels.csv
cat > insp.csv <<'CSV'
id,when,x,y,pin
1,2024-03-01,-84.39875,33.72780,
2,2024-03-01,33.72780,-84.39875,
3,2024-03-01,-84.39875,33.72780,
CSV
{ parcels_yaml parcels.csv; points_yaml inspections insp.csv EPSG:4326; } > c.yaml
run_ok c.yaml
expect_reject inspections lonlat_swapped "(33.7278, -84.39875) is far from the parcels, but (-84.39875, 33.7278), x and y swapped"
[ "$(summary_used inspections)" = 2 ] || fail "$CASE: the two good inspections must be used"
grep -q "look like longitude and latitude swapped" "$WORK/stderr" && fail "$CASE: one swapped record of three must not warn about the config"
accounting_balanced

case_name "x and y columns swapped in the config: all swapped, one warning"
{ parcels_yaml parcels.csv; points_yaml inspections insp.csv EPSG:4326 y x; } > c.yaml
run_ok c.yaml
grep -q "firerisk: warning: 2 of 3 located records of layer inspections look like longitude and latitude swapped" \
  "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: no warning about swapped columns"; }

case_name "incident far outside the study area"
cat > inc.csv <<'CSV'
id,when,x,y,pin
1,2024-03-01,741015,3735015,
2,2024-03-01,141015,1735015,
CSV
{ parcels_yaml parcels.csv; points_yaml incidents inc.csv; } > c.yaml
run_ok c.yaml
expect_reject incidents outside_study_area "is not within 500 km of the centre of the parcels"

case_name "incident a few hundred metres away: beyond the tolerance"
printf 'id,when,x,y,pin\n1,2024-03-01,741015,3735915,\n' > inc.csv
run_ok c.yaml
expect_reject incidents beyond_tolerance "no parcel within the tolerance"

case_name "empty and missing geometries"
parcels_with 'E1,x,1950,"POLYGON EMPTY"' 'E2,x,1950,'
run_ok c.yaml
expect_reject parcels empty_geometry
expect_reject parcels no_geometry
accounting_balanced

case_name "incidents delivered as polygons are placed at their centroid"
printf 'id,when,wkt,pin\n1,2024-03-01,"POLYGON((741005 3735005,741010 3735005,741010 3735010,741005 3735005))",\n' > incp.csv
{ parcels_yaml parcels.csv; cat <<'YAML'
  incidents:
    source: incp.csv
    geometry: {wkt: wkt}
    crs: EPSG:32616
    fields: {date: when}
YAML
} > c.yaml
run_ok c.yaml
awk '$1 == "incidents" && $6 == 1 { ok = 1 } $1 == "incidents" && $7 == 1 { ok = 1 } END { exit !ok }' \
  "$OUT/run_summary.txt" || { cat "$OUT/run_summary.txt" >&2; fail "$CASE: the polygon incident must match by containment"; }

case_name "curved polygon (CURVEPOLYGON) is linearised"
parcels_with 'C1,x,1950,"CURVEPOLYGON(CIRCULARSTRING(741300 3735000,741320 3735020,741300 3735040,741280 3735020,741300 3735000))"'
run_ok c.yaml
[ "$(summary_used parcels)" = 17 ] || fail "$CASE: the curved parcel must be used"

echo "bad geometry: ok ($CASES cases)"
