#!/usr/bin/env bash
# The neighbourhood history at several scales (fires_<r>m_5y, calls_<r>m_3y,
# fire_kernel_<b>m; docs/FEATURES.md) in `run`: output.neighbourhood_fields
# auto (the default) computes and writes them only when the scoring model
# reads one of them.  A default points-index run has none of them in any
# output; `always` brings every one back into every map format, with the
# values a run that needs them computes, byte-identical at 1 and 2 threads;
# a points-index term that names one, or a trained model that uses one, gets
# them; a trained model that uses none does not.
source "$(dirname "$0")/common.bash"
synth_city "$WORK/city" --parcels 3000 --seed 11
CFG="$WORK/city/firerisk.yaml"
SCALES="fires_100m_5y fires_250m_5y fires_500m_5y fires_1000m_5y calls_100m_3y calls_250m_3y calls_500m_3y calls_1000m_3y fire_kernel_100m fire_kernel_250m fire_kernel_500m"

# fields DIR: the property names of ranked_parcels.geojson, one a line; gpkg_fields: the GeoPackage's columns.
fields() { python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["features"][0]["properties"]))' \
  "$1/ranked_parcels.geojson"; }
gpkg_fields() { ogrinfo -ro -so "$1/ranked_parcels.gpkg" ranked_parcels | awk -F: '/^[a-z_0-9]+: (Real|Integer|String)/ {print $1}'; }
# has_none DIR WHAT / has_all DIR WHAT: none / every one of them in the GeoJSON and the GeoPackage.
has_none() {
  local g p; g=$(fields "$1"); p=$(gpkg_fields "$1")
  for f in $SCALES; do
    grep -qx "$f" <<<"$g" && fail "$2: $f in the GeoJSON"
    grep -qx "$f" <<<"$p" && fail "$2: $f in the GeoPackage"
  done
  return 0
}
has_all() {
  local g p; g=$(fields "$1"); p=$(gpkg_fields "$1")
  for f in $SCALES; do
    grep -qx "$f" <<<"$g" || fail "$2: no $f in the GeoJSON"
    grep -qx "$f" <<<"$p" || fail "$2: no $f in the GeoPackage"
  done
  return 0
}

# --- The default points index reads none of them: not computed, not written (nor in the DBF).
expect_exit 0 "$FIRERISK" run --config "$CFG" --out "$WORK/auto" --threads 2 --quiet
has_none "$WORK/auto" "default run"
grep -qx fires_near_3y <<<"$(fields "$WORK/auto")" || fail "default run: fires_near_3y missing (test set-up)"
grep -qE "^(fires_100m|fire_kerne|calls_1000)" <<<"$(ogrinfo -ro -so "$WORK/auto/ranked_parcels.shp" ranked_parcels)" \
  && fail "default run: a neighbourhood field in the Shapefile"

# --- always: every column in every output; the columns of both runs hold the same values, and the
#     ranking is unchanged (the points index reads none of the added ones).
{ cat "$CFG"; printf 'output:\n  neighbourhood_fields: always\n'; } > "$WORK/city/always.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/always.yaml" --out "$WORK/always" --threads 2 --quiet
has_all "$WORK/always" "neighbourhood_fields: always"
grep -q "^fire_kerne" <<<"$(ogrinfo -ro -so "$WORK/always/ranked_parcels.shp" ranked_parcels)" \
  || fail "always: no kernel field in the Shapefile"
cmp -s "$WORK/auto/targets.csv" "$WORK/always/targets.csv" || fail "always changed the target list"
python3 - "$WORK/auto/ranked_parcels.geojson" "$WORK/always/ranked_parcels.geojson" <<'EOF2' || fail "always: values differ"
import json, sys
a, b = (json.load(open(p))["features"] for p in sys.argv[1:])
assert len(a) == len(b)
fires = 0
for fa, fb in zip(a, b):
    pa, pb = fa["properties"], fb["properties"]
    assert all(pb[k] == v for k, v in pa.items()), (pa, pb)
    fires += (pb["fires_1000m_5y"] or 0) > 0
    assert pb["fires_100m_5y"] is None or pb["fires_100m_5y"] <= pb["fires_1000m_5y"], pb
assert fires > len(b) // 2, fires  # the synthetic city has fires near most homes
EOF2
expect_exit 0 "$FIRERISK" run --config "$WORK/city/always.yaml" --out "$WORK/always1" --threads 1 --quiet
for f in ranked_parcels.geojson ranked_parcels.dbf targets.csv; do
  cmp -s "$WORK/always/$f" "$WORK/always1/$f" || fail "always: $f differs between --threads 1 and 2"
done
# The next run, as of another day, over the same outputs: changes.csv's "then" values are the last run's,
# the neighbourhood history included (made there for the rows the changes explain only).
cp "$WORK/always/ranked_parcels.geojson" "$WORK/always.last.geojson"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/always.yaml" --out "$WORK/always" --as-of 2025-07-01 --quiet
python3 "$(dirname "$0")/changes_then.py" "$WORK/always.last.geojson" "$WORK/always/ranked_parcels.geojson" \
  "$WORK/always/changes.csv" "fires_[0-9]+m_5y|fire_kernel_" || fail "always: changes.csv's values then"

# --- auto, a points-index term that names one: computed and written.
{ cat "$CFG"; printf 'score:\n  weights:\n    - {feature: fire_kernel_250m, weight: 2, cap: 3}\n'
  printf '    - {feature: fires_parcel_5y, weight: 3, cap: 2}\n'; } > "$WORK/city/term.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/term.yaml" --out "$WORK/term" --quiet
has_all "$WORK/term" "a term naming fire_kernel_250m"
cmp -s "$WORK/always/ranked_parcels.geojson" "$WORK/term/ranked_parcels.geojson" \
  && fail "the kernel term did not change the scores"

# --- auto with trained models: one that reads the kernel gets the columns, one that reads none does not.
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 2\n  features_include: [fire_kernel_250m, fires_near_3y]\n'; } \
  > "$WORK/city/train_k.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/train_k.yaml" --model logistic --model-out "$WORK/k.json" --quiet
grep -q '"fire_kernel_250m"' "$WORK/k.json" || fail "test set-up: the model does not use the kernel"
{ cat "$CFG"; printf 'score:\n  model: logistic\n  model_file: %s\n' "$WORK/k.json"; } > "$WORK/city/run_k.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/run_k.yaml" --out "$WORK/k" --quiet
has_all "$WORK/k" "a model that reads fire_kernel_250m"
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 2\n  features_include: [fires_near_3y, building_age]\n'; } \
  > "$WORK/city/train_n.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/train_n.yaml" --model logistic --model-out "$WORK/n.json" --quiet
{ cat "$CFG"; printf 'score:\n  model: logistic\n  model_file: %s\n' "$WORK/n.json"; } > "$WORK/city/run_n.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/run_n.yaml" --out "$WORK/n" --quiet
has_none "$WORK/n" "a model that reads none of them"

# --- A value that is neither: refused with the choices.
{ cat "$CFG"; printf 'output:\n  neighbourhood_fields: sometimes\n'; } > "$WORK/city/bad.yaml"
expect_exit 1 "$FIRERISK" run --config "$WORK/city/bad.yaml" --out "$WORK/bad" --quiet
expect_stderr "neighbourhood_fields"
echo "neighbourhood_fields: ok"
