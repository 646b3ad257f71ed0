#!/usr/bin/env bash
# firerisk evaluate on synthetic cities with a known visit effect: the
# planted e = 0.3 lies within the interval of the estimated share of fires
# prevented; with e = 0 the interval covers 0; the naive comparison (no
# matching) of the same city is biased against the visits (visits canvass
# the riskier neighbourhoods); the JSON is byte-identical at 1 and 2
# threads; the HTML section prints the caveats; no visit in the period, or
# no fire after it, exits 2 saying so.
source "$(dirname "$0")/common.bash"
N=50000
PERIOD=(--from 2023-01-01 --to 2024-12-31)
for e in 0.3 0; do
  "$FIRERISK" synth --parcels $N --seed 2 --visit-effect $e --out "$WORK/city-$e" 2>/dev/null
  expect_exit 0 "$FIRERISK" evaluate --config "$WORK/city-$e/firerisk.yaml" "${PERIOD[@]}" --out "$WORK/ev-$e" \
    --threads 2
  grep -qF "share prevented" "$WORK/stderr" || fail "no summary on stderr"
done

python3 - "$WORK" <<'EOF' || fail "the estimates do not match the planted truth"
import json, sys
w = sys.argv[1]
a = json.load(open(w + "/ev-0.3/evaluation.json"))
z = json.load(open(w + "/ev-0/evaluation.json"))
r = a["reduction"]
print("e = 0.3: share prevented %.3f [%.3f, %.3f], ratio %.3f, naive ratio %.3f"
      % (r["estimate"], r["ci95_low"], r["ci95_high"], a["ratio"]["estimate"], a["naive"]["ratio"]))
assert r["ci95_low"] <= 0.3 <= r["ci95_high"], "planted e = 0.3 outside the interval"
assert r["ci95_low"] > 0, "the effect should be found (interval above 0)"
assert a["fires_prevented"]["estimate"] > 0
r0 = z["reduction"]
print("e = 0:   share prevented %.3f [%.3f, %.3f], naive ratio %.3f"
      % (r0["estimate"], r0["ci95_low"], r0["ci95_high"], z["naive"]["ratio"]))
assert r0["ci95_low"] <= 0 <= r0["ci95_high"], "no planted effect, yet the interval excludes 0"
d0 = z["difference_per_1000"]
assert d0["ci95_low"] <= 0 <= d0["ci95_high"]
# naive: visited homes look worse than unvisited ones although every visit helps
assert a["naive"]["ratio"] > 1 > 0.7, "the naive comparison should show visited homes with more fires"
assert a["naive"]["ratio"] > a["ratio"]["ci95_high"], "the naive ratio should lie outside the matched interval"
assert z["naive"]["ratio"] > z["ratio"]["ci95_high"]
for k in ("rate_visited_per_1000", "rate_comparison_per_1000", "difference_per_1000", "ratio", "fires_prevented"):
    i = a[k]
    assert i["ci95_low"] <= i["estimate"] <= i["ci95_high"], k
assert a["visit_records"] == "visits" and a["zone_layer"] == "block_groups"
assert a["bootstrap"]["replicates"] == 1000 and len(a["caveats"]) >= 5
assert a["before_after"]["rate_before_per_1000"] is not None
EOF

# deterministic at any thread count
expect_exit 0 "$FIRERISK" evaluate --config "$WORK/city-0.3/firerisk.yaml" "${PERIOD[@]}" --out "$WORK/ev-1" \
  --threads 1 --quiet
cmp -s "$WORK/ev-1/evaluation.json" "$WORK/ev-0.3/evaluation.json" || fail "evaluation.json differs at 1 and 2 threads"
[ -s "$WORK/stderr" ] && fail "--quiet printed something"
grep -qF "Read with care" "$WORK/ev-0.3/evaluation.html" || fail "evaluation.html lacks the caveats"
grep -qF "Do the visits prevent fires?" "$WORK/ev-0.3/evaluation.html" || fail "evaluation.html lacks its section"

# the section renders in headless Chromium without console errors (as html_report.sh checks the report)
CHROMIUM=$(command -v chromium || true)
if [ -n "$CHROMIUM" ]; then
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --user-data-dir="$WORK/chrome" \
    --enable-logging=stderr --v=0 --window-size=1000,1400 --hide-scrollbars --screenshot="$WORK/ev.png" \
    "file://$WORK/ev-0.3/evaluation.html" >/dev/null 2>"$WORK/chrome.log" \
    || { tail -20 "$WORK/chrome.log" >&2; fail "chromium failed on evaluation.html"; }
  if grep 'CONSOLE' "$WORK/chrome.log"; then fail "console messages while opening evaluation.html"; fi
  [ -s "$WORK/ev.png" ] || fail "no screenshot of evaluation.html"
elif [ "${CI:-}" = true ]; then
  fail "chromium missing in CI (scripts/test installs it)"
fi

# the inspections, both, and a wrong choice
expect_exit 0 "$FIRERISK" evaluate --config "$WORK/city-0.3/firerisk.yaml" "${PERIOD[@]}" --out "$WORK/ev-b" \
  --visits both --quiet
expect_exit 1 "$FIRERISK" evaluate --config "$WORK/city-0.3/firerisk.yaml" --visits alarms --out "$WORK/ev-x"
expect_stderr "--visits 'alarms'"

# bad input: no visit in the period, no fire after it
expect_exit 2 "$FIRERISK" evaluate --config "$WORK/city-0.3/firerisk.yaml" --from 2010-01-01 --to 2010-12-31 \
  --out "$WORK/ev-x"
expect_stderr "no visit"
expect_stderr "2010-01-01"
sed 's/^    layer: incidents$/    layer: incidents\n    where: "alarm_date < '"'"'2021-01-01'"'"'"/' \
  "$WORK/city-0.3/firerisk.yaml" > "$WORK/city-0.3/old-fires.yaml"
grep -q 'where: "alarm_date' "$WORK/city-0.3/old-fires.yaml" || fail "test set-up: no where clause"
expect_exit 2 "$FIRERISK" evaluate --config "$WORK/city-0.3/old-fires.yaml" "${PERIOD[@]}" --out "$WORK/ev-x"
expect_stderr "no qualifying fire in the 12 months after the visits"
[ -e "$WORK/ev-x/evaluation.json" ] && fail "a failed evaluation wrote evaluation.json"
expect_exit 1 "$FIRERISK" evaluate --config "$WORK/city-0.3/firerisk.yaml" --from 2024-02-01 --to 2024-01-01
expect_stderr "is after --to"
echo "evaluate: ok"
