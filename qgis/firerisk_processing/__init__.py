"""firerisk Processing: firerisk's commands in QGIS's Processing Toolbox.

Install by copying this folder into the QGIS profile's python/plugins/
folder (README.md, "QGIS Processing"). The algorithms run the firerisk
command line: the one named by the FIRERISK environment variable, else
`firerisk` on the PATH (/usr/bin/firerisk from the Debian package).
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import FireriskPlugin
    return FireriskPlugin(iface)
