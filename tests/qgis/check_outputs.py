#!/usr/bin/python3
"""Loads every ranked output of a firerisk run in real QGIS (PyQGIS, headless)
and checks what an analyst sees in the first minute.

    check_outputs.py OUT_DIR PARCELS PNG_DIR

For ranked_parcels.gpkg (layer ranked_parcels), ranked_parcels.shp and
ranked_parcels.geojson:
  - the layer is valid, in the documented CRS (working CRS EPSG:32616 for the
    GeoPackage and the Shapefile, EPSG:4326 for the GeoJSON);
  - one feature per parcel;
  - the documented fields with the documented types (docs/OUTPUTS.md), the
    Shapefile under its documented short names;
  - the style QGIS applied by itself on loading (the GeoPackage's layer_styles
    row, the .qml beside the other two) is firerisk's: a categorized renderer
    on `tier` with high, medium, low;
  - a PNG map rendered by QGIS is not blank and shows the high tier's red.
The GeoPackage's rejects and run_metadata tables load as tables too.
Run with QT_QPA_PLATFORM=offscreen (tests/e2e/qgis_outputs.sh does).
"""
import os
import sys

from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsVectorLayer,
                       QgsCategorizedSymbolRenderer)
from qgis.PyQt.QtCore import QSize, QVariant
from qgis.PyQt.QtGui import QColor

INT = {QVariant.Int, QVariant.LongLong}
REAL = {QVariant.Double}
TEXT = {QVariant.String}
DATE = {QVariant.Date}

# (long name, Shapefile name, types): the documented core of docs/OUTPUTS.md.
FIELDS = [
    ("rank", "rank", INT),
    ("parcel_id", "parcel_id", TEXT),
    ("address", "address", TEXT),
    ("score", "score", REAL),
    ("tier", "tier", TEXT),
    ("reason_1", "reason_1", TEXT),
    ("reason_2", "reason_2", TEXT),
    ("reason_3", "reason_3", TEXT),
    ("block_group", "block_grp", TEXT),
    ("fires_parcel_5y", "fire_p_5y", INT),
    ("fires_near_3y", "fire_n_3y", INT),
    ("insp_days_since", "insp_days", INT),
    ("building_age", "bldg_age", INT),
    ("station_dist_m", "stn_dist_m", REAL),
    ("last_inspection", "last_insp", DATE),
]
HIGH_RED = (215, 25, 28)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


def count_colours(img):
    """Distinct colours (sampled every 2nd pixel) and pixels near the high tier's red."""
    seen, red = set(), 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixel(x, y)
            seen.add(c)
            r, g, b = (c >> 16) & 255, (c >> 8) & 255, c & 255
            if abs(r - HIGH_RED[0]) < 12 and abs(g - HIGH_RED[1]) < 12 and abs(b - HIGH_RED[2]) < 12:
                red += 1
    return len(seen), red


def render(layer, png):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(layer.crs())
    s.setExtent(layer.extent())
    s.setOutputSize(QSize(800, 800))
    s.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(png)
    return img


def check_layer(label, uri, crs, short_names, parcels, png):
    layer = QgsVectorLayer(uri, label, "ogr")
    if not check(layer.isValid(), "%s: QGIS cannot load %s" % (label, uri)):
        return
    check(layer.crs().authid() == crs, "%s: CRS %s, documented %s" % (label, layer.crs().authid(), crs))
    check(layer.featureCount() == parcels, "%s: %d features for %d parcels" % (label, layer.featureCount(), parcels))
    fields = layer.fields()
    for long_name, short_name, types in FIELDS:
        name = short_name if short_names else long_name
        i = fields.indexFromName(name)
        if check(i >= 0, "%s: field %s missing" % (label, name)):
            t = fields.at(i).type()
            check(t in types, "%s: field %s has type %s (%s)" % (label, name, QVariant.typeToName(t),
                                                                   fields.at(i).typeName()))
    r = layer.renderer()
    check(r is not None and r.type() == "categorizedSymbol",
          "%s: renderer %s, not firerisk's categorized style (style not applied)" % (label, r.type() if r else None))
    if isinstance(r, QgsCategorizedSymbolRenderer):
        check(r.classAttribute() == "tier", "%s: renderer on %s, not tier" % (label, r.classAttribute()))
        values = [c.value() for c in r.categories()]
        check(values == ["high", "medium", "low"], "%s: categories %s" % (label, values))
    img = render(layer, png)
    colours, red = count_colours(img)
    check(colours >= 4, "%s: the rendered map has %d colours (blank?)" % (label, colours))
    check(red > 50, "%s: the rendered map shows %d pixels of the high tier's red" % (label, red))
    print("%s: valid, %s, %d features, %d fields, renderer %s, map %s (%d colours, %d red pixels)"
          % (label, layer.crs().authid(), layer.featureCount(), len(fields), r.type() if r else None, png,
             colours, red))


