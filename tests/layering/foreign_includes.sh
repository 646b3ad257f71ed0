#!/usr/bin/env bash
# foreign_includes.sh SOURCE_DIR — the libraries a layer may use, checked in
# the sources.  The include directories already refuse GDAL (and json-c,
# libyaml outside their layers) to a layer that does not link them, but
# geos_c.h, proj.h and yaml.h sit in /usr/include where every compiler looks,
# so a file of base/ or models/ could include them; this test says no.
set -euo pipefail
src=$1
status=0
check() { # folder, extended regex of forbidden system headers, why
  local hits
  hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($2)" "$src/$1" --include='*.c' --include='*.h' || true)
  if [ -n "$hits" ]; then
    printf '%s\n' "$hits"
    echo "FAIL: $1 must not include these headers ($3)"
    status=1
  fi
}
check base   'gdal|ogr_|cpl_|geos|proj|yaml|json-c|json\.h|nettle' "base/ depends on nothing of ours and no domain library"
check models 'gdal|ogr_|cpl_|geos|proj|yaml|nettle' "models/ sees plain arrays, never a GDAL or GEOS handle"
check geo    'yaml|json-c|json\.h|nettle' "geo/ reads and writes geometry; config, manifests and hashing belong to pipeline/"
[ $status = 0 ] && echo "ok: base/, models/ and geo/ include only the libraries of their layer"
exit $status
