#!/usr/bin/env bash
# Bad-input catalogue, part 4: the configuration.  Unknown keys, wrong
# types, missing required keys, a 10 MB file, an empty or binary file, a
# key given twice, a second YAML document, cyclic and deep YAML, a zone
# name that collides with a column, tabs, impossible dates, a directory, an
# unreadable file.  Each stops the run with exit 1, names the file (and the
# line when there is one) and leaves the previous outputs untouched.
source "$(dirname "$0")/../common.bash"
source "$(dirname "$0")/lib_bad.bash"
cd "$WORK"
baseline
good_parcels parcels.csv

# cfg_fails TEXT YAML: the YAML (printf format) must fail with TEXT.
cfg_fails() {
  printf -- "$2" > k.yaml
  run_fails 1 "$1" k.yaml
}
P='layers:\n  parcels:\n    source: parcels.csv\n    geometry: {wkt: wkt}\n    crs: EPSG:32616\n    fields: {parcel_id: pin}\n'

case_name "unknown top-level key"
cfg_fails "k.yaml:1: unknown key 'as_off' in the configuration (allowed: as_of" "as_off: 2025-01-01\n$P"

case_name "unknown key inside a layer"
cfg_fails "k.yaml:7: unknown key 'sources' in layers.parcels" "${P}    sources: x.csv\n"

case_name "unknown logical field"
cfg_fails "unknown field 'parcel_number' for layers.parcels" "${P/parcel_id/parcel_number}"

case_name "number given as text"
cfg_fails "k.yaml:8: 'join.tolerance_m' must be a number" "${P}join:\n  tolerance_m: ten\n"

case_name "number out of range"
cfg_fails "k.yaml:8: 'join.radius_m' must be between 1 and 100000 (got -5)" "${P}join:\n  radius_m: -5\n"

case_name "mapping where text is expected"
cfg_fails "k.yaml:3: 'layers.parcels.source' must be a text value" "layers:\n  parcels:\n    source: {path: parcels.csv}\n    fields: {parcel_id: pin}\n"

case_name "list where a mapping is expected"
cfg_fails "k.yaml:7: 'join' must be a mapping" "${P}join: [1, 2]\n"

case_name "boolean that is not one"
cfg_fails "k.yaml:8: 'output.geojson' must be true or false" "${P}output:\n  geojson: maybe\n"

case_name "missing layers.parcels"
cfg_fails "layers.parcels is required" "as_of: 2025-01-01\nlayers: {}\n"

case_name "missing parcel_id"
cfg_fails "layers.parcels.fields needs parcel_id" "${P/parcel_id: pin/address: addr}"

case_name "missing source"
cfg_fails "layers.parcels needs a 'source'" "layers:\n  parcels:\n    fields: {parcel_id: pin}\n"

case_name "inspections without a date field"
cfg_fails "layers.inspections.fields needs date" "${P}  inspections:\n    source: i.csv\n    fields: {parcel_id: pin}\n"

case_name "impossible as_of"
cfg_fails "k.yaml:1: as_of must be a date YYYY-MM-DD" "as_of: 2025-02-30\n$P"

case_name "key given twice"
cfg_fails "k.yaml:7: key 'source' given twice in the same mapping (first on line 3)" "${P}    source: other.csv\n"

case_name "zones list given twice"
cfg_fails "key 'zones' given twice" "${P}  zones:\n    - {name: district, source: z.csv, field: D}\n  zones:\n    - {name: battalion, source: z.csv, field: B}\n"

case_name "a second YAML document"
cfg_fails "k.yaml:8: a second YAML document ('---') follows the configuration" "${P}---\nas_of: 2020-01-01\n"

case_name "zone named like an output column"
cfg_fails "zone name 'score' is taken" "${P}  zones:\n    - {name: score, source: z.csv, field: D}\n"

case_name "tab indentation"
cfg_fails "k.yaml:2: not valid YAML" "layers:\n\tparcels: {}\n"

case_name "empty file"
cfg_fails "k.yaml: the file is empty" ""

case_name "binary garbage"
head -c 2000 /dev/urandom > k.yaml
run_fails 1 "k.yaml:" k.yaml

case_name "a list instead of a mapping at the top"
cfg_fails "'the configuration' must be a mapping" "- a\n- b\n"

case_name "alias cycle (a: &x [*x])"
cfg_fails "k.yaml:1: unknown key 'a'" "a: &x [*x]\n$P"

case_name "nesting 10,000 levels deep"
python3 -c "print('x: ' + '[' * 10000 + ']' * 10000)" > k.yaml
run_fails 1 "k.yaml:" k.yaml

case_name "10 MB configuration"
{ printf "$P"; head -c 10485760 /dev/zero | tr '\0' '#'; echo; } > k.yaml
run_fails 1 "is too large for a configuration (limit 1048576); wrong file?" k.yaml

case_name "configuration that is a directory"
mkdir -p conf.d
run_fails 1 "conf.d: is a directory, not a configuration file" conf.d

case_name "configuration that does not exist"
run_fails 1 "missing.yaml: cannot read the configuration: No such file or directory" missing.yaml

case_name "configuration not UTF-8"
printf "${P}    where: \"addr = 'CAF\xc9'\"\n" > k.yaml
run_fails 1 "k.yaml:" k.yaml

case_name "unreadable configuration (permissions, as an unprivileged user)"
printf "$P" > locked.yaml
chmod 0000 locked.yaml
chmod 755 "$WORK"
mkdir -m 777 nobody
set +e
as_nobody "$FIRERISK" run --config locked.yaml --out "$WORK/nobody/out" 2>"$WORK/stderr"
RC=$?
set -e
if [ "$RC" = 77 ]; then
  echo "  skipped: needs root to switch to an unprivileged user (root itself reads every file)"
else
  sanitizer_clean
  [ "$RC" = 1 ] || { cat "$WORK/stderr" >&2; fail "$CASE: exit $RC, expected 1"; }
  grep -q "locked.yaml: cannot read the configuration: Permission denied" "$WORK/stderr" \
    || { cat "$WORK/stderr" >&2; fail "$CASE: message"; }
fi

echo "bad config: ok ($CASES cases)"
