#!/usr/bin/python3
"""Turns scripts/bench results (results.tsv) into the Markdown table of docs/BENCHMARKS.md.

usage: report.py RESULTS.tsv REPORT.md [AGREEMENT LINE...]
"""
import datetime, os, platform, statistics, subprocess, sys
results, report, agreement = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
runs, stages, server, stopped = {}, {}, {}, set()
for r in rows:
    size, name = int(r[0]), r[1]
    if name.startswith("stages-"):
        stages.setdefault((size, name[7:]), []).append([float(x) for x in r[2:7]])
    elif name == "postgis-server":
        server.setdefault(size, []).append(int(r[3]))
    else:
        runs.setdefault((size, name), []).append((float(r[2]), int(r[3])))
        if len(r) > 4 and r[4] == "timeout":
            stopped.add((size, name))
def med(v): return statistics.median(v)
lines = []
lines.append("| parcels | tool | median wall (s) | peak RSS (MB) | vs floor | firerisk (2 threads) faster by |")
lines.append("|---|---|---|---|---|---|")
for size in sorted({k[0] for k in runs}):
    floor = med([w for w, _ in runs[(size, "floor")]]) if (size, "floor") in runs else None
    fr2 = med([w for w, _ in runs[(size, "firerisk-t2")]]) if (size, "firerisk-t2") in runs else None
    for name in ["firerisk-t1", "firerisk-t2", "floor", "postgis", "geopandas"]:
        if (size, name) not in runs: continue
        wall = med([w for w, _ in runs[(size, name)]])
        rss = max(m for _, m in runs[(size, name)]) / 1024
        rss_txt = f"{rss:.0f}"
        if name == "postgis" and size in server:
            rss_txt = f"{rss:.0f} client + {max(server[size]) / 1024:.0f} server"
        vs_floor = f"{wall / floor:.2f}x" if floor else "-"
        faster = f"{wall / fr2:.1f}x" if fr2 and not name.startswith("firerisk") else "-"
        wall_txt = f"{wall:.2f}"
        if (size, name) in stopped:  # a lower bound: the run was stopped at the time limit
            wall_txt, rss_txt = f"> {wall:.0f} (stopped)", f"> {rss_txt}"
            vs_floor = "> " + vs_floor if vs_floor != "-" else "-"
            faster = "> " + faster if faster != "-" else "-"
        lines.append(f"| {size:,} | {name} | {wall_txt} | {rss_txt} | {vs_floor} | {faster} |")
slines = ["| parcels | threads | read | join | features | score | write | join+score speed-up |", "|---|---|---|---|---|---|---|---|"]
for size in sorted({k[0] for k in stages}):
    base = None
    for t in ["t1", "t2"]:
        if (size, t) not in stages: continue
        s = [med([x[i] for x in stages[(size, t)]]) for i in range(5)]
        js = s[1] + s[3]
        if t == "t1": base = js
        sp = f"{base / js:.2f}x" if base and t == "t2" else "-"
        slines.append(f"| {size:,} | {t[1]} | {s[0]:.2f} | {s[1]:.2f} | {s[2]:.2f} | {s[3]:.2f} | {s[4]:.2f} | {sp} |")
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
text = "\n".join([
    "# Benchmarks", "",
    "Produced by `scripts/bench` (see its header for the job and the tools); a benchmark, not a test.",
    f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
    f"run {datetime.date.today().isoformat()}. Median of the runs at each size; peak RSS is the largest seen.", "",
    *lines, "",
    "Stages of `firerisk run` (median seconds, as printed by the run; the speed-up is join + score at 1",
    "thread over the same at 2 threads; stage times have two decimals, so at 10k parcels it means little):", "",
    *slines, "",
    "Where the time goes and what changed it: [PROFILE.md](PROFILE.md).", "",
    "Agreement of the peers' per-parcel results with firerisk's (counts exact, station distance 1 mm, score 1e-9, top-100 ranking):", "",
    *[f"- {a}" for a in agreement], "",
    "Notes: the floor is three ogr2ogr commands (parcels to GeoJSON RFC 7946, parcels to Shapefile, the point",
    "layers to /dev/null). PostGIS runs with fsync off and 2 GB of shared buffers (its best case); its memory is",
    "the server's, sampled every 0.2 s. GeoPandas is Debian's 0.12 with Shapely 1.8 (no vectorised nearest",
    "join: rtree candidates, then exact distances). A run stopped at PEER_TIMEOUT gives lower bounds (\">\").",
    "firerisk's peak RSS includes the GDAL/PROJ caches. The machine is a VM: repeated runs differ by 10-20 %,",
    "so the medians matter, not single runs (every run is in the bench directory's results.tsv).", ""])
open(report, "w").write(text)
print(text)
