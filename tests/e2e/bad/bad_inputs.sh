#!/usr/bin/env bash
# Bad input through the CLI: each case gets a clear message naming the file,
# layer, feature or field, the documented exit code, and no output touched;
# per-record problems are counted and written to rejects.csv.
source "$(dirname "$0")/../common.bash"
cd "$WORK"
cat > parcels.csv <<'CSV'
pin,addr,yr,wkt
A1,1 OAK ST,1921,"POLYGON((741000 3735000,741030 3735000,741030 3735030,741000 3735030,741000 3735000))"
A2,3 OAK ST,1950,"POLYGON((741030 3735000,741060 3735000,741060 3735030,741030 3735030,741030 3735000))"
A3,5 OAK ST,1990,"POLYGON((741060 3735000,741090 3735030,741090 3735000,741060 3735030,741060 3735000))"
A2,7 OAK ST,2001,"POLYGON((741090 3735000,741120 3735000,741120 3735030,741090 3735030,741090 3735000))"
A5,9 OAK ST,2001,"POLYGON EMPTY"
CSV
cat > incidents.csv <<'CSV'
id,when,x,y,type,pin
1,2024-03-01,741015,3735015,111,
2,2024-02-30,741015,3735015,111,
3,2024-03-01,741045,3735035,113,
4,2024-03-01,745000,3735015,111,
5,2024-03-01,,,111,A2
6,2024-03-01,,,111,ZZ9
7,2026-03-01,741015,3735015,111,
CSV
base_config() { # $1 = extra parcel keys, $2 = incidents source
  cat <<YAML
as_of: 2025-01-01
working_crs: EPSG:32616
layers:
  parcels:
    source: ${3:-parcels.csv}
    geometry: {wkt: wkt}
$1
    fields: {parcel_id: pin, address: addr, year_built: yr}
  incidents:
    source: ${2:-incidents.csv}
    geometry: {x: x, y: y}
    crs: EPSG:32616
    fields: {date: when, incident_type: type, parcel_id: pin}
join: {tolerance_m: 10}
checks: {enabled: false}   # bad on purpose; the gates are tested in bad_night.sh
YAML
}
base_config "    crs: EPSG:32616" > good.yaml

# 1. A good run with per-record problems: counted, written, not fatal.
expect_exit 0 "$FIRERISK" run --config good.yaml --out out
for reason in duplicate_parcel_id empty_geometry unparsable_date beyond_tolerance unknown_parcel_id; do
  grep -q ",$reason," out/rejects.csv || fail "rejects.csv lacks $reason"
done
grep -q "parcels .* 3 invalid\|1 invalid polygons repaired" out/run_summary.txt || fail "bow-tie repair not reported"
grep ',unparsable_date,' out/rejects.csv | grep "incidents.csv, layer 'incidents', feature 2, field when: value '2024-02-30'" >/dev/null \
  || fail "unparsable date message does not name file, layer, feature and field"
grep -q "^parcels,4,pin,duplicate_parcel_id" out/rejects.csv || fail "the second A2 (feature 4) must be the rejected one"
[ "$(feature_count out/ranked_parcels.geojson)" = 3 ] || fail "3 usable parcels expected"
# incident 7 is after as_of: matched but never counted; incident 5 matched by id.
awk 'NF == 10 && $1 == "incidents" && $2 == 7 && $5 == 1 && $7 == 2 { ok = 1 } END { exit !ok }' out/run_summary.txt \
  || fail "incidents: expected 7 read, 1 by id, 2 contained"
sha_before=$(cat out/* | sha256sum)

# 2. Failures that must stop the run before any output is touched.
check_fails() { # exit-code text config...
  local code=$1 text=$2; shift 2
  expect_exit "$code" "$FIRERISK" run --config "$@" --out out
  expect_stderr "$text"
  [ "$(cat out/* | sha256sum)" = "$sha_before" ] || fail "outputs changed by a failed run ($text)"
  [ ! -e .out.firerisk-new ] || fail "staging directory left behind ($text)"
  return 0
}
check_fails 1 "missing.yaml" missing.yaml
base_config "    crs: EPSG:32616" incidents.csv nowhere.gpkg > c1.yaml
check_fails 2 "nowhere.gpkg: No such file or directory" c1.yaml
base_config "    crs: EPSG:32616
    layer: parcels_2024" > c2.yaml
check_fails 1 "layer 'parcels_2024' (layers.parcels.layer) not found; the source has: 'parcels'" c2.yaml
base_config "" > c3.yaml
check_fails 2 "the source has no CRS and none is configured" c3.yaml
sed 's/address: addr/address: ADDRESS_FULL/' good.yaml > c4.yaml
check_fails 1 "field 'ADDRESS_FULL' (address of parcels) not found; the layer has: 'pin', 'addr', 'yr', 'wkt'" c4.yaml
sed 's/tolerance_m: 10/tolerance_metres: 10/' good.yaml > c5.yaml
check_fails 1 "c5.yaml:14: unknown key 'tolerance_metres' in join" c5.yaml
printf 'not,a,shapefile\n' > broken.shp
base_config "    crs: EPSG:32616" incidents.csv broken.shp > c6.yaml
check_fails 2 "broken.shp" c6.yaml
mkdir -p adir
base_config "    crs: EPSG:32616" adir > c7.yaml
check_fails 2 "adir" c7.yaml
: > empty.csv
base_config "    crs: EPSG:32616" empty.csv > c8.yaml
check_fails 2 "empty.csv" c8.yaml

# 3. Usage errors.
expect_exit 1 "$FIRERISK" run --config good.yaml --threads zero
expect_stderr "--threads"
expect_exit 1 "$FIRERISK" frobnicate
expect_stderr "unknown command"
expect_exit 1 "$FIRERISK" run --config good.yaml --as-of 2025-13-01 --out out
expect_stderr "--as-of"

# 4. An output path that cannot be written: exit 3, nothing half-written.
: > blocked
expect_exit 3 "$FIRERISK" run --config good.yaml --out blocked/out
expect_stderr "blocked"
echo "bad inputs: ok"
