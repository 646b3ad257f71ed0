"""firerisk's commands as Processing algorithms (see provider.py)."""
import os
import re

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingContext, QgsProcessingOutputFile,
                       QgsProcessingOutputString, QgsProcessingOutputVectorLayer,
                       QgsProcessingParameterFile, QgsProcessingParameterFolderDestination,
                       QgsProcessingException, QgsProcessingParameterNumber, QgsProcessingParameterString,
                       QgsVectorLayer)

from . import cli


def _load(context, uri, name, provider, output, qml=None):
    """Loads a result into the project when the algorithm completes, with
    firerisk's style (a GeoPackage's own layer_styles row, else the .qml)."""
    layer = QgsVectorLayer(uri, name, provider)
    if not layer.isValid():
        return None
    if qml and os.path.exists(qml):
        layer.loadNamedStyle(qml)
    context.temporaryLayerStore().addMapLayer(layer)
    context.addLayerToLoadOnCompletion(layer.id(), QgsProcessingContext.LayerDetails(name, context.project(), output))
    return layer.id()


class _Algorithm(QgsProcessingAlgorithm):
    NAME = DISPLAY = HELP = ""

    def createInstance(self):  # noqa: N802
        return type(self)()

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.DISPLAY

    def group(self):
        return "firerisk"

    def groupId(self):  # noqa: N802
        return "firerisk"

    def shortHelpString(self):  # noqa: N802
        return self.HELP

    def flags(self):
        # a separate process: nothing of QGIS's is touched from the thread
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading


class RunAlgorithm(_Algorithm):
    NAME, DISPLAY = "run", "Rank parcels (firerisk run)"
    HELP = ("Runs the nightly job of a firerisk configuration: reads and joins the layers, scores and ranks every "
            "parcel, writes the outputs into the output directory (swapped in whole: a failed or canceled run "
            "leaves the previous outputs) and loads the ranked parcels and the target list with firerisk's style.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("CONFIG", "Configuration (firerisk.yaml)",
                                                     extension="yaml"))
        self.addParameter(QgsProcessingParameterString("AS_OF", "As of (YYYY-MM-DD; empty: the config's, else today)",
                                                       optional=True))
        self.addParameter(QgsProcessingParameterNumber("THREADS", "Threads (0: all cores)", minValue=0,
                                                       maxValue=1024, defaultValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output directory"))
        # polygons, or points when the config gives the homes as points (address points)
        self.addOutput(QgsProcessingOutputVectorLayer("RANKED", "Ranked parcels", QgsProcessing.TypeVectorAnyGeometry))
        self.addOutput(QgsProcessingOutputVectorLayer("TARGETS", "Target list", QgsProcessing.TypeVectorPoint))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        out = self.parameterAsString(parameters, "OUTPUT", context)
        args = ["run", "--config", self.parameterAsFile(parameters, "CONFIG", context), "--out", out,
                "--log-format", "json"]
        as_of = self.parameterAsString(parameters, "AS_OF", context)
        threads = self.parameterAsInt(parameters, "THREADS", context)
        if as_of:
            args += ["--as-of", as_of]
        if threads:
            args += ["--threads", threads]
        cli.run(args, feedback, json_log=True)
        qml = os.path.join(out, "ranked_parcels.qml")
        gpkg = os.path.join(out, "ranked_parcels.gpkg")
        ranked = (gpkg + "|layername=ranked_parcels") if os.path.exists(gpkg) else \
            os.path.join(out, "ranked_parcels.geojson")
        targets = "file://%s?type=csv&xField=lon&yField=lat&crs=EPSG:4326&detectTypes=yes" % \
            os.path.join(out, "targets.csv")
        return {"OUTPUT": out,
                "RANKED": _load(context, ranked, "firerisk ranked parcels", "ogr", "RANKED", qml),
                "TARGETS": _load(context, targets, "firerisk targets", "delimitedtext", "TARGETS")}


class ValidateAlgorithm(_Algorithm):
    NAME, DISPLAY = "validate", "Check a configuration (firerisk validate)"
    HELP = ("Checks a configuration and its sources as firerisk run would (every source opened, its layer, count, "
            "CRS and fields; records the run would reject and why; how the joins would match) and writes nothing. "
            "Fails with firerisk's message when run would.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("CONFIG", "Configuration (firerisk.yaml)", extension="yaml"))
        self.addParameter(QgsProcessingParameterString("AS_OF", "As of (YYYY-MM-DD)", optional=True))
        self.addOutput(QgsProcessingOutputString("REPORT", "Report"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        args = ["validate", "--config", self.parameterAsFile(parameters, "CONFIG", context)]
        as_of = self.parameterAsString(parameters, "AS_OF", context)
        if as_of:
            args += ["--as-of", as_of]
        report = cli.run(args, feedback)
        for line in report.splitlines():
            feedback.pushInfo(line)
        return {"REPORT": report}


class SynthAlgorithm(_Algorithm):
    NAME, DISPLAY = "synth", "Synthetic city (firerisk synth)"
    HELP = ("Writes a deterministic synthetic city (city.gpkg with parcels, inspections, incidents, stations and "
            "block groups; firerisk.yaml to run it; truth.csv) and loads its parcels.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterNumber("PARCELS", "Parcels", minValue=1, maxValue=50000000,
                                                       defaultValue=20000))
        self.addParameter(QgsProcessingParameterNumber("SEED", "Seed", minValue=0, defaultValue=1))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output directory"))
        self.addOutput(QgsProcessingOutputFile("CONFIG", "Configuration (firerisk.yaml)"))
        self.addOutput(QgsProcessingOutputVectorLayer("PARCELS_LAYER", "Parcels", QgsProcessing.TypeVectorPolygon))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        out = self.parameterAsString(parameters, "OUTPUT", context)
        cli.run(["synth", "--parcels", self.parameterAsInt(parameters, "PARCELS", context),
                 "--seed", self.parameterAsInt(parameters, "SEED", context), "--out", out], feedback)
        city = os.path.join(out, "city.gpkg")
        return {"OUTPUT": out, "CONFIG": os.path.join(out, "firerisk.yaml"),
                "PARCELS_LAYER": _load(context, city + "|layername=parcels", "synthetic parcels", "ogr",
                                       "PARCELS_LAYER")}


class ExplainAlgorithm(_Algorithm):
    NAME, DISPLAY = "explain", "Explain a parcel's rank (firerisk explain)"
    HELP = ("Why a parcel ranks where it does: firerisk explain on the configuration and the parcel ids "
            "(several separated by commas or spaces).")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("CONFIG", "Configuration (firerisk.yaml)", extension="yaml"))
        self.addParameter(QgsProcessingParameterString("PARCEL", "Parcel id(s)"))
        self.addParameter(QgsProcessingParameterString("AS_OF", "As of (YYYY-MM-DD)", optional=True))
        self.addOutput(QgsProcessingOutputString("REPORT", "Explanation"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        # explain takes the parcel ids as its last arguments (firerisk explain --help)
        ids = [i for i in re.split(r"[,\s]+", self.parameterAsString(parameters, "PARCEL", context)) if i]
        if not ids:
            raise QgsProcessingException("firerisk explain needs a parcel id")
        args = ["explain", "--config", self.parameterAsFile(parameters, "CONFIG", context)]
        as_of = self.parameterAsString(parameters, "AS_OF", context)
        if as_of:
            args += ["--as-of", as_of]
        report = cli.run(args + ["--"] + ids, feedback)
        for line in report.splitlines():
            feedback.pushInfo(line)
        return {"REPORT": report}
