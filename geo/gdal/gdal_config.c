/*
 * gdal_config.c — thread-local GDAL configuration options, set and restored
 * (see gdal_config.h).
 */
#include "gdal_config.h"

#include <cpl_conv.h>

void geo_gdal_config_set(geo_gdal_config *c, const char *const *keys, const char *const *values, size_t n)
{
    c->n = n < GEO_GDAL_CONFIG_MAX ? n : GEO_GDAL_CONFIG_MAX;
    for (size_t k = 0; k < c->n; k++) {
        const char *prev = CPLGetThreadLocalConfigOption(keys[k], NULL);
        c->key[k] = keys[k];
        c->old[k] = prev ? CPLStrdup(prev) : NULL;
        CPLSetThreadLocalConfigOption(keys[k], values[k]);
    }
}

void geo_gdal_config_restore(geo_gdal_config *c)
{
    for (size_t k = 0; k < c->n; k++) {
        CPLSetThreadLocalConfigOption(c->key[k], c->old[k]);
        CPLFree(c->old[k]);
        c->old[k] = NULL;
    }
    c->n = 0;
}
