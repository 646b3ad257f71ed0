#!/usr/bin/env bash
# Trained models on a synthetic city with planted risk (docs/MODELS.md):
# the backtest AUC of logistic and gbdt comes within 0.02 of the planted
# truth's on the same fires and beats every baseline; a model trained twice
# (1 and 2 threads) is the same file; `run` scores with it, with reasons and
# no NaN; and bad inputs (a cutoff with no fires after it, a constant and an
# all-missing feature, corrupt and mismatched model files) give clear errors.
source "$(dirname "$0")/common.bash"
N=30000
synth_city "$WORK/city" --parcels $N --seed 3
CFG="$WORK/city/firerisk.yaml"
# The trainings after the backtest stack 3 cutoffs, not the 9 of `auto`: the same checks in a third of the time.
CFG3="$WORK/city/three.yaml"
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 3\n'; } > "$CFG3"

# --- Backtest of the year 2025, judged against truth.csv's p_2025 on the same fires.
expect_exit 0 "$FIRERISK" backtest --config "$CFG" --cutoffs 2025-01-01 --out "$WORK/out" \
  --reference "$WORK/city/truth.csv:p_2025" --threads 2
cat "$WORK/stderr"
# training_cutoffs auto: every yearly cutoff with a year of incidents before it (fires from 2016).
expect_stderr "2025-01-01 gbdt: 8 training cutoffs 2017-01-01 .. 2024-01-01"
grep -q '"format":"firerisk-backtest"\|"format": "firerisk-backtest"' "$WORK/out/backtest.json" || fail "backtest.json format"
# The fires a target list would reach, by rank and allocated across block groups, beside random (issue 15).
python3 - "$WORK/out/backtest.json" <<'EOF2' || fail "backtest.json: target_list shares"
import json, sys
r = {e["name"]: e["target_list"] for e in json.load(open(sys.argv[1]))["cutoffs"][0]["results"]}
for name, t in r.items():
    assert t["size"] == 500, (name, t)
    assert 0 <= t["fires_share_rank"] <= 1 and 0 <= t["fires_share_proportional"] <= 1, (name, t)
assert r["gbdt"]["fires_share_rank"] > 3 * r["random"]["fires_share_rank"], r
assert r["gbdt"]["fires_share_proportional"] > 2 * r["random"]["fires_share_rank"], r
EOF2
grep -q 'list:rank  list:prop' "$WORK/stderr" || fail "the backtest table lacks the target-list columns"
auc() { backtest_auc "$1"; }
expect_near_truth logistic gbdt
for m in logistic gbdt; do
  a=$(auc $m)
  for b in points random building_age past_fires; do
    bb=$(auc $b)
    [ -n "$bb" ] || fail "no AUC for baseline $b"
    awk -v a="$a" -v b="$bb" 'BEGIN { exit !(a > b) }' || fail "$m AUC $a does not beat $b ($bb)"
  done
done
r=$(auc random)
awk -v r="$r" 'BEGIN { exit !(r > 0.45 && r < 0.55) }' || fail "random baseline AUC $r is not about 0.5"

# --- Train as of the config's as_of (2026-01-01): the same file at 1 and 2 threads.
expect_exit 0 "$FIRERISK" train --config "$CFG3" --model gbdt --model-out "$WORK/g1.json" --threads 1
expect_stderr "cutoffs 2023-01-01 .. 2025-01-01 (3)"
# A fixed count as before, and a validation slice too small to stop early on: fallback trees, said with figures.
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 3\n  min_validation_fires: 100000\n  gbdt: {fallback_trees: 12}\n'; } > "$WORK/city/few.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/few.yaml" --model gbdt --model-out "$WORK/few.json"
expect_stderr "cutoffs 2023-01-01 .. 2025-01-01 (3)"
grep -qE "warning: the validation slice 2025-01-01 holds [0-9]+ homes with a fire \(score.min_validation_fires 100000\)" \
  "$WORK/stderr" || fail "no warning naming the validation slice's fires and the floor"
expect_stderr "12 trees"
# Features left out, the importance and the monotone constraints in the summary and the model file.
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 2\n  features_exclude: [building_age]\n'; } > "$WORK/city/ex.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/ex.yaml" --model logistic --model-out "$WORK/ex.json"
expect_stderr "importance (share of the standardised |coefficients|):"
expect_stderr "monotone: fires_parcel_1y +, fires_parcel_3y +"
grep -q '"building_age"' "$WORK/ex.json" && fail "an excluded feature is in the model file"
grep -q '"importance"' "$WORK/ex.json" || fail "no importance in the model file"
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 2\n  features_include: [fires_near_3y, nope]\n'; } > "$WORK/city/in.yaml"
expect_exit 1 "$FIRERISK" train --config "$WORK/city/in.yaml" --model gbdt --model-out "$WORK/in.json"
expect_stderr "score.features_include names 'nope', not a feature of this data"
expect_exit 0 "$FIRERISK" train --config "$CFG3" --model gbdt --model-out "$WORK/g2.json" --threads 2 --quiet
cmp -s "$WORK/g1.json" "$WORK/g2.json" || fail "the gbdt model differs between 1 and 2 threads"
# Sampled non-fire rows: the neighbourhood kernels of the kept rows only, the same model as with every
# row's (--export-csv writes every row, so it computes them all), at 1 and 2 threads.
{ cat "$CFG"; printf 'score:\n  training_cutoffs: 2\n  max_training_rows: 20000\n'; } > "$WORK/city/sampled.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/sampled.yaml" --model gbdt --model-out "$WORK/s1.json" --threads 1
expect_stderr "non-fire rows sampled"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/sampled.yaml" --model gbdt --model-out "$WORK/s2.json" \
  --threads 2 --export-csv "$WORK/sampled.csv" --quiet
