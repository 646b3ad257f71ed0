/*
 * gdal_versions.h — the versions of the geospatial libraries firerisk runs
 * on (the ones loaded at run time, not the headers it was built with):
 * printed by `firerisk --version` and recorded in run_manifest.json, since
 * a result can change with GDAL's, GEOS's or PROJ's version.
 */
#ifndef GEO_GDAL_VERSIONS_H
#define GEO_GDAL_VERSIONS_H

typedef struct {
    char gdal[32];
    char geos[32];
    char proj[32];
} geo_versions;

void geo_versions_get(geo_versions *v);

#endif
