#!/usr/bin/env bash
# Records that carry only an address: a CSV export of incidents with an
# address column and no geometry at all runs end to end, matched to the
# parcels by normalised address.
#  1. scripts/address_match_rate on a small synthetic city: addresses
#     perturbed in known ways (abbreviations, suffix typos, units, case,
#     city/ZIP...) are >= 98% matched and <= 0.5% wrongly;
#  2. the run's outputs: the summary counts the address matches, matches.csv
#     has one row per record, identical with 1 and 2 threads;
#  3. records that cannot be matched are rejected with their reason and the
#     address field named, and their street is listed in the summary;
#  4. a join step without its data, or an unknown one, is a configuration
#     error (exit 1).
source "$(dirname "$0")/common.bash"
cd "$WORK"

# 1. Match rate and wrong matches on perturbed addresses.
bash "$FIRERISK_SOURCE/scripts/address_match_rate" --parcels 4000 --seed 2 --firerisk "$FIRERISK" --keep amr \
  > rate.txt || { cat rate.txt >&2; fail "address match rate below the goal"; }
cat rate.txt
grep -q "^HEADLINE" rate.txt || fail "address_match_rate printed no headline"
head -1 amr/incidents.csv | grep -i "wkt\|lon\|lat\|geom" >/dev/null && fail "the incidents CSV must have no geometry"

# 2. The address-only run itself.
n=$(($(wc -l < amr/incidents.csv) - 1))
awk 'NF == 10 && $1 == "incidents" { ok = $5 == 0 && $6 > 0 && $7 == 0 && $8 == 0 && $6 + $9 == $4 } END { exit !ok }' \
  amr/out/run_summary.txt || { cat amr/out/run_summary.txt >&2; fail "incidents not counted as matched by address"; }
grep -q "^accounting: read = used + rejected" amr/out/run_summary.txt || fail "accounting line missing"
grep -q "^matched (share of kept records):" amr/out/run_summary.txt || fail "no match rates in the summary"
[ "$(awk -F, '$1 == "incidents"' amr/out/matches.csv | wc -l)" = "$n" ] || fail "matches.csv lacks records"
head -1 amr/out/matches.csv | grep -x "layer,fid,method,parcel_id,confidence,distance_m,house_number_diff,reason,address,street,candidates,address_as_read,record_id" >/dev/null \
  || fail "matches.csv header"
awk -F, '$1 == "incidents" && ($3 == "address" || $3 == "address_near" || $3 == "address_building") && !($5 > 0 && $5 <= 1 && $4 != "") { bad = 1 }
         END { exit bad }' amr/out/matches.csv || fail "a matched record without parcel or confidence"

# 3. Records that cannot be matched, in a CSV of our own beside the city.
good=$(awk -F, 'NR == 2 { print $2 }' amr/parcels.csv)        # "412 W DECATUR ST"
nodir=$(echo "$good" | awk '{ $2 = ""; print }')             # "412  DECATUR ST": W or E?
other=$(awk -F, -v g="$good" 'NR > 1 { split($2, a, " "); split(g, b, " ");
          if (a[2] != b[2] && substr($2, length(a[1]) + length(a[2]) + 2) == substr(g, length(b[1]) + length(b[2]) + 2)) { print $2; exit } }' amr/parcels.csv)
nodir_ok=""
[ -n "$other" ] && nodir_ok=1 # the same number also on the other side of the city: ambiguous
cat > extra.csv <<CSV
id,day,addr
1,2024-05-01,"$good, Apt 3"
2,2024-05-01,NOWHERE BLVD
3,2024-05-01,12 Nowhere Blvd
4,2024-05-01,12 NOWHERE BLVD APT 2
5,2024-05-01,
6,2024-05-01,$nodir
CSV
cat > extra.yaml <<YAML
as_of: 2026-01-01
layers:
  parcels:
    source: amr/city/city.gpkg
    layer: parcels
    fields: {parcel_id: parcel_id, address: address}
  incidents:
    source: extra.csv
    fields: {date: day, address: addr}
    join: [address]
    address_range: 4
checks: {enabled: false}   # most of these records are unmatched on purpose
YAML
expect_exit 0 "$FIRERISK" run --config extra.yaml --out x1 --threads 1
expect_exit 0 "$FIRERISK" run --config extra.yaml --out x2 --threads 2 --quiet
cmp -s x1/matches.csv x2/matches.csv || fail "matches.csv differs between 1 and 2 threads"
want_id=$(awk -F, 'NR == 2 { print $1 }' amr/parcels.csv)
awk -F, -v id="$want_id" '$1 == "incidents" && $2 == 1 { ok = $3 == "address" && $4 == id && $5 == 1 } END { exit !ok }' \
  x1/matches.csv || fail "record 1 ('$good, Apt 3') not matched to $want_id"
grep -q "^incidents,2,addr,address_incomplete," x1/rejects.csv || fail "no house number: address_incomplete"
grep -q "^incidents,3,addr,unknown_street," x1/rejects.csv || fail "unknown street"
grep -q "^incidents,5,,no_parcel_id_or_point," x1/rejects.csv || fail "empty address"
grep "^incidents,3," x1/rejects.csv | grep "extra.csv, layer 'extra', feature 3, field 'addr'" >/dev/null \
  || fail "the reject does not name file, layer, feature and field"
if [ -n "$nodir_ok" ]; then
  grep -q "^incidents,6,addr,ambiguous_address," x1/rejects.csv || fail "'$nodir' ($good / $other) must be refused as ambiguous"
fi
grep -A3 "^unmatched records' most frequent streets" x1/run_summary.txt | grep "NOWHERE BLVD (3)" >/dev/null \
  || { cat x1/run_summary.txt >&2; fail "the summary does not list the unmatched street"; }

# 4. Configuration errors.
sed 's/fields: {date: day, address: addr}/fields: {date: day}/' extra.yaml > bad1.yaml
expect_exit 1 "$FIRERISK" run --config bad1.yaml --out x3
expect_stderr "layers.incidents.join lists 'address', which needs fields.address"
sed 's/join: \[address\]/join: [address, geocode]/' extra.yaml > bad2.yaml
expect_exit 1 "$FIRERISK" run --config bad2.yaml --out x3
expect_stderr "unknown join step 'geocode'"
sed 's/address_range: 4/address_range: 2.5/' extra.yaml > bad3.yaml
expect_exit 1 "$FIRERISK" run --config bad3.yaml --out x3
expect_stderr "bad3.yaml:11: 'layers.incidents.address_range' must be a whole number"
echo "address-only records: ok"
