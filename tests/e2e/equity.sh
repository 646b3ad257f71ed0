#!/usr/bin/env bash
# The equity of the target list (docs/EQUITY.md): equity.csv per block group
# and per zone layer (shares that add up, the demographics of the block
# groups, flags where the targets share departs from the risk share);
# targets.allocation: proportional gives every block group its share of the
# list (within one row); block groups without demographic fields give the
# table without those columns; the same bytes at 1 and 2 threads; config
# refusals.
source "$(dirname "$0")/common.bash"
N=6000
"$FIRERISK" synth --parcels $N --seed 4 --out "$WORK/city" 2>/dev/null
CFG="$WORK/city/firerisk.yaml"
cat >> "$CFG" <<'EOF'
as_of: 2026-01-01
EOF
# a zone layer: the block groups again, under another name
sed -i 's/^join:/  zones:\n    - {name: district, source: city.gpkg, layer: block_groups, field: geoid}\njoin:/' "$CFG"
expect_exit 0 "$FIRERISK" run --config "$CFG" --out "$WORK/rank" --threads 1 --quiet
expect_exit 0 "$FIRERISK" run --config "$CFG" --out "$WORK/rank2" --threads 2 --quiet
cmp -s "$WORK/rank/equity.csv" "$WORK/rank2/equity.csv" || fail "equity.csv differs at 1 and 2 threads"
cmp -s "$WORK/rank/equity.gpkg" "$WORK/rank2/equity.gpkg" || fail "equity.gpkg differs at 1 and 2 threads"
grep -q '"equity.csv"' "$WORK/rank/run_manifest.json" || fail "equity.csv not in the manifest"

sed 's/^join:/targets:\n  allocation: proportional\njoin:/' "$CFG" > "$WORK/city/prop.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/prop.yaml" --out "$WORK/prop" --quiet

python3 - "$WORK" <<'EOF' || fail "equity.csv"
import csv, sys
w = sys.argv[1]
def rows(d):
    return list(csv.DictReader(open("%s/%s/equity.csv" % (w, d), newline="", encoding="utf-8")))
rank, prop = rows("rank"), rows("prop")
cols = list(rank[0].keys())
for c in ("layer", "area", "homes", "risk", "risk_share", "targets", "targets_share", "targets_to_risk", "flag",
          "fires_5y", "fires_share", "visits_past_year", "poverty_rate", "pct_renter", "median_income"):
    assert c in cols, c
for table in (rank, prop):
    for layer in ("block_groups", "district"):
        r = [x for x in table if x["layer"] == layer]
        assert len(r) >= 4, (layer, len(r))
        assert sum(int(x["homes"]) for x in r) == 6000
        assert sum(int(x["targets"]) for x in r) == 500
        assert abs(sum(float(x["risk_share"]) for x in r) - 1) < 1e-4
        assert abs(sum(float(x["targets_share"]) for x in r) - 1) < 1e-4
    assert all(x["poverty_rate"] == "" for x in table if x["layer"] == "district")
    assert all(x["poverty_rate"] != "" for x in table if x["layer"] == "block_groups")
# rank: the list goes where the scores are highest, and the table says so
flags = [x["flag"] for x in rank if x["flag"]]
assert flags and all(f in ("over", "under") for f in flags), flags
for x in rank:
    ratio = float(x["targets_to_risk"])
    assert (x["flag"] == "over") == (ratio > 1.5) and (x["flag"] == "under") == (ratio < 1 / 1.5), x
# proportional: every block group its share of the list, within one row (largest remainder)
for x in prop:
    if x["layer"] == "block_groups":
        assert abs(int(x["targets"]) - 500 * float(x["risk_share"])) < 1, x
print("rank flags %d of %d rows; proportional flags %d" % (len(flags), len(rank), sum(1 for x in prop if x["flag"])))
EOF
[ "$(wc -l < "$WORK/prop/targets.csv")" = 501 ] || fail "the proportional list has not 500 rows"
grep -q "Allocation: <b>proportional</b>" "$WORK/prop/report.html" || fail "the report does not say the allocation"

# block groups without demographic fields: the table without those columns
grep -v -E '^      (median_income|pct_renter|poverty_rate):' "$CFG" > "$WORK/city/nodemo.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/nodemo.yaml" --out "$WORK/nodemo" --quiet
head -1 "$WORK/nodemo/equity.csv" | grep -q 'poverty_rate\|pct_renter\|median_income' \
  && fail "demographic columns without demographic fields"
head -1 "$WORK/nodemo/equity.csv" | grep -q 'targets_to_risk' || fail "equity.csv without its columns"

# no area layer at all: no equity file, no section
python3 - "$CFG" "$WORK/city/noareas.yaml" <<'EOF'
import sys
out, skip = [], False
for line in open(sys.argv[1]):
    if line.startswith("  block_groups:") or line.startswith("  zones:"):
        skip = True
        continue
    if skip and (line.startswith("    ") or line.startswith("  -")):
        continue
    skip = False
    out.append(line)
open(sys.argv[2], "w").write("".join(out))
EOF
expect_exit 0 "$FIRERISK" run --config "$WORK/city/noareas.yaml" --out "$WORK/noareas" --quiet
[ -e "$WORK/noareas/equity.csv" ] && fail "equity.csv without block groups or zones"
grep -q "Equity of the list" "$WORK/noareas/report.html" && fail "an equity section without areas"

# refusals
sed 's/^join:/targets:\n  allocation: proportional\njoin:/' "$WORK/city/noareas.yaml" > "$WORK/city/bad1.yaml"
expect_exit 1 "$FIRERISK" run --config "$WORK/city/bad1.yaml" --out "$WORK/bad" --quiet
expect_stderr "needs layers.block_groups"
sed 's/^join:/targets:\n  equity_ratio: 0.5\njoin:/' "$CFG" > "$WORK/city/bad2.yaml"
expect_exit 1 "$FIRERISK" run --config "$WORK/city/bad2.yaml" --out "$WORK/bad" --quiet
expect_stderr "equity_ratio"
sed 's/^join:/targets:\n  allocation: fair\njoin:/' "$CFG" > "$WORK/city/bad3.yaml"
expect_exit 1 "$FIRERISK" run --config "$WORK/city/bad3.yaml" --out "$WORK/bad" --quiet
expect_stderr "allocation"
echo "equity: ok"
