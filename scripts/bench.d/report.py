#!/usr/bin/python3
"""Turns scripts/bench results (results.tsv) into the Markdown tables of docs/BENCHMARKS.md.

usage: report.py RESULTS.tsv REPORT.md [AGREEMENT LINE...]

results.tsv rows: "size name wall_s peak_kb user_s sys_s [timeout]" for a measured run;
"size JOB-stages-tT read join features score write" for the stage times a run printed;
"size postgis-server 0 peak_kb 0 0"; "size iowrite-bytes 0 0 0 0 bytes".
"""
import datetime, os, platform, statistics, subprocess, sys
results, report, agreement = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
runs, stages, server, stopped, out_bytes = {}, {}, {}, set(), {}
for r in rows:
    size, name = int(r[0]), r[1]
    if "-stages-" in name:
        job, t = name.split("-stages-")
        stages.setdefault((size, job, t), []).append([float(x) for x in r[2:7]])
    elif name == "postgis-server":
        server.setdefault(size, []).append(int(r[3]))
    elif name == "iowrite-bytes":
        out_bytes[size] = int(r[6])
    else:
        runs.setdefault((size, name), []).append((float(r[2]), int(r[3]), float(r[4]), float(r[5])))
        if len(r) > 6 and r[6] == "timeout":
            stopped.add((size, name))
def med(v): return statistics.median(v)
def wall(size, name): return med([w for w, _, _, _ in runs[(size, name)]]) if (size, name) in runs else None
def user(size, name): return med([u for _, _, u, _ in runs[(size, name)]]) if (size, name) in runs else None
def ratio(a, b): return f"{a / b:.2f}x" if a is not None and b else "-"

LABELS = {
    "default-t1": "firerisk default run, 1 thread", "default-t2": "firerisk default run, 2 threads",
    "nightly-t1": "firerisk nightly run (next day, same outputs), 1 thread",
    "nightly-t2": "firerisk nightly run (next day, same outputs), 2 threads",
    "firerisk-t1": "firerisk benchmark job, 1 thread", "firerisk-t2": "firerisk benchmark job, 2 threads",
    "iofloor": "I/O floor (ioread + iowrite)", "ioread": "ioread: OGR read of every input feature",
    "iowrite": "iowrite: dd of the default run's bytes, fsync", "floor": "ogr2ogr floor",
    "postgis": "PostGIS 3.3", "geopandas": "GeoPandas 0.12",
}
ORDER = ["default-t1", "default-t2", "nightly-t1", "nightly-t2", "firerisk-t1", "firerisk-t2", "iofloor", "ioread", "iowrite", "floor",
         "postgis", "geopandas"]
lines = ["| parcels | job | median wall (s) | user CPU (s) | peak RSS (MB) | vs I/O floor | vs ogr2ogr floor "
         "| firerisk default (2 threads) faster by |", "|---|---|---|---|---|---|---|---|"]
big, notes = [], []
sizes = sorted({k[0] for k in runs})
for size in sizes:
    # the I/O floor: the medians of its two halves, added
    io = None
    if (size, "ioread") in runs and (size, "iowrite") in runs:
        io = wall(size, "ioread") + wall(size, "iowrite")
        runs[(size, "iofloor")] = [(io, max(m for _, m, _, _ in runs[(size, "ioread")] + runs[(size, "iowrite")]),
                                    user(size, "ioread") + user(size, "iowrite"), 0.0)]
    floor = wall(size, "floor")
    d2 = wall(size, "default-t2")
    for name in ORDER:
        if (size, name) not in runs: continue
        w = wall(size, name)
        rss = max(m for _, m, _, _ in runs[(size, name)]) / 1024
        rss_txt = f"{rss:.0f}"
        if name == "postgis" and size in server:
            rss_txt = f"{rss:.0f} client + {max(server[size]) / 1024:.0f} server"
        vs_io, vs_floor = ratio(w, io), ratio(w, floor)
        faster = f"{w / d2:.1f}x" if d2 and not name.startswith(("default", "nightly", "firerisk", "io")) else "-"
        wall_txt = f"{w:.2f}"
        if (size, name) in stopped:  # a lower bound: the run was stopped at the time limit
            wall_txt, rss_txt = f"> {w:.0f} (stopped)", f"> {rss_txt}"
            vs_io, vs_floor = ("> " + x if x != "-" else "-" for x in (vs_io, vs_floor))
            faster = "> " + faster if faster != "-" else "-"
        label = LABELS.get(name, name)
        lines.append(f"| {size:,} | {label} | {wall_txt} | {user(size, name):.1f} | {rss_txt} | {vs_io} | {vs_floor} "
                     f"| {faster} |")
    d1 = wall(size, "default-t1")
    if d1 and d2:
        notes.append(f"- {size:,} parcels: the default run {d1 / d2:.2f}x faster on 2 threads than on 1 (whole run, "
                     f"target 1.5x); {ratio(d2, io)} the I/O floor (target 1.5x), {ratio(d2, floor)} the ogr2ogr "
                     f"floor (target 0.4x); peak RSS {max(m for _, m, _, _ in runs[(size, 'default-t2')]) / 1024:.0f} MB"
                     + (f"; outputs {out_bytes[size] / 1e9:.2f} GB" if size in out_bytes else ""))
    n2 = wall(size, "nightly-t2")
    if n2:
        notes.append(f"- {size:,} parcels: the nightly run (next day, same output directory) {n2:.2f} s at 2 threads, "
                     f"{ratio(n2, io)} the I/O floor; peak RSS "
                     f"{max(m for _, m, _, _ in runs[(size, 'nightly-t2')]) / 1024:.0f} MB")
