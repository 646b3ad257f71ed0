#!/usr/bin/env bash
# The whole pipeline on a small synthetic city: outputs open with ogrinfo
# with one feature per parcel, the ranking is consistent with the score,
# every record is accounted for, and the outputs are byte-identical with 1
# 2 and 4 threads (the 2-thread run reads every GeoPackage layer over FID
# ranges on both threads: FIRERISK_READ_PARALLEL_MIN=1; the write stage's
# jobs, run_layer_jobs.c, are taken by 1, 2 and 3 threads, the GeoJSON's
# nested team at 4); run_summary.txt
# times every stage, the write stage (publishing's hashing and flushing
# included) above zero, and its stages add up to its total.
source "$(dirname "$0")/common.bash"
N=3000
synth_city "$WORK/city" --parcels $N --seed 7
expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/t1" --threads 1
cat "$WORK/stderr"
FIRERISK_READ_PARALLEL_MIN=1 expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/t2" --threads 2 --quiet
# --quiet: no summary, no progress; warnings (the quality checks' notable figures) still reach the operator.
grep -v "^firerisk: warning: " "$WORK/stderr" > "$WORK/stderr.other" || true
[ ! -s "$WORK/stderr.other" ] || fail "--quiet printed: $(cat "$WORK/stderr.other")"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/t4" --threads 4 --quiet
# The large outputs through the page cache (output.direct_io: false) rather than with direct I/O: the
# same bytes (the GeoPackage records the config, so it is not compared)
{ cat "$WORK/city/firerisk.yaml"; printf 'output:\n  direct_io: false\n'; } > "$WORK/city/buffered.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/buffered.yaml" --out "$WORK/buffered" --threads 2 --quiet
for f in ranked_parcels.geojson ranked_parcels.shp ranked_parcels.shx ranked_parcels.dbf targets.csv; do
  cmp -s "$WORK/t1/$f" "$WORK/buffered/$f" || fail "$f differs between direct_io true and false"
done

for f in ranked_parcels.geojson ranked_parcels.shp ranked_parcels.shx ranked_parcels.dbf ranked_parcels.prj \
         ranked_parcels.cpg ranked_parcels.gpkg equity.gpkg targets.csv rejects.csv matches.csv; do
  [ -s "$WORK/t1/$f" ] || fail "$f missing"
  cmp -s "$WORK/t1/$f" "$WORK/t2/$f" || fail "$f differs between --threads 1 and --threads 2"
  cmp -s "$WORK/t1/$f" "$WORK/t4/$f" || fail "$f differs between --threads 1 and --threads 4"
done
# Stage times: read, join, features, score and write listed, write not 0.00 s,
# and the five add up to the total (to the rounding of two decimals).
awk '/^time:/ {
  if ($2 != "read" || $4 != "join" || $6 != "features" || $8 != "score" || $10 != "write" || $12 != "total") exit 1
  sum = 0; for (i = 3; i <= 11; i += 2) sum += $i
  if ($11 + 0 <= 0 || sum - $13 > 0.03 || $13 - sum > 0.03) exit 1
  found = 1 } END { exit !found }' "$WORK/t1/run_summary.txt" ||
  fail "run_summary.txt's stage times: $(grep '^time:' "$WORK/t1/run_summary.txt")"
ls -a "$WORK" | grep "firerisk-new" >/dev/null && fail "staging directory left behind"
ls -a "$WORK" | grep "firerisk.lock" >/dev/null || fail "no lock file beside the output directory"

[ "$(feature_count "$WORK/t1/ranked_parcels.geojson")" = $N ] || fail "geojson feature count"
[ "$(feature_count "$WORK/t1/ranked_parcels.shp")" = $N ] || fail "shapefile feature count"
check_ranked_csv "$WORK/t1/targets.csv" 500
grep -q '^UTF-8' "$WORK/t1/ranked_parcels.cpg" || fail ".cpg is not UTF-8"
grep -q 'UTM_Zone_16N' "$WORK/t1/ranked_parcels.prj" || fail ".prj is not the working CRS"

# The ranking in the GeoJSON: rank 1..N, score non-increasing along rank.
ogrinfo -ro -q -al "$WORK/t1/ranked_parcels.geojson" | awk -F' = ' '
  /^  rank \(Integer64\)/ { r = $2 + 0; if (r != ++k) { print "rank " r " at position " k; bad = 1; exit } }
  /^  score \(Real\)/ { s = $2 + 0; if (k > 1 && s > prev + 1e-12) { print "score rises at rank " k; bad = 1; exit } prev = s }
  END { exit bad }' || fail "geojson ranking"
