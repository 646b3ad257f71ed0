"""changes_then.py LAST.geojson NOW.geojson CHANGES.csv [FEATURE-REGEX]

Each "feature then -> now" of changes.csv's why column: "then" is the feature
as of the last run's day, recomputed from this run's data, which must be the
last run's published value (LAST: that run's ranked_parcels.geojson), and
"now" this run's (NOW).  Fails unless at least 20 such moves were checked and
some row names a feature matching FEATURE-REGEX (default fires_near_): the
check would otherwise prove nothing.
"""
import csv
import json
import re
import sys


def values(path):
    return {f["properties"]["parcel_id"]: f["properties"] for f in json.load(open(path))["features"]}


then, now = values(sys.argv[1]), values(sys.argv[2])
must = re.compile(sys.argv[4] if len(sys.argv) > 4 else "fires_near_")
checked = bad = named = 0
for row in csv.DictReader(open(sys.argv[3])):
    named += bool(must.search(row["why"]))
    for name, a, b in re.findall(r"([a-z_0-9]+) (-?[0-9.e+-]+|missing) -> (-?[0-9.e+-]+|missing)", row["why"]):
        if name not in now.get(row["parcel_id"], {}):
            continue
        checked += 1
        want_a, want_b = then[row["parcel_id"]][name], now[row["parcel_id"]][name]
        ok = all(v is None if s == "missing" else v is not None and float(s) == float("%.6g" % v)
                 for s, v in ((a, want_a), (b, want_b)))
        if not ok:
            bad += 1
            if bad <= 5:
                print(f"{row['parcel_id']} {name}: why says {a} -> {b}, the runs have {want_a} -> {want_b}",
                      file=sys.stderr)
if checked < 20 or not named:
    sys.exit(f"only {checked} feature moves, {named} rows naming /{must.pattern}/: the check proves nothing")
sys.exit(1 if bad else 0)
