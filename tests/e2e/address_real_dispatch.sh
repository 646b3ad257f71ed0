#!/usr/bin/env bash
# Address matching on a real county roll: the 647 DeKalb County (Georgia)
# multifamily parcel addresses of ../shared/data as the parcels, and each
# address written five more ways, the way dispatch systems, incident exports
# and people write them (issue 17): the suffix spelled out with a typo and
# town, state and ZIP+4 without commas; a unit in a Pub. 28 form or a floor
# or landmark; a name or office before the number; the town after the street
# without commas; and, where the address has a directional, the opposite one
# (a contradicting directional, which must never match).  `firerisk match`
# must place >= 98% of the writable records on their own parcel, none on
# another, and none of the contradicting ones.  Skipped (exit 77) when
# ../shared is absent.
source "$(dirname "$0")/common.bash"
DATA="$FIRERISK_SOURCE/../shared/data"
if [ ! -f "$DATA/dekalb_multifamily_parcels.csv" ]; then
  echo "SKIP: $DATA not present (a user's fresh clone has no ../shared)"
  exit 77
fi
cd "$WORK"
ogr2ogr -f CSV roll.csv "$DATA/dekalb_multifamily_parcels.csv" -select field_1,Address_mf
awk "$CSV_AWK"'
function typo(w,   i) { i = 2 + n % (length(w) - 2); return substr(w, 1, i - 1) substr(w, i + 1, 1) substr(w, i, 1) substr(w, i + 2) }
BEGIN {
  long["ST"] = "STREET"; long["AVE"] = "AVENUE"; long["RD"] = "ROAD"; long["DR"] = "DRIVE"; long["CIR"] = "CIRCLE"
  long["XING"] = "CROSSING"; long["PKWY"] = "PARKWAY"; long["LN"] = "LANE"; long["CT"] = "COURT"; long["PL"] = "PLACE"
  long["TRL"] = "TRAIL"; long["BLVD"] = "BOULEVARD"; long["TER"] = "TERRACE"; long["HWY"] = "HIGHWAY"
  flip["N"] = "S"; flip["S"] = "N"; flip["E"] = "W"; flip["W"] = "E"; flip["NE"] = "SW"; flip["SW"] = "NE"
  flip["NW"] = "SE"; flip["SE"] = "NW"
  split("APT 1204|BLDG 4 APT 12|# 12|UNIT B|APT A&B|15TH FLOOR|LOBBY|STE 600", units, "|")
  print "id,date,addr" > "incidents.csv"
}
NR == 1 { next }
{
  csv($0, f); pid = f[1]; raw = f[2]; n++
  split(raw, part, ","); street = toupper(part[1]); town = toupper(part[2]); sz = toupper(part[3])
  gsub(/[ .]+$/, "", street); gsub(/ +/, " ", street); gsub(/^ +| +$/, "", town); gsub(/^ +| +$/, "", sz)
  split(sz, s2, " "); k = split(street, w, " "); sfx = w[k]
  head = w[1]; for (i = 2; i < k; i++) head = head " " w[i]
  spelled = (sfx in long) ? long[sfx] : sfx
  emit("dispatch", head " " (length(spelled) > 4 ? typo(spelled) : spelled) " " town " " s2[1] " " s2[2] "-" sprintf("%04d", n * 37 % 10000))
  emit("unit", street " " units[1 + n % 8])
  emit("before", (n % 2 ? "ATTN J SMITH " : "LEASING OFFICE, ") street ", " town)
  emit("nocomma", street " " town)
  for (i = 2; i <= k; i++) if (w[i] in flip) { d = i; break }
  if (d) { c = w[1]; for (i = 2; i <= k; i++) c = c " " (i == d ? flip[w[i]] : w[i]); emit("flipdir", c); d = 0 }
}
function emit(kind, text) { id++; gsub(/"/, "", text); printf "%d,2024-01-01,\"%s\"\n", id, text > "incidents.csv"; print id "," pid "," kind > "truth.csv" }
' roll.csv
cat > match.yaml <<YAML
as_of: 2025-01-01
layers:
  parcels:
    source: $DATA/dekalb_multifamily_parcels.csv
    crs: EPSG:4326
    geometry: {wkt: geometry_adr_mf}
    fields: {parcel_id: field_1, address: Address_mf}
  incidents:
    source: incidents.csv
    fields: {date: date, address: addr}
    join: [address]
YAML
expect_exit 0 "$FIRERISK" match --config match.yaml --out m --quiet
awk -F, 'FNR == NR { truth[$1] = $2; kind[$1] = $3; next }
  $1 == "incidents" { k = kind[$2]; n[k]++; if ($3 != "unmatched") { if ($4 == truth[$2]) ok[k]++; else bad[k]++ } }
  END {
    for (k in n) { printf "%-9s %4d records  matched %6.2f%%  wrong %d\n", k, n[k], 100 * ok[k] / n[k], bad[k]
                   if (k != "flipdir") { all += n[k]; good += ok[k] } wrong += bad[k] }
    printf "written ways: %.2f%% matched, %d wrong; contradicting directionals matched: %d\n", 100 * good / all, wrong, ok["flipdir"]
    exit !(good >= 0.98 * all && wrong == 0 && ok["flipdir"] == 0)
  }' truth.csv m/matches.csv || fail "real roll: below 98% matched, or a wrong or contradicting match"
echo "ok"
