#!/usr/bin/env bash
# tests/e2e/named_geopackage.sh — output.named_geopackage: the run's layers
# written into a GeoPackage of the user's choosing under names of their
# choosing (as ogr2ogr -nln), its other layers untouched, replaced whole
# on the next run, and a failure leaving the file as it was.
source "$(dirname "$0")/common.bash"
cd "$WORK"
synth_city city --parcels 400 --seed 5

# The analyst's own GeoPackage with a layer of theirs.
ogr2ogr -f GPKG mine.gpkg city/city.gpkg stations -nln my_stations
ogr2ogr -f CSV before.csv mine.gpkg my_stations
cp city/firerisk.yaml city/named.yaml
cat >> city/named.yaml <<'YAML'
output:
  named_geopackage:
    file: ../mine.gpkg
    ranked_parcels: risk_tonight
    targets: visit_list
    rejects: rejected_records
    matches: join_audit
YAML
"$FIRERISK" run --config city/named.yaml --out out --quiet || fail "run with named_geopackage failed"
[ -d out ] || fail "no output directory"
layers=$(ogrinfo -ro -q mine.gpkg | sed -E 's/^[0-9]+: ([^ ]+).*/\1/' | sort | tr '\n' ' ')
[ "$layers" = "join_audit layer_styles my_stations rejected_records risk_tonight visit_list " ] || fail "layers: $layers"

count() { ogrinfo -ro -so mine.gpkg "$1" | awk -F': ' '/^Feature Count/ {print $2}'; }
[ "$(count risk_tonight)" = 400 ] || fail "risk_tonight: $(count risk_tonight) features"
[ "$(count visit_list)" = "$(($(wc -l < out/targets.csv) - 1))" ] || fail "visit_list count"
[ "$(count join_audit)" = "$(($(wc -l < out/matches.csv) - 1))" ] || fail "join_audit count"
[ "$(count rejected_records)" = "$(($(wc -l < out/rejects.csv) - 1))" ] || fail "rejected_records count"
ogr2ogr -f CSV after.csv mine.gpkg my_stations
cmp -s before.csv after.csv || fail "the user's own layer changed"

# Values round-trip, typed: ranks and scores of the list, the geometry at lon/lat.
ogr2ogr -f CSV -sql "SELECT rank, parcel_id, score, lon, lat, ST_X(geom) AS x, ST_Y(geom) AS y FROM visit_list" \
  vl.csv mine.gpkg
python3 - out/targets.csv vl.csv <<'PY'
import csv, sys
t = list(csv.DictReader(open(sys.argv[1])))
v = list(csv.DictReader(open(sys.argv[2])))
assert len(t) == len(v) > 0
for a, b in zip(t, v):
    assert a["rank"] == b["rank"] and a["parcel_id"] == b["parcel_id"], (a, b)
    assert abs(float(a["score"]) - float(b["score"])) < 1e-9, (a, b)
    assert abs(float(b["x"]) - float(a["lon"])) < 1e-9 and abs(float(b["y"]) - float(a["lat"])) < 1e-9, (a, b)
PY
ogrinfo -ro -so mine.gpkg visit_list | grep '^rank: Integer' >/dev/null || fail "visit_list.rank is not an integer"
ogrinfo -ro -so mine.gpkg visit_list | grep '^last_inspection: Date' >/dev/null || fail "last_inspection is not a date"
ogrinfo -ro -so mine.gpkg risk_tonight | grep 'Geometry: Multi Polygon' >/dev/null || fail "risk_tonight geometry"
# firerisk's QGIS style goes with the ranked layer (QGIS applies a useAsDefault row by itself)
[ "$(ogrinfo -ro -q mine.gpkg -sql "SELECT count(*) AS n FROM layer_styles WHERE f_table_name = 'risk_tonight' AND useAsDefault = 1" |
     awk -F'= ' '/n \(/ {print $2}')" = 1 ] || fail "no default style row for risk_tonight"

# A second run replaces the layers (no duplicates), still leaving the user's.
"$FIRERISK" run --config city/named.yaml --out out --quiet --as-of 2025-06-01 || fail "second run failed"
[ "$(count risk_tonight)" = 400 ] || fail "second run: risk_tonight has $(count risk_tonight)"
ogr2ogr -f CSV after2.csv mine.gpkg my_stations
cmp -s before.csv after2.csv || fail "the second run changed the user's layer"

# A publication that fails midway (the fourth layer's name is refused by the
# GeoPackage driver: the 'gpkg' prefix is reserved) fails the run with exit 3,
# rolls back the layers already replaced in the same transaction (the ranked
# layer keeps the previous run's values) and publishes no output directory.
ogr2ogr -f CSV ranked_before.csv mine.gpkg risk_tonight
sed 's/    matches: join_audit/    matches: gpkg_audit/' city/named.yaml > city/fails.yaml
targets_before=$(sha256sum out/targets.csv)
expect_exit 3 "$FIRERISK" run --config city/fails.yaml --out out --quiet --as-of 2025-01-01
expect_stderr "firerisk: error: output.named_geopackage"
expect_stderr "layer gpkg_audit"
ogr2ogr -f CSV ranked_after.csv mine.gpkg risk_tonight
cmp -s ranked_before.csv ranked_after.csv || fail "a failed publication changed risk_tonight (no rollback)"
ogr2ogr -f CSV after3.csv mine.gpkg my_stations
cmp -s before.csv after3.csv || fail "a failed publication changed the user's layer"
[ "$targets_before" = "$(sha256sum out/targets.csv)" ] || fail "a failed publication swapped the output directory in"

# A layer named in the config must be written even into a new file.
sed 's#file: ../mine.gpkg#file: ../fresh/new.gpkg#' city/named.yaml > city/fresh.yaml
mkdir fresh
"$FIRERISK" run --config city/fresh.yaml --out out2 --quiet || fail "run into a new GeoPackage failed"
ogrinfo -ro -q fresh/new.gpkg | grep risk_tonight >/dev/null || fail "no layer in the new GeoPackage"
echo "named geopackage: ok"
