"""The Processing provider "firerisk": run, validate, synth, and explain
when the installed firerisk has that command."""
from qgis.core import QgsProcessingProvider

from . import cli
from .algorithms import ExplainAlgorithm, RunAlgorithm, SynthAlgorithm, ValidateAlgorithm


class FireriskProvider(QgsProcessingProvider):
    def id(self):
        return "firerisk"

    def name(self):
        return "firerisk"

    def longName(self):  # noqa: N802
        return "firerisk: fire risk ranking of parcels"

    def loadAlgorithms(self):  # noqa: N802
        for alg in (RunAlgorithm(), ValidateAlgorithm(), SynthAlgorithm()):
            self.addAlgorithm(alg)
        if cli.has_command("explain"):
            self.addAlgorithm(ExplainAlgorithm())
