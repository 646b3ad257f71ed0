/*
 * gdal_config.h — GDAL configuration options set for the duration of one
 * write on the calling thread, and restored afterwards.
 *
 * The GeoPackage writers pin OGR_CURRENT_DATE (reproducible bytes) and turn
 * SQLite's fsyncs off for their own thread only
 * (CPLSetThreadLocalConfigOption), so that a writer on another thread, or
 * the caller's own settings, are not affected.
 */
#ifndef GEO_GDAL_CONFIG_H
#define GEO_GDAL_CONFIG_H

#include <stddef.h>

#define GEO_GDAL_CONFIG_MAX 4

typedef struct {
    size_t n;
    const char *key[GEO_GDAL_CONFIG_MAX];
    char *old[GEO_GDAL_CONFIG_MAX]; /* the thread's previous values (NULL: unset) */
} geo_gdal_config;

/* Sets keys[k] = values[k] (k < n <= GEO_GDAL_CONFIG_MAX) on the calling
 * thread, remembering the previous values in c.  keys must outlive c. */
void geo_gdal_config_set(geo_gdal_config *c, const char *const *keys, const char *const *values, size_t n);

/* Restores what geo_gdal_config_set replaced; on the same thread. */
void geo_gdal_config_restore(geo_gdal_config *c);

#endif