# RFC 7946: WGS84 lon/lat around the synthetic city (UTM 16N, near Atlanta).
ogrinfo -ro -so -al "$WORK/t1/ranked_parcels.geojson" | grep "Extent: (-84\.[0-9]*, 33\.[0-9]*)" >/dev/null \
  || fail "geojson is not lon/lat"

# Accounting: read = kept + rejected before matching; matched + unmatched = kept.
awk 'NF == 10 && $2 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+$/ {
       if ($2 != $4 + $3 - $9) { print "layer " $1 " does not add up"; bad = 1 }
       if ($5 + $6 + $7 + $8 + $9 != $4) { print "layer " $1 " matches do not add up"; bad = 1 } }
     END { exit bad }' "$WORK/t1/run_summary.txt" || fail "accounting"
# The synthetic city has inspections that carry only a parcel id, and points a few metres outside.
awk 'NF == 10 && $1 == "inspections" && $5 > 0 && $7 > 0 && $8 > 0 { ok = 1 } END { exit !ok }' "$WORK/t1/run_summary.txt" \
  || fail "inspections are not matched by id, containment and nearest"

# GDAL's own drivers (output.writer: gdal) give the same Shapefile, byte for byte.
{ cat "$WORK/city/firerisk.yaml"; printf 'output:\n  writer: gdal\n'; } > "$WORK/city/gdal.yaml"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/gdal.yaml" --out "$WORK/g" --quiet
for f in ranked_parcels.shp ranked_parcels.shx ranked_parcels.dbf; do
  cmp -s "$WORK/t1/$f" "$WORK/g/$f" || fail "$f differs from GDAL's driver output"
done
[ "$(feature_count "$WORK/g/ranked_parcels.geojson")" = $N ] || fail "gdal geojson feature count"

# The GeoPackages written through SQLite read as GDAL's driver's do: every table, field, value and
# geometry (ogrinfo -al; the config path in run_metadata differs), without a warning.
for f in ranked_parcels.gpkg equity.gpkg; do
  ogrinfo -ro -al "$WORK/t1/$f" 2> "$WORK/gpkg.err" | grep -v -e "^INFO: Open of" -e "value (String) = .*\.yaml$" \
    > "$WORK/gpkg.native" || fail "ogrinfo $f"
  [ ! -s "$WORK/gpkg.err" ] || fail "ogrinfo $f warned: $(cat "$WORK/gpkg.err")"
  ogrinfo -ro -al "$WORK/g/$f" 2>/dev/null | grep -v -e "^INFO: Open of" -e "value (String) = .*\.yaml$" \
    > "$WORK/gpkg.gdal"
  [ "$(wc -l < "$WORK/gpkg.native")" -gt 100 ] || fail "ogrinfo read little of $f"
  diff -q "$WORK/gpkg.native" "$WORK/gpkg.gdal" >/dev/null || fail "$f reads differently from GDAL's: $(diff "$WORK/gpkg.native" "$WORK/gpkg.gdal" | head -5)"
done
# GDAL's GeoPackage validator (python3-gdal), and the R-tree: one entry per parcel with its envelope.
VALIDATE=/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py
if [ -f "$VALIDATE" ]; then
  python3 "$VALIDATE" --extra --warning-as-error "$WORK/t1/ranked_parcels.gpkg" > "$WORK/validate.out" 2>&1 \
    || fail "validate_gpkg.py: $(cat "$WORK/validate.out")"
fi
rt=$(ogrinfo -ro -q "$WORK/t1/ranked_parcels.gpkg" -sql "SELECT (SELECT count(*) FROM rtree_ranked_parcels_geom) AS n,
       (SELECT count(*) FROM ranked_parcels t JOIN rtree_ranked_parcels_geom r ON r.id = t.fid
        WHERE r.minx > ST_MinX(t.geom) OR r.maxx < ST_MaxX(t.geom) OR r.miny > ST_MinY(t.geom)
           OR r.maxy < ST_MaxY(t.geom)) AS bad, (SELECT integrity_check FROM pragma_integrity_check) AS ok" \
     | awk -F' = ' '/ n \(/ { n = $2 } / bad \(/ { b = $2 } / ok \(/ { o = $2 } END { print n, b, o }')
[ "$rt" = "$N 0 ok" ] || fail "R-tree or integrity check of ranked_parcels.gpkg: $rt"

# A different as_of changes the scores (features are as of the date).
expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/t3" --as-of 2019-01-01 --quiet
cmp -s "$WORK/t1/targets.csv" "$WORK/t3/targets.csv" && fail "--as-of had no effect"
echo "synthetic run: ok"
