#!/usr/bin/env bash
# The QGIS Processing provider (qgis/firerisk_processing): installed by
# copying its one folder into a plugins directory, it adds firerisk's
# commands to Processing, runs the CLI with progress feedback and loads the
# outputs with their style (tests/qgis/check_processing.py, PyQGIS headless).
# Needs Debian's python3-qgis (scripts/setup --test-tools); skipped without
# it, except in CI, where it must be there.
source "$(dirname "$0")/common.bash"
if ! /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then
  [ "${CI:-}" = true ] && fail "python3-qgis missing in CI (scripts/test installs it)"
  echo "SKIP: python3-qgis not installed (scripts/setup --test-tools)"
  exit 77
fi
# Installed as the README says: the one folder copied.
mkdir -p "$WORK/plugins" "$WORK/xdg"
cp -r "$FIRERISK_SOURCE/qgis/firerisk_processing" "$WORK/plugins/"
chmod 700 "$WORK/xdg"
HOME="$WORK" XDG_RUNTIME_DIR="$WORK/xdg" QT_QPA_PLATFORM=offscreen \
  timeout 300 /usr/bin/python3 "$FIRERISK_SOURCE/tests/qgis/check_processing.py" "$WORK/plugins" "$WORK" \
  "${SCREENSHOT:-$WORK/dialog.png}" || fail "QGIS Processing checks failed"
# The dialog rendered (SCREENSHOT=docs/images/qgis_processing_run.png refreshes the README's picture).
[ "$(stat -c %s "${SCREENSHOT:-$WORK/dialog.png}")" -gt 10000 ] || fail "the dialog's screenshot is empty"
echo "qgis processing: ok"
