#!/usr/bin/env bash
# The analyst outputs on a small synthetic city with a zone layer:
#  - ogrinfo reads every format back (GeoPackage layer and tables, Shapefile,
#    GeoJSON) with one feature per parcel, and the same values for the same
#    parcel in each (text, real, date, integer), and in targets.csv;
#  - the GeoPackage, the .qml, targets.csv and changes.csv are byte-identical
#    at 1 and 2 threads, and with stderr on a terminal (the progress bar
#    changes no file) or not; no progress bar when stderr is not a terminal;
#  - target list rows = min(N, parcels); capacity per zone caps each label;
#  - changes.csv: first run every target entered; after a run as of another
#    date, entered/left are exactly the difference of the two lists.
source "$(dirname "$0")/common.bash"
N=2000
synth_city "$WORK/city" --parcels $N --seed 11
# A zone layer: the block groups, named "district", labelled by geoid.
sed 's/^layers:$/layers:\n  zones:\n    - {name: district, source: city.gpkg, layer: block_groups, field: geoid}/' \
  "$WORK/city/firerisk.yaml" > "$WORK/city/zones.yaml"
grep -q "name: district" "$WORK/city/zones.yaml" || fail "could not add the zone layer"

expect_exit 0 "$FIRERISK" run --config "$WORK/city/zones.yaml" --out "$WORK/a" --threads 1
grep -q $'\r' "$WORK/stderr" && fail "progress bar drawn although stderr is not a terminal"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/zones.yaml" --out "$WORK/b" --threads 2 --quiet
for f in ranked_parcels.gpkg ranked_parcels.qml targets.csv changes.csv ranked_parcels.geojson ranked_parcels.dbf; do
  [ -s "$WORK/a/$f" ] || fail "$f missing"
  cmp -s "$WORK/a/$f" "$WORK/b/$f" || fail "$f differs between --threads 1 and --threads 2"
done
[ -s "$WORK/a/report.html" ] || fail "report.html missing"
if command -v script >/dev/null; then
  # stderr on a pseudo-terminal: the progress bar may draw; no output may change.
  script -qec "'$FIRERISK' run --config '$WORK/city/zones.yaml' --out '$WORK/tty' --threads 2" /dev/null >/dev/null 2>&1 \
    || fail "run with a terminal failed"
  for f in ranked_parcels.gpkg targets.csv changes.csv ranked_parcels.geojson ranked_parcels.shp; do
    cmp -s "$WORK/a/$f" "$WORK/tty/$f" || fail "$f differs when stderr is a terminal"
  done
fi

# ---- every format read back -------------------------------------------------
gpkg="$WORK/a/ranked_parcels.gpkg"
layers=$(ogrinfo -ro -q "$gpkg" | awk '{print $2}' | sort | tr '\n' ' ')
[ "$layers" = "layer_styles ranked_parcels rejects run_metadata " ] || fail "GeoPackage tables: $layers"
[ "$(ogrinfo -ro -so "$gpkg" ranked_parcels | awk -F': ' '/^Feature Count/ {print $2}')" = $N ] || fail "gpkg feature count"
ogrinfo -ro -so "$gpkg" ranked_parcels | grep 'ID\["EPSG",32616\]' >/dev/null || fail "gpkg is not in the working CRS"
ogrinfo -ro -so "$gpkg" ranked_parcels | grep '^Geometry: Multi Polygon' >/dev/null || fail "gpkg geometry type"
[ "$(feature_count "$WORK/a/ranked_parcels.shp")" = $N ] || fail "shapefile feature count"
[ "$(feature_count "$WORK/a/ranked_parcels.geojson")" = $N ] || fail "geojson feature count"
rejects_csv=$(($(wc -l < "$WORK/a/rejects.csv") - 1))
[ "$(ogrinfo -ro -so "$gpkg" rejects | awk -F': ' '/^Feature Count/ {print $2}')" = "$rejects_csv" ] \
  || fail "gpkg rejects table and rejects.csv differ"
