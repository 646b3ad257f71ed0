#!/usr/bin/python3
"""The benchmark job written as a competent analyst would in GeoPandas
(Debian python3-geopandas 0.12, shapely 1.8): the same inputs, the same
semantics as `firerisk run` with scripts/bench.d/bench.yaml, the same outputs.

usage: geopandas_job.py CITY_DIR OUT_DIR

Semantics mirrored from firerisk (docs/FEATURES.md):
- inspections and incidents to parcels: parcel id, else the parcel the point
  intersects (lowest parcel index), else the nearest parcel within 15 m;
- fires = NFIRS 110-129; windows [as_of - N years, as_of) with as_of 2026-01-01;
- fires_near_3y: matched fires whose point lies within 250 m of the parcel
  polygon (exact distance, candidates from the spatial index);
- station_dist_m from the parcel's representative point (PointOnSurface);
- the points index with the weights of bench.yaml; rank by score desc, id asc.
"""
import sys

import geopandas as gpd
import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2026-01-01")
Y1, Y3, Y5 = (AS_OF - pd.DateOffset(years=n) for n in (1, 3, 5))
TOL, RADIUS = 15.0, 250.0
TERMS = [  # feature, weight, cap, invert
    ("fires_parcel_5y", 3, 2, False), ("fires_near_3y", 2, 10, False), ("insp_failed_3y", 2, 3, False),
    ("insp_violations_3y", 1, 10, False), ("building_age", 2, 100, False), ("vacant", 1.5, 1, False),
    ("owner_occupied", 1, 1, True), ("units", 0.5, 50, False), ("station_dist_m", 0.5, 5000, False)]


def match(points, parcels, id_col):
    """Parcel index of each point: id, then intersects, then nearest within TOL."""
    out = pd.Series(-1, index=points.index, dtype="int64")
    if id_col in points.columns:
        ids = pd.Series(np.arange(len(parcels)), index=parcels["parcel_id"].values)
        ids = ids[~ids.index.duplicated()]
        by_id = points[id_col].str.strip().map(ids)
        out[by_id.notna()] = by_id[by_id.notna()].astype("int64")
    rest = points[(out < 0) & points.geometry.notna() & ~points.geometry.is_empty]
    if len(rest):
        hit = gpd.sjoin(rest[["geometry"]], parcels[["geometry"]], how="inner", predicate="intersects")
        first = hit.groupby(level=0)["index_right"].min()
        out[first.index] = first.values
        rest = rest.drop(first.index)
    if len(rest):
        # sjoin_nearest needs pygeos or shapely 2, which Debian 12 lacks: envelope
        # candidates within TOL from the rtree index, then the exact distance.
        ri, pj = parcels.sindex.query_bulk(rest.geometry.buffer(TOL, resolution=2), predicate=None)
        d = rest.geometry.values[ri].distance(parcels.geometry.values[pj])
        near = pd.DataFrame({"i": rest.index.values[ri], "p": pj, "d": d})
        near = near[near["d"] <= TOL].sort_values(["i", "d", "p"]).drop_duplicates("i")
        out[near["i"].values] = near["p"].values
    return out


def main(city, out_dir):
    gpkg = f"{city}/city.gpkg"
    parcels = gpd.read_file(gpkg, layer="parcels")
    insp = gpd.read_file(gpkg, layer="inspections")
    inc = gpd.read_file(gpkg, layer="incidents")
    stations = gpd.read_file(gpkg, layer="stations")
    n = len(parcels)

    insp["p"] = match(insp, parcels, "parcel_id")
    inc["p"] = match(inc, parcels, "parcel_id")
    insp["date"] = pd.to_datetime(insp["insp_date"])
    inc["date"] = pd.to_datetime(inc["alarm_date"])
    code = pd.to_numeric(inc["nfirs_type"].str.extract(r"^\s*(\d+)")[0], errors="coerce")
    fires = inc[(code >= 110) & (code <= 129) & (inc["p"] >= 0) & (inc["date"] < AS_OF)]

    f = pd.DataFrame(index=np.arange(n))
    f5 = fires[fires["date"] >= Y5]
    f["fires_parcel_5y"] = np.bincount(f5["p"], minlength=n)
    # fires within RADIUS of the parcel polygon: envelope candidates, then exact distance
    f3 = fires[fires["date"] >= Y3]
    fi, pi = parcels.sindex.query_bulk(f3.geometry.buffer(RADIUS, resolution=2), predicate=None)
    d = parcels.geometry.values[pi].distance(f3.geometry.values[fi])
    f["fires_near_3y"] = np.bincount(pi[d <= RADIUS], minlength=n)
    i5 = insp[(insp["p"] >= 0) & (insp["date"] < AS_OF) & (insp["date"] >= Y5)]
    f["insp_count_5y"] = np.bincount(i5["p"], minlength=n)
    i3 = i5[i5["date"] >= Y3]
    failed = i3["result"].str.upper().isin(["FAIL", "FAILED", "F", "VIOLATION", "VIOLATIONS", "NON-COMPLIANT",
                                           "NONCOMPLIANT"])
    f["insp_failed_3y"] = np.bincount(i3.loc[failed, "p"], minlength=n)
    viol = i3["violations"].where(i3["violations"] > 0, 0)
    f["insp_violations_3y"] = np.bincount(i3["p"], weights=viol, minlength=n)
    yb = parcels["year_built"].astype(float)
    f["building_age"] = np.where((yb >= 1600) & (yb <= 2026), 2026 - yb, np.nan)
    f["vacant"] = parcels["vacant"].astype(float)
    f["owner_occupied"] = parcels["owner_occ"].astype(float)
    f["units"] = parcels["units"].astype(float)
    rep = parcels.geometry.representative_point()
    best = np.full(n, np.inf)
    for s in stations.geometry:  # a few hundred stations: one vectorised distance each
        best = np.minimum(best, rep.distance(s).values)
    f["station_dist_m"] = best

    score = np.zeros(n)
    for name, w, cap, inv in TERMS:
        x = np.clip(f[name].values / cap, 0, 1)
        pts = w * ((1 - x) if inv else x)
        score += np.where(np.isnan(pts), 0, pts)
    f["score"] = score / sum(t[1] for t in TERMS)

    out = parcels[["parcel_id", "address", "geometry"]].join(f)
    out = out.sort_values(["score", "parcel_id"], ascending=[False, True], kind="mergesort")
    out.insert(0, "rank", np.arange(1, n + 1))
    out.to_crs(4326).to_file(f"{out_dir}/ranked_parcels.geojson", driver="GeoJSON")
    short = out.rename(columns={"fires_parcel_5y": "fire_p_5y", "fires_near_3y": "fire_n_3y",
                                "insp_count_5y": "insp_n_5y", "insp_failed_3y": "insp_f_3y",
                                "insp_violations_3y": "insp_v_3y", "building_age": "bldg_age",
                                "owner_occupied": "owner_occ", "station_dist_m": "stn_dist_m"})
    short.to_file(f"{out_dir}/ranked_parcels.shp")
    out.drop(columns="geometry").to_csv(f"{out_dir}/per_parcel.csv", index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
