#!/usr/bin/env python3
"""manifest_check.py OUTDIR — the output directory is one complete run:
exactly the files its run_manifest.json lists (plus the manifest), each
with the size and SHA-256 the manifest gives, and the manifest's fields
are there.  Exit 1 with the reason otherwise.  Used by the e2e tests."""
import hashlib
import json
import os
import sys

out = sys.argv[1]
m = json.load(open(os.path.join(out, "run_manifest.json"), encoding="utf-8"))
for key in ("manifest_version", "firerisk_version", "status", "started", "finished", "as_of", "config",
            "inputs", "counts", "rejects", "warnings", "seconds", "outputs", "notes"):
    if key not in m:
        sys.exit(f"manifest lacks {key}")
listed = {o["file"]: o for o in m["outputs"]}
present = {f for f in os.listdir(out) if f != "run_manifest.json" and not f.startswith(".")}
extra = set(sys.argv[2:])  # files the caller put there (kept by firerisk)
if present - extra != set(listed):
    sys.exit(f"files {sorted(present)} != manifest {sorted(listed)}")
for name, o in listed.items():
    data = open(os.path.join(out, name), "rb").read()
    if len(data) != o["size"] or hashlib.sha256(data).hexdigest() != o["sha256"]:
        sys.exit(f"{name}: size or sha256 differs from the manifest")
for f in m["inputs"]:
    if "sha256" in f and os.path.exists(f["path"]) and not f.get("changed_during_run"):
        if hashlib.sha256(open(f["path"], "rb").read()).hexdigest() != f["sha256"]:
            sys.exit(f"input {f['path']}: sha256 differs")
for layer, c in m["counts"].items():
    if c["read"]["records"] != c["used"] + c["rejected"] or not c["balanced"]:
        sys.exit(f"counts of {layer} do not balance")
print(m["started"])
