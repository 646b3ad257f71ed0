#!/usr/bin/env bash
# Block groups name any numeric or categorical source field as a feature
# (features.block_group_numeric, block_group_categorical; docs/FEATURES.md):
# each home takes its block group's value; a categorical field becomes one
# 0/1 column bg_<field>=<level> per level held by min_level_homes homes, the
# rarer levels pooled into bg_<field>=other; a trained model scores data with
# a level it never saw (as other); a field the layer lacks is refused by name.
source "$(dirname "$0")/common.bash"
synth_city "$WORK/city" --parcels 6000 --seed 5
# A copy of the block groups with a text field: ODD on the first, HIGH or LOW by poverty on the others.
ogr2ogr -f GPKG "$WORK/bg.gpkg" "$WORK/city/city.gpkg" -nln block_groups -dialect SQLite -sql \
  "SELECT *, CASE WHEN fid = 1 THEN 'ODD' WHEN poverty_rate > (SELECT avg(poverty_rate) FROM block_groups) THEN 'HIGH' ELSE 'LOW' END AS zone_class FROM block_groups" \
  || fail "ogr2ogr (test setup)"
odd_homes=$(ogrinfo -ro -q "$WORK/city/city.gpkg" -sql \
  "SELECT count(*) AS n FROM parcels WHERE bg_geoid = (SELECT geoid FROM block_groups WHERE fid = 1)" | awk -F'= ' '/n \(/ { print $2 }')
[ "$odd_homes" -gt 0 ] || fail "test setup: no homes in the first block group"
# min_level_homes above the ODD block group's homes: ODD is pooled into other.
cfg() { # cfg FILE BG-SOURCE CATEGORICAL-FIELD
  sed "/^  block_groups:/,/^  [a-z]/ s#^    source: city.gpkg#    source: $2#" "$WORK/city/firerisk.yaml" > "$1"
  printf 'features:\n  block_group_numeric: [population]\n  block_group_categorical: [%s]\n  min_level_homes: %d\nscore:\n  training_cutoffs: 2\n' \
    "$3" $((odd_homes + 1)) >> "$1"
}
cfg "$WORK/city/a.yaml" "$WORK/bg.gpkg" zone_class
grep -q "source: $WORK/bg.gpkg" "$WORK/city/a.yaml" || fail "test setup: block groups not redirected"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/a.yaml" --model gbdt --model-out "$WORK/m.json"
python3 - "$WORK/m.json" <<'PY' || fail "the model's block-group attribute columns"
import json, sys
f = json.load(open(sys.argv[1]))["features"]
for c in ("bg_population", "bg_zone_class=HIGH", "bg_zone_class=LOW", "bg_zone_class=other"):
    assert c in f, (c, f)
assert "bg_zone_class=ODD" not in f and not any(c.startswith("bg_attr:") for c in f), f
PY
# A level the model never saw (LOW renamed) scores as other; the run completes with reasons.
ogr2ogr -f GPKG "$WORK/bg2.gpkg" "$WORK/bg.gpkg" -nln block_groups -dialect SQLite -sql \
  "SELECT geom, geoid, median_income, pct_renter, poverty_rate, population,
          CASE zone_class WHEN 'LOW' THEN 'NEWLEVEL' ELSE zone_class END AS zone_class FROM block_groups" \
  || fail "ogr2ogr (test setup)"
cfg "$WORK/city/b.yaml" "$WORK/bg2.gpkg" zone_class
printf '  model: gbdt\n  model_file: %s\n' "$WORK/m.json" >> "$WORK/city/b.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/b.yaml" --out "$WORK/out" --quiet
check_ranked_csv "$WORK/out/targets.csv" 500
grep -qi 'nan' "$WORK/out/targets.csv" && fail "NaN in targets.csv"
# A field the block groups lack is refused, by name.
cfg "$WORK/city/c.yaml" "$WORK/bg.gpkg" nope
expect_exit 1 "$FIRERISK" run --config "$WORK/city/c.yaml" --out "$WORK/c" --quiet
expect_stderr "layer 'block_groups': field 'nope'"
echo "block_group_attributes: ok"
