#!/usr/bin/env bash
# tests/e2e/validate.sh — `firerisk validate`: the config, every source
# (driver, layer, count, CRS, fields), date ranges, rejects and joins
# reported; nothing written; the exit code run would give, case by case.
source "$(dirname "$0")/common.bash"
cd "$WORK"
synth_city city --parcels 500 --seed 4
cfg=city/firerisk.yaml

expect_exit 0 "$FIRERISK" validate --config $cfg
for l in parcels inspections incidents stations block_groups; do
  n=$(ogrinfo -ro -so city/city.gpkg "$l" | awk -F': ' '/^Feature Count/ {print $2}')
  grep -qE "^  $l +city/city.gpkg \(GPKG\), layer $l: $n features, .*CRS EPSG:32616" "$WORK/stdout" ||
    { cat "$WORK/stdout"; fail "validate: no line for source $l with $n features"; }
done
grep -q "fields: parcel_id <- parcel_id, date <- insp_date" "$WORK/stdout" || fail "validate: inspections' fields"
first=$(ogrinfo -ro -q city/city.gpkg -sql "SELECT min(insp_date) AS d FROM inspections" | awk -F'= ' '/d \(/ {print $2}' | tr / -)
last=$(ogrinfo -ro -q city/city.gpkg -sql "SELECT max(insp_date) AS d FROM inspections" | awk -F'= ' '/d \(/ {print $2}' | tr / -)
grep -q "inspections   dates $first .. $last" "$WORK/stdout" || { cat "$WORK/stdout"; fail "validate: date range $first .. $last"; }
grep -q "^  inspections  .*%" "$WORK/stdout" || fail "validate: no match shares"
grep -q "validate: ok, nothing written" "$WORK/stdout" || fail "validate: no verdict"
# the join shares are those the run reports
"$FIRERISK" run --config $cfg --out out_run 2> run.txt
grep '^  inspections  .*%' run.txt | cmp -s - <(grep '^  inspections  .*%' "$WORK/stdout") ||
  fail "validate's join shares differ from the run's"

# Nothing written: no output directory, no named GeoPackage, no lock.
cp $cfg city/named.yaml
printf 'output:\n  dir: out_named\n  named_geopackage:\n    file: ../mine.gpkg\n' >> city/named.yaml
listing() { find . -path ./stdout -prune -o -path ./stderr -prune -o -print | sort; }
before=$(listing)
expect_exit 0 "$FIRERISK" validate --config city/named.yaml
[ "$before" = "$(listing)" ] || fail "validate wrote something: $(diff <(echo "$before") <(listing))"

# A record the run would reject is counted with its reason.
ogrinfo city/city.gpkg -sql "UPDATE inspections SET insp_date = '2099-01-01' WHERE fid = 1" >/dev/null
expect_exit 0 "$FIRERISK" validate --config $cfg
grep -qE "^  inspections +future_date +1$" "$WORK/stdout" || { cat "$WORK/stdout"; fail "validate: the future date not counted"; }

# --config - and --quiet.
# (relative paths from the working directory)
cd city
expect_exit 0 "$FIRERISK" validate --quiet --config - < firerisk.yaml
cd ..
[ -s "$WORK/stdout" ] && fail "--quiet printed a report"
expect_exit 2 "$FIRERISK" validate --quiet --config - < $cfg
expect_stderr "./city.gpkg"

# The exit code and the message of run, case by case.
same_as_run() { # same_as_run CASE CONFIG
  set +e
  "$FIRERISK" validate --config "$2" > /dev/null 2> v.err; local v=$?
  "$FIRERISK" run --config "$2" --out "out_$1" --quiet 2> r.err; local r=$?
  set -e
  [ "$v" = "$r" ] && [ "$v" != 0 ] || fail "$1: validate exit $v, run exit $r"
  cmp -s v.err r.err || fail "$1: validate says '$(cat v.err)', run says '$(cat r.err)'"
}
sed 's/source: city.gpkg/source: nowhere.gpkg/' $cfg > city/c_missing.yaml
same_as_run missing_file city/c_missing.yaml
sed 's/date: insp_date/date: no_such_field/' $cfg > city/c_field.yaml
same_as_run missing_field city/c_field.yaml
sed 's/    layer: incidents/    layer: no_such_layer/' $cfg > city/c_layer.yaml
same_as_run missing_layer city/c_layer.yaml
{ cat $cfg; echo "bogus_key: 1"; } > city/c_key.yaml
same_as_run unknown_key city/c_key.yaml
expect_exit 1 "$FIRERISK" validate
expect_stderr "firerisk: error: validate needs --config FILE.yaml"
echo "validate: ok"
