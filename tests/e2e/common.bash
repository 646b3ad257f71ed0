# tests/e2e/common.bash — helpers shared by the end-to-end tests (sourced).
# Environment from ctest: FIRERISK (the binary), FIRERISK_SOURCE, FIRERISK_FIXTURES.
set -euo pipefail
: "${FIRERISK:?run through ctest (FIRERISK unset)}"
WORK=$(mktemp -d /tmp/firerisk-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# synth_city DIR SYNTH-OPTION...: a synthetic city in DIR whose config is
# pinned to the day its records end.  Generated configs leave as_of unset
# (a copy used as a nightly template ranks as of today); a test must never
# depend on today's date (nor the quality checks' data age on it).
synth_city() {
  local dir=$1; shift
  "$FIRERISK" synth "$@" --out "$dir" 2>/dev/null || fail "synth $* failed"
  echo "as_of: 2026-01-01   # the day the synthetic records end" >> "$dir/firerisk.yaml"
}

# point_homes DIR [STACKED]: the homes of the synthetic city in DIR as
# points (ST_PointOnSurface of each parcel, as address points or building
# centroids come), in DIR/homes.gpkg, with DIR/points.yaml reading them;
# STACKED more homes (id suffix -B, same address) on the points of the first
# parcels, as condos come.
point_homes() {
  local dir=$1 stacked=${2:-0}
  local cols="parcel_id, address, year_built, land_use, bldg_sqft, units, assessed_value, vacant, owner_occ"
  ogr2ogr -f GPKG "$dir/homes.gpkg" "$dir/city.gpkg" -nln parcels -nlt POINT -dialect sqlite -sql \
    "SELECT ST_PointOnSurface(geom) AS geom, $cols FROM parcels
     UNION ALL SELECT ST_PointOnSurface(geom) AS geom, parcel_id || '-B' AS parcel_id, address, year_built, land_use,
       bldg_sqft, units, assessed_value, vacant, owner_occ FROM parcels WHERE fid <= $stacked" \
    || fail "ogr2ogr could not make the point homes"
  sed '0,/source: city.gpkg/s//source: homes.gpkg/' "$dir/firerisk.yaml" > "$dir/points.yaml"
  grep -q "source: homes.gpkg" "$dir/points.yaml" || fail "the config does not name homes.gpkg"
}

# backtest_auc NAME: the AUC of ranking NAME in the table of the last
# expect_exit's backtest (its stderr).
backtest_auc() {
  awk -v m="$1" '$1 == m && $2 ~ /^0\.[0-9]+$/ { print $2; exit }' "$WORK/stderr"
}

# expect_near_truth MODEL...: in the last backtest, each model's AUC is
# within 0.02 of the planted truth's (the ranking `reference`, given with
# --reference truth.csv:p_2025).
expect_near_truth() {
  local truth a m
  truth=$(backtest_auc reference)
  [ -n "$truth" ] || fail "no reference AUC"
  for m in "$@"; do
    a=$(backtest_auc "$m")
    [ -n "$a" ] || fail "no AUC for $m"
    awk -v a="$a" -v t="$truth" 'BEGIN { exit !(a >= t - 0.02) }' || fail "$m AUC $a is not within 0.02 of the truth's $t"
  done
}

# feature_count FILE: the feature count ogrinfo reports for the file's only layer.
feature_count() {
  ogrinfo -ro -so -al "$1" | awk -F': ' '/^Feature Count/ {print $2; exit}'
}

# expect_exit CODE CMD...: runs CMD, checks its exit code, keeps stderr in $WORK/stderr.
expect_exit() {
  local want=$1; shift
  set +e
  "$@" 2>"$WORK/stderr" >"$WORK/stdout"
  local got=$?
  set -e
  [ "$got" = "$want" ] || { cat "$WORK/stderr" >&2; fail "exit $got, expected $want: $*"; }
}

# expect_stderr TEXT: the last expect_exit's stderr contains TEXT.
expect_stderr() {
  grep -qF -- "$1" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr lacks '$1'"; }
}

# csv_fields: an awk function that splits an RFC 4180 line (no embedded
# newlines) into f[1..n], honouring quotes; returns n.
CSV_AWK='function csv(line, f,   n, i, c, q, cur) {
  n = 0; cur = ""; q = 0
  for (i = 1; i <= length(line); i++) {
    c = substr(line, i, 1)
    if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { cur = cur c; i++ } else q = 0 } else cur = cur c }
    else if (c == "\"") q = 1
    else if (c == ",") { f[++n] = cur; cur = "" }
    else cur = cur c
  }
  f[++n] = cur
  return n
}'

# csv_column FILE NAME: the values of column NAME, one per line.
csv_column() {
  awk -v name="$2" "$CSV_AWK"'
    { n = csv($0, f) }
    NR == 1 { for (i = 1; i <= n; i++) if (f[i] == name) col = i; if (!col) exit 1; next }
    { print f[col] }' "$1"
}

# check_ranked_csv FILE N: N rows, ranks increasing (a home held back by
# the revisit rule leaves a gap), scores non-increasing.
check_ranked_csv() {
  awk -v n="$2" "$CSV_AWK"'
    { csv($0, f) }
    NR == 1 { next }
    { r = f[1] + 0; s = f[4] + 0
      if (NR > 2 && r <= prevr) { print "rank " r " on row " NR - 1; bad = 1; exit }
      prevr = r
      if (NR > 2 && s > prev + 1e-12) { print "score rises at rank " r; bad = 1; exit }
      prev = s }
    END { if (!bad && NR - 1 != n) { print "rows " NR - 1 " != " n; bad = 1 } exit bad }' "$1" \
    || fail "$1: ranking is not consistent"
}
