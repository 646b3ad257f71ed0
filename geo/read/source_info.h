/*
 * source_info.h — what a source is, as GDAL sees it, without reading its
 * records: the driver, the layer, its declared geometry type, feature
 * count and CRS.  For `firerisk validate`, which lists every source of a
 * config before (and beside) what the run's reader makes of it.
 */
#ifndef GEO_SOURCE_INFO_H
#define GEO_SOURCE_INFO_H

#include "status.h"

typedef struct {
    char driver[32];      /* GDAL's short name: GPKG, ESRI Shapefile, PostgreSQL, CSV... */
    char layer[128];      /* the layer's name (the first when none was given) */
    char geometry[48];    /* declared geometry type, e.g. "Multi Polygon", "None" */
    long long features;   /* feature count the driver reports (-1 unknown) */
    char crs[160];        /* "EPSG:32616 (WGS 84 / UTM zone 16N)", or "none" */
} geo_source_info;

/* Opens source (read-only, with the NULL-terminated open options) and
 * describes layer (NULL = the first).  FR_E_INPUT naming the source (label,
 * passwords masked) and the layer when either cannot be opened. */
fr_status geo_source_describe(const char *source, const char *label, const char *layer,
                              const char *const *open_options, geo_source_info *out, fr_error *err);

#endif
