#!/usr/bin/env bash
# Bad-input catalogue, part 1: sources that are broken as files — corrupt,
# truncated, missing parts, empty, a directory, unreadable, no CRS, unknown
# CRS.  Each stops the run with exit 2 (input) or 1 (config), a message
# naming the file, and the previous outputs byte-identical (a Shapefile cut
# or corrupt too, issue 16); in other formats a record the driver cannot
# read is rejected (unreadable_record) instead.
source "$(dirname "$0")/../common.bash"
source "$(dirname "$0")/lib_bad.bash"
cd "$WORK"
baseline

# A valid Shapefile, GeoPackage and GeoJSON of the same parcels.
shp_parcels
ogr2ogr -f GPKG parcels.gpkg parcels.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:32616 -nln parcels
file_yaml() { parcels_yaml "$1" "${2-}"; }

case_name "the reference Shapefile works"
file_yaml shp/parcels.shp > c.yaml
run_ok c.yaml

case_name "corrupt .shp (random bytes)"
copy_shp corrupt
head -c 700 /dev/urandom > corrupt/parcels.shp
file_yaml corrupt/parcels.shp > c.yaml
run_fails 2 "corrupt/parcels.shp: cannot open as a vector source for layers.parcels" c.yaml

case_name ".shp truncated in the middle of its records (stops the run, as a cut .dbf does)"
copy_shp trunc
truncate -s 300 trunc/parcels.shp
file_yaml trunc/parcels.shp > c.yaml
run_fails 2 "trunc/parcels.shp: the Shapefile's geometry (.shp) file is truncated: its header says" c.yaml

case_name ".shp truncated before its first record"
copy_shp trunc0
truncate -s 110 trunc0/parcels.shp
file_yaml trunc0/parcels.shp > c.yaml
run_fails 2 "trunc0/parcels.shp: the Shapefile's geometry (.shp) file is truncated" c.yaml

case_name "missing .dbf"
copy_shp nodbf
rm nodbf/parcels.dbf
file_yaml nodbf/parcels.shp > c.yaml
run_fails 2 "the Shapefile's attribute (.dbf) file is missing" c.yaml

case_name "missing .shx"
copy_shp noshx
rm noshx/parcels.shx
file_yaml noshx/parcels.shp > c.yaml
run_fails 2 "the Shapefile's index (.shx) file is missing" c.yaml

case_name "missing .prj (no CRS) and none configured"
copy_shp noprj
rm noprj/parcels.prj
file_yaml noprj/parcels.shp > c.yaml
run_fails 2 "the source has no CRS and none is configured; add \`crs:\`" c.yaml

case_name "missing .prj, CRS given in the config"
file_yaml noprj/parcels.shp "    crs: EPSG:32616" > c.yaml
run_ok c.yaml

case_name "garbage .prj"
copy_shp badprj
echo 'PROJCS["nonsense",GEOGCS[' > badprj/parcels.prj
file_yaml badprj/parcels.shp > c.yaml
run_fails 2 "badprj/parcels.prj) cannot be read as a CRS (corrupt or not WKT)" c.yaml

case_name "0-byte .shp"
copy_shp zero
: > zero/parcels.shp
file_yaml zero/parcels.shp > c.yaml
run_fails 2 "zero/parcels.shp: the file is empty (0 bytes)" c.yaml

case_name "0-byte .gpkg"
: > zero.gpkg
file_yaml zero.gpkg > c.yaml
run_fails 2 "zero.gpkg: the file is empty (0 bytes)" c.yaml

case_name "0-byte .csv"
: > zero.csv
parcels_yaml zero.csv > c.yaml
run_fails 2 "zero.csv: the file is empty (0 bytes)" c.yaml

case_name "GeoPackage that is not one (random bytes)"
head -c 4096 /dev/urandom > random.gpkg
file_yaml random.gpkg > c.yaml
run_fails 2 "random.gpkg: cannot open as a vector source" c.yaml

case_name "GeoPackage truncated to half"
cp parcels.gpkg half.gpkg
truncate -s $(( $(stat -c %s parcels.gpkg) / 2 )) half.gpkg
file_yaml half.gpkg > c.yaml
firerisk_run c.yaml
[ "$RC" = 2 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 2"; }
grep -q "half.gpkg" "$WORK/stderr" || fail "$CASE: message does not name the file"
[ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: outputs changed"

case_name "GeoJSON cut in the middle"
ogr2ogr -f GeoJSON parcels.geojson parcels.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO -s_srs EPSG:32616 -t_srs EPSG:4326
head -c 900 parcels.geojson > cut.geojson
parcels_yaml cut.geojson "" > c.yaml
run_fails 2 "cut.geojson: cannot open as a vector source for layers.parcels" c.yaml

case_name "a directory instead of a file"
mkdir -p adir.gpkg
file_yaml adir.gpkg > c.yaml
run_fails 2 "adir.gpkg: is a directory, and not one GDAL reads as a vector source" c.yaml

case_name "missing file"
file_yaml nowhere.gpkg > c.yaml
run_fails 2 "nowhere.gpkg: No such file or directory (layers.parcels.source)" c.yaml

case_name "empty layer (0 features)"
ogr2ogr -f GPKG empty.gpkg parcels.gpkg -where "pin = 'none'" -nln parcels
file_yaml empty.gpkg > c.yaml
run_fails 2 "layer parcels is empty (0 features)" c.yaml

case_name "empty layer of inspections: the run goes on"
printf 'id,when,x,y,pin\n' > no_insp.csv
{ file_yaml parcels.gpkg; points_yaml inspections no_insp.csv; } > c.yaml
run_ok c.yaml
awk '$1 == "inspections" && $2 == 0 { ok = 1 } END { exit !ok }' "$OUT/run_summary.txt" || fail "$CASE: 0 inspections read"

case_name "several layers and none named"
ogr2ogr -f GPKG two.gpkg parcels.gpkg -nln parcels
ogr2ogr -f GPKG -update two.gpkg parcels.gpkg -nln parcels_2024
file_yaml two.gpkg > c.yaml
run_fails 1 "the source has 2 layers; name one in layers.parcels.layer: 'parcels', 'parcels_2024'" c.yaml

case_name "unknown EPSG code"
parcels_yaml parcels.csv "    geometry: {wkt: wkt}
    crs: EPSG:999999" > c.yaml
run_fails 1 "crs 'EPSG:999999' of layer parcels is not a CRS PROJ knows" c.yaml

case_name "working_crs in degrees"
sed 's/working_crs: EPSG:32616/working_crs: EPSG:4326/' "$WORK/base.yaml" > c.yaml
cp base_parcels.csv . 2>/dev/null || true
run_fails 1 "working_crs 'EPSG:4326' is not a projected CRS in metres" c.yaml

case_name "unreadable file (permissions, as an unprivileged user)"
copy_shp locked
chmod 0000 locked/parcels.shp
chmod 755 "$WORK"
mkdir -m 777 nobody
file_yaml locked/parcels.shp > c.yaml
chmod 644 c.yaml
set +e
as_nobody "$FIRERISK" run --config c.yaml --out "$WORK/nobody/out" 2>"$WORK/stderr"
RC=$?
set -e
if [ "$RC" = 77 ]; then
  echo "  skipped: needs root to switch to an unprivileged user (root itself reads every file)"
else
  sanitizer_clean
  [ "$RC" = 2 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 2"; }
  grep -q "Permission denied" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: no 'Permission denied'"; }
fi

echo "bad sources: ok ($CASES cases)"
