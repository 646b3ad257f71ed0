#!/usr/bin/python3
"""The firerisk Processing provider (qgis/firerisk_processing) in real QGIS,
headless, as an analyst would use it from the Processing Toolbox.

    check_processing.py PLUGINS_DIR WORK_DIR [SCREENSHOT.png]

PLUGINS_DIR holds the plugin folder copied as a user installs it (one
folder); FIRERISK names the binary.  Checks:
  - the plugin loads the way QGIS loads plugins (classFactory, then
    initProcessing) and the provider lists run, validate, synth (explain
    exactly when the binary has that command);
  - synth writes a city and loads its parcels;
  - validate returns firerisk's report; a broken config raises firerisk's
    message and exit code;
  - run reports progress through every stage up to 100 %, and loads the
    ranked parcels (one per parcel, firerisk's tier style applied) and the
    target list (points, as many as targets.csv) into the project;
  - with a screenshot path: the run's dialog is rendered to PNG.
Run with QT_QPA_PLATFORM=offscreen (tests/e2e/qgis_processing.sh does).
"""
import csv
import os
import subprocess
import sys

from qgis.core import QgsApplication, QgsCategorizedSymbolRenderer, QgsProcessingFeedback, QgsProject

plugins, work = sys.argv[1], sys.argv[2]
shot = sys.argv[3] if len(sys.argv) > 3 else None
app = QgsApplication([], shot is not None)
app.initQgis()
sys.path.insert(0, "/usr/share/qgis/python/plugins")
sys.path.insert(0, plugins)
import processing  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402
from qgis.core import QgsProcessingException  # noqa: E402

Processing.initialize()
import firerisk_processing  # noqa: E402

plugin = firerisk_processing.classFactory(None)
plugin.initProcessing()
reg = QgsApplication.processingRegistry()
provider = reg.providerById("firerisk")
assert provider is not None, "no firerisk provider"
names = sorted(a.name() for a in provider.algorithms())
has_explain = subprocess.run([os.environ["FIRERISK"], "explain", "--help"], capture_output=True).returncode == 0
want = sorted(["run", "validate", "synth"] + (["explain"] if has_explain else []))
assert names == want, (names, want)


class Recording(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.progress, self.infos, self.errors = [], [], []
        self.progressChanged.connect(self.progress.append)

    def pushInfo(self, text):  # noqa: N802
        self.infos.append(text)

    def reportError(self, text, fatal=False):  # noqa: N802
        self.errors.append(text)


# synth
city = os.path.join(work, "city")
fb = Recording()
res = processing.runAndLoadResults("firerisk:synth", {"PARCELS": 700, "SEED": 3, "OUTPUT": city}, feedback=fb)
assert os.path.exists(os.path.join(city, "city.gpkg")), res
cfg = res["CONFIG"]
assert os.path.exists(cfg), res
parcels = [l for l in QgsProject.instance().mapLayers().values() if l.name() == "synthetic parcels"]
assert len(parcels) == 1 and parcels[0].featureCount() == 700, [l.name() for l in QgsProject.instance().mapLayers().values()]

# validate: the report; a broken config fails with firerisk's message
res = processing.run("firerisk:validate", {"CONFIG": cfg}, feedback=Recording())
assert "validate: ok, nothing written" in res["REPORT"], res["REPORT"]
assert "parcels" in res["REPORT"] and "CRS EPSG:32616" in res["REPORT"], res["REPORT"]
bad = os.path.join(city, "bad.yaml")
with open(cfg) as f, open(bad, "w") as g:
    g.write(f.read().replace("date: insp_date", "date: no_such_field"))
fb = Recording()
try:
    processing.run("firerisk:validate", {"CONFIG": bad}, feedback=fb)
    raise AssertionError("validate of a broken config succeeded")
except QgsProcessingException as e:
    assert "exit code 1" in str(e) and "no_such_field" in str(e), str(e)

# run: progress through the stages, outputs loaded with their style
out = os.path.join(work, "out")
fb = Recording()
res = processing.runAndLoadResults("firerisk:run", {"CONFIG": cfg, "OUTPUT": out, "AS_OF": "2025-06-01"},
                                   feedback=fb)
# 0 is where the bar starts (no signal); then 20, 40, 60, 80 as join,
# features, score and write begin, and 100 at the end
assert sorted({round(p) for p in fb.progress}) == [20, 40, 60, 80, 100], fb.progress
assert fb.progress == sorted(fb.progress), fb.progress
assert any("write (5/5)" in i for i in fb.infos), fb.infos
layers = {l.name(): l for l in QgsProject.instance().mapLayers().values()}
ranked, targets = layers.get("firerisk ranked parcels"), layers.get("firerisk targets")
assert ranked is not None and targets is not None, list(layers)
assert ranked.featureCount() == 700, ranked.featureCount()
r = ranked.renderer()
assert isinstance(r, QgsCategorizedSymbolRenderer) and r.classAttribute() == "tier", r
assert {c.value() for c in r.categories()} >= {"high", "medium", "low"}, [c.value() for c in r.categories()]
with open(os.path.join(out, "targets.csv")) as f:
    ntargets = sum(1 for _ in csv.DictReader(f))
assert targets.featureCount() == ntargets > 0, (targets.featureCount(), ntargets)
assert targets.geometryType() == 0, targets.geometryType()  # points
top = min(targets.getFeatures(), key=lambda f: int(f["rank"]))
with open(os.path.join(out, "targets.csv")) as f:
    first = next(csv.DictReader(f))
assert str(top["parcel_id"]) == first["parcel_id"], (top["parcel_id"], first["parcel_id"])

# explain: the parcel ids are its last arguments; the text names the parcel and its score
if has_explain:
    res = processing.run("firerisk:explain", {"CONFIG": cfg, "PARCEL": first["parcel_id"], "AS_OF": "2025-06-01"},
                         feedback=Recording())
    assert first["parcel_id"] in res["REPORT"] and "score" in res["REPORT"], res["REPORT"]
    try:
        processing.run("firerisk:explain", {"CONFIG": cfg, "PARCEL": "NO-SUCH-PARCEL"}, feedback=Recording())
        raise AssertionError("explain of an unknown parcel succeeded")
    except QgsProcessingException as e:
        assert "exit code 1" in str(e) and "NO-SUCH-PARCEL" in str(e), str(e)

if shot:  # the dialog an analyst sees, for the README
    from qgis.PyQt.QtWidgets import QWidget  # noqa: F401
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    dlg = AlgorithmDialog(reg.createAlgorithmById("firerisk:run"), False, None)
    dlg.resize(900, 560)
    dlg.show()
    app.processEvents()
    assert dlg.grab().save(shot), shot
print("qgis processing: ok")
plugin.unload()
app.exitQgis()