# the 5M city (--big): its time over the 1M run's
for size in sizes:
    if size < 5000000 or (size, "default-t2") not in runs: continue
    base = wall(1000000, "default-t2")
    rss = max(m for _, m, _, _ in runs[(size, "default-t2")]) / 1024 / 1024
    big.append(f"- {size:,} parcels (`--big`): the default run at 2 threads {wall(size, 'default-t2'):.1f} s"
               + (f", {wall(size, 'default-t2') / base:.2f}x the 1M run's" if base else "")
               + f"; peak RSS {rss:.2f} GB (targets: 5.5x, 6 GB)")

slines = ["| parcels | job | threads | read | join | features | score | write | stages total | wall | outside stages "
          "| join+score speed-up |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for size in sorted({k[0] for k in stages}):
    for job in ["default", "nightly", "firerisk"]:
        base = None
        for t in ["t1", "t2"]:
            if (size, job, t) not in stages: continue
            s = [med([x[i] for x in stages[(size, job, t)]]) for i in range(5)]
            js = s[1] + s[3]
            if t == "t1": base = js
            sp = f"{base / js:.2f}x" if base and js and t == "t2" else "-"
            w = wall(size, f"{job}-{t}")
            total = sum(s)
            outside = f"{w - total:.2f}" if w is not None else "-"
            slines.append(f"| {size:,} | {job} | {t[1]} | {s[0]:.2f} | {s[1]:.2f} | {s[2]:.2f} | {s[3]:.2f} | "
                          f"{s[4]:.2f} | {total:.2f} | {w:.2f} | {outside} | {sp} |")
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
text = "\n".join([
    "# Benchmarks", "",
    "Produced by `scripts/bench` (`scripts/bench --help`: the jobs, the floors, the peers, the options); a benchmark,",
    "not a test.",
    f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
    f"run {datetime.date.today().isoformat()}. Median of the runs at each size; peak RSS is the largest seen.", "",
    "Columns: *user CPU* is the process's user time (with a busy machine it says more than the wall time);",
    "*vs I/O floor* is the wall time over the machine's I/O floor of the same size: *ioread* (every feature of the",
    "four input layers fetched through OGR, `scripts/bench.d/ogr_read.c`) plus *iowrite* (`dd` writing as many",
    "bytes as the default run's outputs, with fsync); *vs ogr2ogr floor* is the wall time over ogr2ogr reading the",
    "inputs and writing the benchmark job's GeoJSON and Shapefile. The *default run* writes every output of the",
    "default config (GeoJSON, Shapefile, GeoPackage with R-tree, targets/rejects/matches/changes CSVs, report.html,",
    "the .qml style; publishing included); the *nightly run* is the same again the next day (`--as-of` one day",
    "later) into the same output directory: changes.csv against the previous list, the old outputs replaced;",
    "the *benchmark job* writes only the GeoJSON and the Shapefile the peers write.", "",
    *lines, "",
    *notes, *big, "",
    "Stages of `firerisk run` (median seconds, as printed by the run; *outside stages* is the median wall time less",
    "the stages' total: start-up, the manifest and the swap of the output directory; the speed-up is join + score",
    "at 1 thread over the same at 2 threads; stage times have two decimals, so at 10k parcels it means little):", "",
    *slines, "",
    "Where the time goes and what changed it: [PROFILE.md](PROFILE.md).", "",
    "Agreement of the peers' per-parcel results with firerisk's (counts exact, station distance 1 mm, score 1e-9, top-100 ranking):", "",
    *[f"- {a}" for a in agreement], "",
    "Notes: the ogr2ogr floor is three ogr2ogr commands (parcels to GeoJSON RFC 7946, parcels to Shapefile, the point",
    "layers to /dev/null). The I/O floor reads the inputs from the page cache, as firerisk does after the first",
    "run. PostGIS runs with fsync off and 2 GB of shared buffers (its best case); its memory is",
    "the server's, sampled every 0.2 s. GeoPandas is Debian's 0.12 with Shapely 1.8 (no vectorised nearest",
    "join: rtree candidates, then exact distances). A run stopped at PEER_TIMEOUT gives lower bounds (\">\").",
    "firerisk's peak RSS includes the GDAL/PROJ caches. The machine is a VM: repeated runs differ by 10-20 %,",
    "so the medians matter, not single runs (every run is in the bench directory's results.tsv).", ""])
open(report, "w").write(text)
print(text)
