"""The plugin: registers the Processing provider (initProcessing is what
QGIS calls for plugins with hasProcessingProvider=yes, also headless)."""
from qgis.core import QgsApplication

from .provider import FireriskProvider


class FireriskPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802
        self.provider = FireriskProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
