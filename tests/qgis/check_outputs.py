#!/usr/bin/python3
"""Loads every ranked output of a firerisk run in real QGIS (PyQGIS, headless)
and checks what an analyst sees in the first minute.

    check_outputs.py OUT_DIR PARCELS PNG_DIR [points]

`points`: the homes were given as points (layers.parcels of address points):
every ranked layer is then a point layer drawn with marker symbols.

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
  - a PNG map rendered by QGIS is not blank and shows the high tier's red;
  - the target list is outlined (a second symbol layer enabled by
    "on_list" = 1) and labelled with list_rank from 1:25,000 in: a map of the
    first target's neighbourhood shows the outline's blue and the label's ink.
The GeoPackage's rejects and run_metadata tables load as tables too.
Run with QT_QPA_PLATFORM=offscreen (tests/e2e/qgis_outputs.sh does).
"""
import os
import sys

from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsVectorLayer,
                       QgsCategorizedSymbolRenderer, QgsExpression, QgsFeatureRequest, QgsRectangle,
                       QgsSymbolLayer, QgsWkbTypes)
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
    ("on_list", "on_list", INT),
    ("list_rank", "list_rank", INT),
    ("last_visit", "last_visit", DATE),
    ("visit_outcome", "visit_out", TEXT),
]
HIGH_RED = (215, 25, 28)
TARGET_BLUE = (31, 78, 156)
LABEL_INK = (20, 20, 60)

failures = []
POINTS = len(sys.argv) > 4 and sys.argv[4] == "points"


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


def count_colours(img, colour=HIGH_RED, tolerance=12):
    """Distinct colours (sampled every 2nd pixel) and pixels near colour (the high tier's red)."""
    seen, red = set(), 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixel(x, y)
            seen.add(c)
            r, g, b = (c >> 16) & 255, (c >> 8) & 255, c & 255
            if abs(r - colour[0]) < tolerance and abs(g - colour[1]) < tolerance and abs(b - colour[2]) < tolerance:
                red += 1
    return len(seen), red


def render(layer, png, extent=None):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(layer.crs())
    s.setExtent(extent if extent is not None else layer.extent())
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
    want = QgsWkbTypes.PointGeometry if POINTS else QgsWkbTypes.PolygonGeometry
    check(layer.geometryType() == want, "%s: geometry type %s, expected %s" % (label, layer.geometryType(), want))
    r = layer.renderer()
    check(r is not None and r.type() == "categorizedSymbol",
          "%s: renderer %s, not firerisk's categorized style (style not applied)" % (label, r.type() if r else None))
    if isinstance(r, QgsCategorizedSymbolRenderer):
        check(r.classAttribute() == "tier", "%s: renderer on %s, not tier" % (label, r.classAttribute()))
        values = [c.value() for c in r.categories()]
        check(values == ["high", "medium", "low"], "%s: categories %s" % (label, values))
        kinds = [c.symbol().type() for c in r.categories()]
        check(kinds == [0 if POINTS else 2] * 3, "%s: symbol types %s (0 marker, 2 fill)" % (label, kinds))
    img = render(layer, png)
    colours, red = count_colours(img)
    check(colours >= 4, "%s: the rendered map has %d colours (blank?)" % (label, colours))
    check(red > 50, "%s: the rendered map shows %d pixels of the high tier's red" % (label, red))
    print("%s: valid, %s, %d features, %d fields, renderer %s, map %s (%d colours, %d red pixels)"
          % (label, layer.crs().authid(), layer.featureCount(), len(fields), r.type() if r else None, png,
             colours, red))
    check_targets(label, layer, r, png.replace(".png", "_targets.png"))


def check_targets(label, layer, r, png):
    """The target list outlined and labelled with list_rank at neighbourhood scales."""
    if isinstance(r, QgsCategorizedSymbolRenderer):
        cats = r.categories()  # keep the list alive while its symbols are used
        for c in cats:
            sym = c.symbol()
            ok = sym.symbolLayerCount() == 2
            if ok:
                prop = sym.symbolLayer(1).dataDefinedProperties().property(QgsSymbolLayer.PropertyLayerEnabled)
                ok = prop.isActive() and prop.expressionString() == '"on_list" = 1'
            check(ok, "%s: the %s symbol has no target outline enabled by on_list" % (label, c.value()))
    lab = layer.labeling()
    check(layer.labelsEnabled() and lab is not None and lab.settings().fieldName == "list_rank",
          "%s: no list_rank labels" % label)
    if lab is not None:
        st = lab.settings()
        check(st.scaleVisibility and st.minimumScale == 25000,
              "%s: labels not limited to 1:25,000 and closer (%s, %s)" % (label, st.scaleVisibility, st.minimumScale))
    first = next(layer.getFeatures(QgsFeatureRequest(QgsExpression('"list_rank" = 1'))), None)
    if not check(first is not None, "%s: no feature with list_rank 1" % label):
        return
    box = first.geometry().boundingBox()
    if box.width() == 0:  # a point home: the neighbourhood around it (markers are a few mm, as are the rings)
        d = layer.extent().width() / 8
        box = QgsRectangle(box.xMinimum() - d, box.yMinimum() - d, box.xMaximum() + d, box.yMaximum() + d)
    else:
        box.scale(8)
    img = render(layer, png, box)
    _, blue = count_colours(img, TARGET_BLUE, 20)
    _, ink = count_colours(img, LABEL_INK, 25)
    check(blue > 30, "%s: the neighbourhood map shows %d pixels of the target outline" % (label, blue))
    check(ink > 5, "%s: the neighbourhood map shows %d pixels of list_rank labels" % (label, ink))
    print("%s: targets outlined (%d px) and labelled (%d px) in %s" % (label, blue, ink, png))


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
