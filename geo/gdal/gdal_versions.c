/*
 * gdal_versions.c — the run-time versions of GDAL, GEOS and PROJ (see
 * gdal_versions.h).
 */
#include "gdal_versions.h"

#include <stdio.h>

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>

void geo_versions_get(geo_versions *v)
{
    snprintf(v->gdal, sizeof v->gdal, "%s", GDALVersionInfo("RELEASE_NAME"));
    /* "3.11.1-CAPI-1.17.1": the library's version is before "-CAPI" */
    const char *g = GEOSversion();
    int n = 0;
    while (g[n] && g[n] != '-')
        n++;
    snprintf(v->geos, sizeof v->geos, "%.*s", n, g);
    PJ_INFO pi = proj_info();
    snprintf(v->proj, sizeof v->proj, "%s", pi.version ? pi.version : "?");
}
