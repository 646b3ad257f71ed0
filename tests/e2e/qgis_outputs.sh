#!/usr/bin/env bash
# Every ranked output (GeoPackage layer, Shapefile, GeoJSON) loads in real
# QGIS (PyQGIS, headless): valid, in the documented CRS, one feature per
# parcel, the documented fields and types, firerisk's style applied by QGIS
# itself, and a rendered PNG map that is not blank (tests/qgis/check_outputs.py).
# Needs Debian's python3-qgis (scripts/setup --test-tools); skipped without
# it, except in CI, where it must be there.
source "$(dirname "$0")/common.bash"
if ! /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then
  [ "${CI:-}" = true ] && fail "python3-qgis missing in CI (scripts/test installs it)"
  echo "SKIP: python3-qgis not installed (scripts/setup --test-tools)"
  exit 77
fi
N=2500
synth_city "$WORK/city" --parcels $N --seed 3
expect_exit 0 "$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/out" --quiet
mkdir -p "$WORK/png" "$WORK/xdg"
chmod 700 "$WORK/xdg"
# QGIS writes its settings under HOME: keep them out of the user's.
HOME="$WORK" XDG_RUNTIME_DIR="$WORK/xdg" QT_QPA_PLATFORM=offscreen \
  timeout 300 /usr/bin/python3 "$FIRERISK_SOURCE/tests/qgis/check_outputs.py" "$WORK/out" $N "$WORK/png" \
  || fail "QGIS checks failed (maps in $WORK/png are removed with the work directory; set KEEP to look)"
# Homes given as points: point layers drawn with markers, the targets ringed and labelled.
point_homes "$WORK/city"
expect_exit 0 "$FIRERISK" run --config "$WORK/city/points.yaml" --out "$WORK/pts" --quiet
mkdir -p "$WORK/png-points"
HOME="$WORK" XDG_RUNTIME_DIR="$WORK/xdg" QT_QPA_PLATFORM=offscreen \
  timeout 300 /usr/bin/python3 "$FIRERISK_SOURCE/tests/qgis/check_outputs.py" "$WORK/pts" $N "$WORK/png-points" points \
  || fail "QGIS checks of point homes failed"
echo "qgis outputs: ok"
