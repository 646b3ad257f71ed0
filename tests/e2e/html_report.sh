#!/usr/bin/env bash
# The HTML run report opens in headless Chromium without console errors,
# and a screenshot of it is not blank (it shows the map's red targets).
# The report is self-contained: no script, no external resource.  It shows
# the changes of a second run and the backtest.json found in the output
# directory.  The console check is itself checked on a page with an error.
# Needs Debian's chromium and python3-pyqt5 (scripts/setup --test-tools);
# skipped without them, except in CI, where they must be there.
source "$(dirname "$0")/common.bash"
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ] || ! /usr/bin/python3 -c "import PyQt5.QtGui" 2>/dev/null; then
  [ "${CI:-}" = true ] && fail "chromium or python3-pyqt5 missing in CI (scripts/test installs them)"
  echo "SKIP: chromium or python3-pyqt5 not installed (scripts/setup --test-tools)"
  exit 77
fi

N=1500
synth_city "$WORK/city" --parcels $N --seed 5
expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/out" --quiet
# A backtest report as `firerisk backtest` writes it (models/learn/eval_report.c).
cat > "$WORK/out/backtest.json" <<'EOF'
{"format": "firerisk-backtest", "format_version": 1, "config": "firerisk.yaml", "horizon": "1y",
 "training_cutoffs": 3,
 "cutoffs": [{"cutoff": "2025-01-01", "label_end": "2026-01-01", "parcels": 1500, "fires": 61,
   "results": [
     {"name": "points", "kind": "model", "auc": 0.7712,
      "at_k": [{"k": "100", "parcels": 100, "fires": 17, "precision": 0.17, "recall": 0.2787}],
      "lift_by_decile": [0.31, 0.18, 0.12, 0.1, 0.08, 0.07, 0.05, 0.04, 0.03, 0.02]},
     {"name": "random", "kind": "baseline", "auc": 0.5,
      "at_k": [{"k": "100", "parcels": 100, "fires": 4, "precision": 0.04, "recall": 0.0656}],
      "lift_by_decile": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]}]}]}
EOF
expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/out" --as-of 2025-09-01 --quiet
report="$WORK/out/report.html"
[ -s "$report" ] || fail "report.html missing"

# Self-contained: no script, nothing fetched.
grep -qi '<script' "$report" && fail "the report contains a script"
grep -Eqi '(src|href)="(https?:)?//' "$report" && fail "the report fetches something from the network"
grep -qi '@import\|url(' "$report" && fail "the report's CSS loads something"
for s in "Map of the target list" "Target list" "Changes since the last run" "Equity of the list" "Inputs and counts" \
         "Match audit" "Rejected records" "Backtest" "Run time per stage" "Files"; do
  grep -q "<h2>$s</h2>" "$report" || fail "section '$s' missing"
done
grep -q "Cutoff 2025-01-01" "$report" || fail "backtest.json not shown"
grep -q '<svg class="chart"' "$report" || fail "no lift chart"
grep -q "entered, <b>" "$report" || fail "no changes shown after the second run"
grep -q 'aria-label="block groups by share of targets over share of risk"' "$report" || fail "no equity map"

# chromium URL FILE.png STDERR: a headless screenshot with the console logged to STDERR.
shot() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --user-data-dir="$(mktemp -d "$WORK/chrome.XXXXXX")" \
    --enable-logging=stderr --v=0 --window-size=1280,2200 --hide-scrollbars --screenshot="$2" "$1" >/dev/null 2>"$3" \
    || { tail -20 "$3" >&2; fail "chromium failed on $1"; }
}
# The console check must see an error when there is one.
printf '<!DOCTYPE html><html><body><p>x</p><script>undefined_function_of_the_test();</script></body></html>\n' \
  > "$WORK/broken.html"
shot "file://$WORK/broken.html" "$WORK/broken.png" "$WORK/broken.log"
grep -q 'CONSOLE' "$WORK/broken.log" || fail "the console check does not see a script error (chromium logging changed?)"

shot "file://$report" "$WORK/report.png" "$WORK/chrome.log"
if grep 'CONSOLE' "$WORK/chrome.log"; then fail "console messages while opening the report"; fi
[ -s "$WORK/report.png" ] || fail "no screenshot"

# Not blank: many colours, and the red of the high tier (map dots, tier cells).
QT_QPA_PLATFORM=offscreen /usr/bin/python3 - "$WORK/report.png" <<'EOF' || fail "the screenshot looks blank"
import sys
from PyQt5.QtGui import QImage
img = QImage(sys.argv[1])
if img.isNull():
    sys.exit("cannot read the screenshot")
seen, red = set(), 0
for y in range(0, img.height(), 2):
    for x in range(0, img.width(), 2):
        c = img.pixel(x, y)
        seen.add(c)
        r, g, b = (c >> 16) & 255, (c >> 8) & 255, c & 255
        if r > 190 and g < 60 and b < 60:
            red += 1
print("screenshot %dx%d: %d colours, %d red pixels" % (img.width(), img.height(), len(seen), red))
sys.exit(0 if len(seen) >= 50 and red >= 30 else 1)
EOF
echo "html report: ok"
