#!/usr/bin/env bash
# The default models recover the rich synthetic city's planted effects
# (docs/SYNTH.md section 7b): a categorical heating attribute (WOOD raises
# risk, SOLAR is too rare for a column of its own), condominium stacks
# (several homes on one footprint, risk rising with their number and with
# fires in the building) and fire history at two scales (100 m and 1000 m).
# The backtest AUC of logistic and gbdt comes within 0.02 of the planted
# truth's on the same fires; WOOD gets a positive coefficient and the
# co-location and two-scale features carry importance; and a GBDT trained
# with the default monotone constraints never lowers its score as a
# constrained feature grows (property check on the trees of the model file).
source "$(dirname "$0")/common.bash"
synth_city "$WORK/city" --parcels 40000 --seed 3 --profile rich
CFG="$WORK/city/rich.yaml"
{ cat "$WORK/city/firerisk.yaml"; printf 'features:\n  parcel_categorical: [heating]\nscore:\n  training_cutoffs: 4\n'; } > "$CFG"

# --- The city holds what the profile plants.
G="$WORK/city/city.gpkg"
sql() { ogrinfo -ro -q "$G" -sql "$1" | awk -F'= ' '/=/ { print $2; exit }'; }
[ "$(sql "SELECT count(*) FROM parcels WHERE heating = 'WOOD'")" -gt 1000 ] || fail "too few WOOD homes"
solar=$(sql "SELECT count(*) FROM parcels WHERE heating = 'SOLAR'")
[ "$solar" -gt 0 ] && [ "$solar" -lt 30 ] || fail "SOLAR should be a rare level (under min_level_homes 30): $solar"
stacked=$(sql "SELECT count(*) FROM parcels p JOIN (SELECT geom FROM parcels GROUP BY geom HAVING count(*) > 2) s ON p.geom = s.geom")
[ "$stacked" -gt 2000 ] || fail "too few homes stacked on a shared footprint: $stacked"

# --- Backtest of 2025 against truth.csv's p_2025 on the same fires.
expect_exit 0 "$FIRERISK" backtest --config "$CFG" --cutoffs 2025-01-01 --out "$WORK/bt" \
  --reference "$WORK/city/truth.csv:p_2025" --threads 2
cat "$WORK/stderr"
expect_near_truth logistic gbdt
grep -q "per location" "$WORK/stderr" || fail "no per-location line although homes share footprints"

# --- Trained models: the planted level, the co-location and the two scales.
# (2 cutoffs, not the backtest's 4: the same checks in half the time)
sed 's/^  training_cutoffs: 4$/  training_cutoffs: 2/' "$CFG" > "$WORK/city/two.yaml"
expect_exit 0 "$FIRERISK" train --config "$WORK/city/two.yaml" --model logistic --model-out "$WORK/l.json" --threads 2
expect_exit 0 "$FIRERISK" train --config "$WORK/city/two.yaml" --model gbdt --model-out "$WORK/g.json" --threads 2
cat "$WORK/stderr"
python3 - "$WORK/l.json" "$WORK/g.json" <<'PY' || fail "the trained models do not show the planted effects"
import json, math, random, sys
lm, gm = (json.load(open(p)) for p in sys.argv[1:3])
coef = {c["feature"]: c["coef"] for c in lm["logistic"]["columns"]}
assert coef.get("heating=WOOD", 0) > 0, ("heating=WOOD coefficient", coef.get("heating=WOOD"))
assert "heating=SOLAR" not in coef and "heating=other" in coef, "SOLAR is not pooled into other"
imp = {m["model"]: dict(zip(m["features"], m["importance"])) for m in (lm, gm)}
for f in ("heating=WOOD", "homes_at_location", "fires_location_5y", "fires_100m_5y", "fires_1000m_5y"):
    assert max(imp["logistic"].get(f, 0), imp["gbdt"].get(f, 0)) > 0, ("no importance", f)
assert imp["gbdt"]["fires_location_5y"] > 0 and imp["gbdt"]["fires_100m_5y"] > 0, imp["gbdt"]

# Property: the GBDT's score never falls as a monotone-increasing feature grows.
feats = gm["features"]
mono = [s.strip()[:-2] for s in gm["training"]["monotone"].split(",") if s.strip().endswith("+")]
assert "fires_location_5y" in mono and "fires_100m_5y" in mono, mono
trees = gm["gbdt"]["trees"]
def score(x):
    s = gm["gbdt"]["base"]
    for t in trees:
        i = 0
        while t["left"][i] >= 0:
            v = x[t["feature"][i]]
            i = t["left"][i] if (t["missing_left"][i] if math.isnan(v) else v <= t["threshold"][i]) else t["right"][i]
        s += t["value"][i]
    return s
cuts = [sorted({t["threshold"][i] for t in trees for i in range(len(t["feature"])) if t["feature"][i] == j})
        for j in range(len(feats))]
rng = random.Random(13)
def draw(j):
    c = cuts[j]
    if not c or rng.random() < 0.05:
        return float("nan") if rng.random() < 0.5 else 0.0
    return rng.choice(c) + rng.choice((-0.5, 0.0, 0.5))
checked = 0
for f in mono:
    j = feats.index(f)
    grid = sorted({0.0} | {v + d for v in cuts[j] for d in (-1e-3, 0.0, 1e-3)} | {1e6})
    for _ in range(60):
        x = [draw(k) for k in range(len(feats))]
        prev = -math.inf
        for v in grid:
            x[j] = v
            s = score(x)
            assert s >= prev - 1e-9, (f, v, s, prev)
            prev = s
        checked += 1
assert checked >= 60 * 5, checked
print("monotone property: %d rows x grid over %d constrained features" % (checked // 60, len(mono)))
PY
echo "planted_effects: ok"