def check_equity(out, png_dir):
    """equity.gpkg: the block groups, styled by targets / risk (a graduated renderer in four classes)."""
    with open(os.path.join(out, "equity.csv"), encoding="utf-8") as f:
        groups = sum(1 for line in f if line.startswith("block_groups,") and not line.startswith("block_groups,(none)"))
    uri = os.path.join(out, "equity.gpkg") + "|layername=equity_block_groups"
    layer = QgsVectorLayer(uri, "equity", "ogr")
    if not check(layer.isValid(), "equity: QGIS cannot load %s" % uri):
        return
    check(layer.featureCount() == groups, "equity: %d features, equity.csv has %d block groups"
          % (layer.featureCount(), groups))
    for name in ("area", "homes", "risk_share", "targets_share", "targets_to_risk", "flag", "poverty_rate"):
        check(layer.fields().indexFromName(name) >= 0, "equity: field %s missing" % name)
    r = layer.renderer()
    check(r is not None and r.type() == "graduatedSymbol",
          "equity: renderer %s, not firerisk's graduated style (style not applied)" % (r.type() if r else None))
    if r is not None and r.type() == "graduatedSymbol":
        check(r.classAttribute() == "targets_to_risk", "equity: renderer on %s" % r.classAttribute())
        check(len(r.ranges()) == 4, "equity: %d classes, expected 4" % len(r.ranges()))
    img = render(layer, os.path.join(png_dir, "equity.png"))
    colours, _ = count_colours(img)
    check(colours >= 3, "equity: the rendered map has %d colours (blank?)" % colours)
    print("equity: valid, %d block groups, renderer %s, %d colours" % (layer.featureCount(),
                                                                       r.type() if r else None, colours))
    del layer


def main():
    out, parcels, png_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = QgsApplication([], False)
    app.initQgis()
    gpkg = os.path.join(out, "ranked_parcels.gpkg")
    check_layer("gpkg", gpkg + "|layername=ranked_parcels", "EPSG:32616", False, parcels,
                os.path.join(png_dir, "gpkg.png"))
    check_layer("shapefile", os.path.join(out, "ranked_parcels.shp"), "EPSG:32616", True, parcels,
                os.path.join(png_dir, "shapefile.png"))
    check_layer("geojson", os.path.join(out, "ranked_parcels.geojson"), "EPSG:4326", False, parcels,
                os.path.join(png_dir, "geojson.png"))
    # The style is the GeoPackage's default for the layer.
    layer = QgsVectorLayer(gpkg + "|layername=ranked_parcels", "gpkg", "ogr")
    n, ids, names, descs, err = layer.listStylesInDatabase()
    check(n >= 1 and "firerisk tiers" in names, "gpkg: styles in the database: %s %s" % (names, err))
    # The attribute tables.
    with open(os.path.join(out, "rejects.csv"), encoding="utf-8") as f:
        rejects = sum(1 for _ in f) - 1
    rej = QgsVectorLayer(gpkg + "|layername=rejects", "rejects", "ogr")
    check(rej.isValid() and rej.featureCount() == rejects,
          "gpkg rejects: %d rows, rejects.csv has %d" % (rej.featureCount(), rejects))
    meta = QgsVectorLayer(gpkg + "|layername=run_metadata", "run_metadata", "ogr")
    keys = {f["key"]: f["value"] for f in meta.getFeatures()} if meta.isValid() else {}
    check(keys.get("parcels") == str(parcels), "gpkg run_metadata: parcels = %s" % keys.get("parcels"))
    check("as_of" in keys, "gpkg run_metadata: no as_of")
    check_equity(out, png_dir)
    del layer, rej, meta  # before exitQgis: a layer outliving it crashes the interpreter's teardown
    app.exitQgis()
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("QGIS: every output loads, styled, and renders")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip Qt's static destructors, which crash after exitQgis on some versions
