#!/usr/bin/python3
"""Checks that a peer's per-parcel results agree with firerisk's.

usage: compare.py FIRERISK_OUT PEER_PER_PARCEL_CSV
Compares, per parcel id, the counts (fires_parcel_5y, fires_near_3y,
insp_count_5y, insp_failed_3y, insp_violations_3y) exactly, station_dist_m to
1 mm and score to 1e-9, and the top-100 ranking.  Prints one line; exits 1 on
disagreement.
"""
import sys

import geopandas as gpd
import pandas as pd

COUNTS = ["fires_parcel_5y", "fires_near_3y", "insp_count_5y", "insp_failed_3y", "insp_violations_3y"]


def main(fr_dir, peer_csv):
    fr = gpd.read_file(f"{fr_dir}/ranked_parcels.geojson", ignore_geometry=True)
    peer = pd.read_csv(peer_csv, dtype={"parcel_id": str})
    m = fr.merge(peer, on="parcel_id", suffixes=("_fr", "_peer"))
    problems = []
    if len(m) != len(fr) or len(m) != len(peer):
        problems.append(f"parcels: firerisk {len(fr)}, peer {len(peer)}, common {len(m)}")
    for c in COUNTS:
        bad = (m[f"{c}_fr"].fillna(0).astype(float) != m[f"{c}_peer"].fillna(0).astype(float)).sum()
        if bad:
            problems.append(f"{c}: {bad} parcels differ")
    d = (m["station_dist_m_fr"] - m["station_dist_m_peer"]).abs().max()
    if d > 1e-3:
        problems.append(f"station_dist_m differs by up to {d:.3g} m")
    s = (m["score_fr"] - m["score_peer"]).abs().max()
    if s > 1e-9:
        problems.append(f"score differs by up to {s:.3g}")
    top_fr = fr.sort_values("rank")["parcel_id"].head(100).tolist()
    top_peer = peer.sort_values("rank")["parcel_id"].head(100).tolist()
    if top_fr != top_peer:
        problems.append("top-100 ranking differs")
    print("agree" if not problems else "DISAGREE: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