ogrinfo -ro -q "$gpkg" -sql "SELECT value FROM run_metadata WHERE key = 'as_of'" | grep "value (String) = 2026-01-01" >/dev/null \
  || fail "run_metadata lacks as_of"
ogrinfo -ro -q "$gpkg" -sql "SELECT useAsDefault, f_table_name FROM layer_styles" | grep "useAsDefault (Integer(Boolean)) = 1" >/dev/null \
  || fail "layer_styles has no default style"

# value FILE LAYER FIELD [WHERE]: FIELD of the rank-10 parcel (or the one
# WHERE picks), as ogrinfo prints it.
value() {
  ogrinfo -ro -q "$1" -sql "SELECT $3 FROM \"$2\" WHERE ${4:-rank = 10}" \
    | awk -v f="$3" 'index($0, "  " f " (") == 1 { sub(/^[^=]*= /, ""); print; exit }'
}
for pair in parcel_id:parcel_id tier:tier last_inspection:last_insp assessed_value:assessed block_group:block_grp \
            fires_near_3y:fire_n_3y district:district; do
  long=${pair%%:*} short=${pair##*:}
  g=$(value "$gpkg" ranked_parcels "$long")
  s=$(value "$WORK/a/ranked_parcels.shp" ranked_parcels "$short")
  j=$(value "$WORK/a/ranked_parcels.geojson" ranked_parcels "$long")
  [ -n "$g" ] || fail "gpkg: no value for $long"
  [ "$g" = "$s" ] && [ "$g" = "$j" ] || fail "$long differs: gpkg '$g', shapefile '$s', geojson '$j'"
done
for f in "$gpkg" "$WORK/a/ranked_parcels.geojson"; do
  ogrinfo -ro -so "$f" ranked_parcels | grep '^last_inspection: Date' >/dev/null || fail "$f: last_inspection is not a Date"
done
ogrinfo -ro -so "$WORK/a/ranked_parcels.shp" ranked_parcels | grep '^last_insp: Date' >/dev/null || fail "shapefile: last_insp is not a Date"
# The 10th row of the list (homes visited recently are passed over: list_rank, not rank).
score_g=$(value "$gpkg" ranked_parcels score "list_rank = 10")
score_t=$(awk -F, 'NR == 11 {print $4}' "$WORK/a/targets.csv")
awk -v a="$score_g" -v b="$score_t" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' \
  || fail "score of list row 10: gpkg $score_g, targets.csv $score_t"
insp_g=$(value "$gpkg" ranked_parcels last_inspection "list_rank = 10")
[ "$insp_g" = "(null)" ] && insp_g=""   # never inspected: NULL in the GeoPackage, an empty cell in the CSV
[ "$(csv_column "$WORK/a/targets.csv" last_inspection | sed -n 10p | tr - /)" = "$insp_g" ] \
  || fail "targets.csv last_inspection differs from the gpkg"

# ---- target list rows ----------------------------------------------------------
[ $(($(wc -l < "$WORK/a/targets.csv") - 1)) = 500 ] || fail "targets.csv rows != 500"
{ cat "$WORK/city/zones.yaml"; printf 'output:\n  target_list_size: 100000\n  geopackage: false\n  report: false\ntargets: {revisit_after_days: 0, failed_revisit_days: 0}\n'; } > "$WORK/city/all.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/all.yaml" --out "$WORK/all" --quiet
check_ranked_csv "$WORK/all/targets.csv" $N
[ ! -e "$WORK/all/ranked_parcels.gpkg" ] && [ ! -e "$WORK/all/report.html" ] || fail "geopackage: false / report: false ignored"

# ---- capacity per zone --------------------------------------------------------------
first=$(csv_column "$WORK/a/targets.csv" district | sed -n 1p)
{ cat "$WORK/city/zones.yaml"
  printf 'output:\n  capacity_per_zone:\n    zone: district\n    default: 5\n    limits: {"%s": 12}\n' "$first"; } > "$WORK/city/cap.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/cap.yaml" --out "$WORK/cap" --quiet
csv_column "$WORK/cap/targets.csv" district | sort | uniq -c | awk -v first="$first" '
  { lim = ($2 == first) ? 12 : 5; if ($1 > lim) { print "zone " $2 " has " $1 " > " lim; bad = 1 } }
  $2 == first && $1 != 12 { print "zone " first " has " $1 ", expected its limit 12"; bad = 1 }
  END { exit bad }' || fail "capacity per zone not respected"
# the per-zone file: the same rows, grouped by zone, within the same limits
[ "$(csv_column "$WORK/cap/targets_by_zone.csv" parcel_id | sort)" = "$(csv_column "$WORK/cap/targets.csv" parcel_id | sort)" ] \
  || fail "targets_by_zone.csv rows differ from targets.csv"
csv_column "$WORK/cap/targets_by_zone.csv" zone | uniq | sort | uniq -d | grep . >/dev/null && fail "targets_by_zone.csv is not grouped by zone"
zones=$(csv_column "$WORK/a/targets.csv" district | sort -u | wc -l)
rows=$(($(wc -l < "$WORK/cap/targets.csv") - 1))
[ "$rows" -gt 12 ] || fail "capacity list has only $rows rows"
# ranks still increase down the list
csv_column "$WORK/cap/targets.csv" rank | awk 'NR > 1 && $1 <= prev { bad = 1 } { prev = $1 } END { exit bad }' \
  || fail "capacity list is not in rank order"
sed 's/zone: district/zone: battalion/' "$WORK/city/cap.yaml" > "$WORK/city/badcap.yaml"
expect_exit 1 "$FIRERISK" run --config "$WORK/city/badcap.yaml" --out "$WORK/bad" --quiet
expect_stderr "capacity_per_zone.zone 'battalion'"

# ---- changes since the last run ----------------------------------------------------
[ "$(grep -c '^entered,' "$WORK/a/changes.csv")" = 500 ] || fail "first run: not every target entered"
head -1 "$WORK/a/changes.csv" | grep -x 'change,parcel_id,address,rank,previous_rank,score,previous_score,tier,why' >/dev/null \
  || fail "changes.csv header"
cp "$WORK/a/targets.csv" "$WORK/targets.before"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/zones.yaml" --out "$WORK/a" --as-of 2025-07-01 --quiet
csv_column "$WORK/targets.before" parcel_id | sort > "$WORK/old.ids"
csv_column "$WORK/a/targets.csv" parcel_id | sort > "$WORK/new.ids"
comm -13 "$WORK/old.ids" "$WORK/new.ids" > "$WORK/entered.want"
comm -23 "$WORK/old.ids" "$WORK/new.ids" > "$WORK/left.want"
[ -s "$WORK/entered.want" ] || fail "the two runs have the same list: the test proves nothing"
grep '^entered,' "$WORK/a/changes.csv" | cut -d, -f2 | sort > "$WORK/entered.got"
grep '^left,' "$WORK/a/changes.csv" | cut -d, -f2 | sort > "$WORK/left.got"
cmp -s "$WORK/entered.want" "$WORK/entered.got" || fail "changes.csv: entered is not new list minus old list"
cmp -s "$WORK/left.want" "$WORK/left.got" || fail "changes.csv: left is not old list minus new list"
grep -q "entered, <b>" "$WORK/a/report.html" || fail "report does not show the changes"
# Each "feature then -> now" of the why column: "then" is the feature as of
# the last run's day, recomputed from this run's data, which is the same city:
# it must be the last run's own value ($WORK/b is that run, at 2 threads), and
# "now" this run's.  (A run that had let the incidents' points go before the
# changes placed them at their parcels' points, and the fires near moved.)
python3 "$(dirname "$0")/changes_then.py" "$WORK/b/ranked_parcels.geojson" "$WORK/a/ranked_parcels.geojson" \
  "$WORK/a/changes.csv" || fail "changes.csv: a feature's value then is not the last run's"
echo "analyst outputs: ok ($(wc -l < "$WORK/entered.got") entered, $(wc -l < "$WORK/left.got") left, $zones districts)"