cmp -s "$WORK/s1.json" "$WORK/s2.json" || fail "a sampled training differs with every row's features, or at 2 threads"
expect_exit 0 "$FIRERISK" train --config "$CFG3" --model logistic --model-out "$WORK/l.json" --quiet
grep -q '"format_version": *1' "$WORK/l.json" || fail "model file has no format_version"

# --- run scores with the model file: probabilities, reasons, no NaN; the summary shows the model
#     and the backtest found in the output directory.
{ cat "$CFG"; printf 'score:\n  model: gbdt\n  model_file: %s\n' "$WORK/g1.json"; } > "$WORK/city/gbdt.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/gbdt.yaml" --out "$WORK/out"
expect_stderr "model: gbdt from $WORK/g1.json"
expect_stderr "backtest ($WORK/out/backtest.json), cutoff 2025-01-01"
check_ranked_csv "$WORK/out/targets.csv" 500
csv_column "$WORK/out/targets.csv" score | awk '!($1 > 0 && $1 < 1) { print "bad score " $1; bad = 1 } END { exit bad }' \
  || fail "targets.csv scores are not probabilities"
csv_column "$WORK/out/targets.csv" reason_1 | awk '$0 == "" { e++ } END { exit e > 0 }' || fail "a target without a reason"
grep -qi 'nan' "$WORK/out/targets.csv" && fail "NaN in targets.csv"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/gbdt.yaml" --out "$WORK/out2" --threads 1 --quiet
cmp -s "$WORK/out/targets.csv" "$WORK/out2/targets.csv" || fail "targets differ between thread counts"

# --- Bad inputs.
# A backtest cutoff with no fires after it.
expect_exit 2 "$FIRERISK" backtest --config "$CFG" --cutoffs 2026-01-01 --out "$WORK/bt2" --models logistic
expect_stderr "no parcel had a qualifying fire in [2026-01-01, 2027-01-01)"
# A constant feature (every SFR parcel has 1 unit) and an all-missing one (a text field read as a number).
sed -e "s/^    layer: parcels$/    layer: parcels\n    where: \"land_use = 'SFR'\"/" \
    -e "s/^      assessed_value: assessed_value$/      assessed_value: address/" "$CFG3" > "$WORK/city/odd.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/odd.yaml" --model logistic --model-out "$WORK/odd.json"
expect_stderr "units (constant)"
expect_stderr "assessed_value (all missing)"
{ cat "$WORK/city/odd.yaml"; printf '  model: logistic\n  model_file: %s\n' "$WORK/odd.json"; } > "$WORK/city/odd_run.yaml" # odd.yaml ends in its score: block
expect_exit 0 "$FIRERISK" run --config "$WORK/city/odd_run.yaml" --out "$WORK/odd" --quiet
grep -qi 'nan' "$WORK/odd/targets.csv" && fail "NaN in targets.csv with constant and missing features"
# A corrupt model file.
head -c 300 "$WORK/g1.json" > "$WORK/corrupt.json"
{ cat "$CFG"; printf 'score:\n  model: gbdt\n  model_file: %s\n' "$WORK/corrupt.json"; } > "$WORK/city/corrupt.yaml"
expect_exit 2 "$FIRERISK" run --config "$WORK/city/corrupt.yaml" --out "$WORK/c" --quiet
expect_stderr "corrupt.json: not a usable firerisk model file: not valid JSON"
# A model whose features the data lacks (no block groups mapped).
awk '/^  block_groups:/ { skip = 1; next } skip && /^  [a-z]/ { skip = 0 } skip && /^    / { next } { skip = 0; print }' \
  "$WORK/city/gbdt.yaml" > "$WORK/city/nobg.yaml"
grep -q block_groups "$WORK/city/nobg.yaml" && fail "test setup: block_groups still configured"
expect_exit 2 "$FIRERISK" run --config "$WORK/city/nobg.yaml" --out "$WORK/nobg" --quiet
expect_stderr "that the data does not have: bg_"
# A model trained with another neighbourhood radius.
sed 's/^  radius_m: 250$/  radius_m: 500/' "$WORK/city/gbdt.yaml" > "$WORK/city/r500.yaml"
expect_exit 2 "$FIRERISK" run --config "$WORK/city/r500.yaml" --out "$WORK/r500" --quiet
expect_stderr "trained with join.radius_m 250, this configuration has 500"
# The model file's kind must be the configured one.
{ cat "$CFG"; printf 'score:\n  model: logistic\n  model_file: %s\n' "$WORK/g1.json"; } > "$WORK/city/kind.yaml"
expect_exit 1 "$FIRERISK" run --config "$WORK/city/kind.yaml" --out "$WORK/kind" --quiet
expect_stderr "holds a gbdt model but score.model is logistic"
# train without a model to fit.
expect_exit 1 "$FIRERISK" train --config "$CFG" --model-out "$WORK/x.json"
expect_stderr "train needs a model to fit"
echo "models: ok"
