#!/usr/bin/env bash
# `firerisk match` (read and join only) on addresses as dispatch systems type
# them (issue 17):
#  1. it writes matches.csv (with the street found and the candidate count),
#     rejects.csv and match_summary.txt, and no ranked outputs;
#  2. condominium parcels sharing one address at one place are a building:
#     a record at the address matches it (address_building, 3 candidates), a
#     record with a unit matches the unit's own parcel; the summary counts
#     the parcels sharing addresses; in a run, the building's record counts
#     for every home of it (building-level features);
#  3. a contradicting directional or unit is refused, never matched;
#  4. layers.addresses: an address on the master list that no parcel has
#     (a shop) is not_a_home, not the neighbouring home;
#  5. the unmatched streets' hint tells the parcels' streets from the others;
#  6. usage errors exit 1.
source "$(dirname "$0")/common.bash"
cd "$WORK"

# Parcels (lon/lat squares in Atlanta): a condominium building of three
# parcels, a house with units A&B, its neighbour, a house on W MAIN ST.
sq() { awk -v x="$1" 'BEGIN { printf "\"POLYGON ((%.6f 33.75, %.6f 33.75, %.6f 33.7501, %.6f 33.7501, %.6f 33.75))\"", x, x + 0.0001, x + 0.0001, x, x }'; }
{
  echo "pin,addr,wkt"
  echo "P1,12 OAK ST UNIT 1,$(sq -84.3900)"
  echo "P2,12 OAK ST UNIT 2,$(sq -84.3900)"
  echo "P3,12 OAK ST UNIT 3,$(sq -84.39001)"
  echo "P4,220 CLOVER RD UNIT A&B,$(sq -84.3800)"
  echo "P5,212 CLOVER RD,$(sq -84.3802)"
  echo "P6,100 W MAIN ST,$(sq -84.3700)"
} > parcels.csv
{
  echo "id,date,addr"
  echo "1,2024-01-05,12 Oak Street"
  echo "2,2024-01-06,\"12 OAK ST APT 2, ATLANTA GA 30303-1234\""
  echo "3,2024-01-07,220 Clover Rd"
  echo "4,2024-01-08,100 E Main St"
  echo "5,2024-01-09,12 Oak St Unit 9"
  echo "6,2024-01-10,214 CLOVER RD"
  echo "7,2024-01-11,ATTN J SMITH 100 Main Street Atlanta"
  echo "8,2024-01-12,5 Nowhere Ln"
} > incidents.csv
echo "id,address,use" > master.csv
printf '%s\n' "1,12 OAK ST,condo" "2,214 CLOVER RD,shop" "3,212 CLOVER RD,home" "4,220 CLOVER RD,home" \
  "5,100 W MAIN ST,home" >> master.csv
cat > match.yaml <<YAML
as_of: 2024-02-01
checks: {enabled: false}   # half the records are refused on purpose: the quality checks would hold the run
layers:
  parcels:
    source: parcels.csv
    crs: EPSG:4326
    geometry: {wkt: wkt}
    fields: {parcel_id: pin, address: addr}
  incidents:
    source: incidents.csv
    fields: {date: date, address: addr}
    join: [address]
  addresses:
    source: master.csv
    fields: {address: address}
YAML

# 1.
expect_exit 0 "$FIRERISK" match --config match.yaml --out m
for f in matches.csv rejects.csv match_summary.txt; do [ -s "m/$f" ] || fail "match wrote no $f"; done
[ ! -e m/ranked_parcels.csv ] || fail "match wrote ranked outputs"
head -1 m/matches.csv | grep -q ",street,candidates," || fail "matches.csv lacks street and candidates"
row() { awk -F, -v id="$1" '$1 == "incidents" && $2 == id' m/matches.csv; }
# 2.
row 1 | grep -q "^incidents,1,address_building,P1,.*,OAK ST,3," || fail "record 1 not the building: $(row 1)"
row 2 | grep -q "^incidents,2,address,P2," || fail "record 2 not unit 2's parcel: $(row 2)"
row 3 | grep -q "^incidents,3,address,P4," || fail "record 3 (A&B units) not P4: $(row 3)"
grep -q "parcels sharing their address: 3, 3 of them in 1 buildings" m/match_summary.txt \
  || { cat m/match_summary.txt; fail "summary lacks the shared addresses"; }
# 3.
row 4 | grep -q ",unmatched,,.*,unknown_street," || fail "contradicting directional matched: $(row 4)"
row 5 | grep -q ",unmatched,,.*,unit_mismatch," || fail "contradicting unit matched: $(row 5)"
row 7 | grep -q "^incidents,7,address,P6," || fail "text before the number: $(row 7)"
# 4.
row 6 | grep -q ",unmatched,,.*,not_a_home," || fail "a listed non-home moved to a neighbour: $(row 6)"
grep -q "not_a_home" m/rejects.csv || fail "rejects.csv lacks not_a_home"
# 5.
grep "streets the parcels lack:" m/match_summary.txt | grep "NOWHERE LN (1)" >/dev/null || { cat m/match_summary.txt; fail "hint: absent street"; }
grep -q "on parcel streets (number, unit or ambiguity):" m/match_summary.txt || fail "hint: streets found"
# 2b. building-level features: the building's record counts for each of its homes
expect_exit 0 "$FIRERISK" run --config match.yaml --out o --quiet
grep -q "^[0-9]*,P3,12 OAK ST UNIT 3,.*1 fire at this address" o/targets.csv || { cat o/targets.csv; fail "P3 lacks the building's fire"; }
grep -q "^[0-9]*,P2,12 OAK ST UNIT 2,.*2 fires at this address" o/targets.csv || { cat o/targets.csv; fail "P2: building + unit"; }
# 6.
expect_exit 1 "$FIRERISK" match
expect_stderr "match needs --config"
expect_exit 1 "$FIRERISK" match --config match.yaml extra
echo "ok"
