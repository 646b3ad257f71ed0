# tests/e2e/bad/lib_bad.bash — helpers of the bad-input catalogue (bad_*.sh),
# sourced after common.bash.  Every case builds its input at test time
# (CSV/GeoJSON text, ogr2ogr), runs firerisk, and expects one exit code and
# one message on stderr or one reject reason in rejects.csv.  Cases that
# must fail also prove the previous outputs were left byte-identical and
# that nothing was left behind beside them.
#
# Sanitizers: in the ASan/UBSan tree a report must fail the case even when
# the expected exit code is 1, so their exit codes are moved out of the way
# and stderr is searched for reports.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=87:print_stacktrace=1"

CASES=0
OUT="$WORK/out"

# case_name TEXT: starts a case (printed, counted).
case_name() {
  CASES=$((CASES + 1))
  CASE="$1"
  echo "case $CASES: $1"
}

sanitizer_clean() {
  if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$WORK/stderr"; then
    cat "$WORK/stderr" >&2
    fail "$CASE: sanitizer report"
  fi
}

# utm_square ID X0 Y0 [SIDE]: a CSV row "ID,ADDR,YEAR,WKT" for a square
# parcel in EPSG:32616 (UTM 16N, metres).
utm_square() {
  local id=$1 x=$2 y=$3 s=${4:-30}
  echo "$id,$x MAIN ST,1950,\"POLYGON(($x $y,$((x + s)) $y,$((x + s)) $((y + s)),$x $((y + s)),$x $y))\""
}

# good_parcels FILE: 4 x 4 parcels in UTM 16N, ids P1..P16.
good_parcels() {
  {
    echo "pin,addr,yr,wkt"
    local k=0
    for j in 0 1 2 3; do
      for i in 0 1 2 3; do
        k=$((k + 1))
        utm_square "P$k" $((741000 + 30 * i)) $((3735000 + 30 * j))
      done
    done
  } > "$1"
}

# parcels_yaml SOURCE [EXTRA-LINES]: a config with only parcels, from a
# CSV with WKT (EXTRA replaces the geometry/crs lines when given).
parcels_yaml() {
  local src=$1 extra=${2-"    geometry: {wkt: wkt}
    crs: EPSG:32616"}
  cat <<YAML
as_of: 2025-01-01
working_crs: EPSG:32616
checks: {enabled: false}   # catalogue data is bad and old on purpose; the gates are tested in bad_night.sh
layers:
  parcels:
    source: $src
$extra
    fields: {parcel_id: pin, address: addr, year_built: yr}
YAML
}

# points_yaml ROLE SOURCE [CRS] [X] [Y]: a point layer from a CSV with
# coordinate columns (default x, y in EPSG:32616).
points_yaml() {
  cat <<YAML
  $1:
    source: $2
    geometry: {x: ${4:-x}, y: ${5:-y}}
    crs: ${3:-EPSG:32616}
    fields: {date: when, parcel_id: pin}
YAML
}

outputs_sha() { (cd "$OUT" && find . -type f | sort | xargs -r sha256sum) | sha256sum; }

# baseline: a good run into $OUT whose outputs the failing cases must not touch.
baseline() {
  good_parcels "$WORK/base_parcels.csv"
  parcels_yaml base_parcels.csv > "$WORK/base.yaml"
  run_ok "$WORK/base.yaml"
}

firerisk_run() { # CONFIG [extra args]
  local cfg=$1; shift
  set +e
  "$FIRERISK" run --config "$cfg" --out "$OUT" "$@" 2>"$WORK/stderr" >"$WORK/stdout"
  RC=$?
  set -e
  sanitizer_clean
}

# run_ok CONFIG: the run must succeed; its outputs become the ones later
# failing cases must leave untouched.
run_ok() {
  firerisk_run "$@"
  [ "$RC" = 0 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 0"; }
  BASE_SHA=$(outputs_sha)
}

# run_fails CODE TEXT CONFIG [args]: exit CODE, TEXT on stderr, previous
# outputs byte-identical, no staging directory left.
run_fails() {
  local code=$1 text=$2; shift 2
  firerisk_run "$@"
  [ "$RC" = "$code" ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected $code"; }
  grep -qF -- "$text" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$CASE: stderr lacks '$text'"; }
  [ "$(outputs_sha)" = "$BASE_SHA" ] || fail "$CASE: a failed run changed the previous outputs"
  [ ! -e "$WORK/.out.firerisk-new" ] || fail "$CASE: staging directory left behind"
}

# expect_reject LAYER REASON [TEXT]: rejects.csv of the last run has a
# record of LAYER with REASON (and TEXT in its detail).
expect_reject() {
  local layer=$1 reason=$2 text=${3-}
  awk -F, -v l="$layer" -v r="$reason" '$1 == l && $4 == r { found = 1 } END { exit !found }' "$OUT/rejects.csv" \
    || { cat "$OUT/rejects.csv" >&2; fail "$CASE: rejects.csv lacks $layer/$reason"; }
  [ -z "$text" ] || grep ",$reason," "$OUT/rejects.csv" | grep -F -- "$text" >/dev/null \
    || { cat "$OUT/rejects.csv" >&2; fail "$CASE: $reason detail lacks '$text'"; }
}

# summary_count LAYER COLUMN: a number from run_summary.txt's table
# (columns: read rejected kept ... used; used is the last).
summary_used() { awk -v l="$1" '$1 == l { print $NF; exit }' "$OUT/run_summary.txt"; }
summary_read() { awk -v l="$1" '$1 == l { print $2; exit }' "$OUT/run_summary.txt"; }

# accounting_balanced: the summary's proof line is there.
accounting_balanced() {
  grep -q '^accounting: read = used + rejected on every layer' "$OUT/run_summary.txt" \
    || { cat "$OUT/run_summary.txt" >&2; fail "$CASE: accounting does not balance"; }
}

# as_nobody CMD...: runs CMD as an unprivileged user (root reads every
# file, so permission cases need one); returns 77 when impossible.
as_nobody() {
  if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
     ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    return 77
  fi
  setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# shp_parcels: parcels.csv (good_parcels) and shp/parcels.shp, the same
# parcels as a valid Shapefile; copy_shp DIR copies it into DIR.
shp_parcels() {
  good_parcels parcels.csv
  mkdir -p shp
  ogr2ogr -f "ESRI Shapefile" shp/parcels.shp parcels.csv -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO \
    -a_srs EPSG:32616 -lco ENCODING=UTF-8
}
copy_shp() { rm -rf "$1"; mkdir -p "$1"; cp shp/parcels.* "$1/"; }
