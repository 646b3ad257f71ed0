/*
 * fid_ranges.c — a GeoPackage or Shapefile layer's FID span cut into ranges
 * (see fid_ranges.h).
 */
#include "fid_ranges.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ogr_api.h>

/* name as an SQL identifier ("..." with inner quotes doubled) or, with
 * quote '\'', as an SQL string; 0 when it does not fit. */
static int sql_quoted(const char *name, char quote, char *out, size_t size)
{
    size_t n = 0;
    if (size < 3)
        return 0;
    out[n++] = quote;
    for (const char *s = name; *s; s++) {
        if (n + 3 >= size)
            return 0;
        if (*s == quote)
            out[n++] = quote;
        out[n++] = *s;
    }
    out[n++] = quote;
    out[n] = '\0';
    return 1;
}

/* The FID span of a GeoPackage table: [*lo, *hi], or *hi < *lo when it is
 * none (a view, an empty table). */
static void gpkg_span(GDALDatasetH ds, OGRLayerH lyr, int64_t *lo, int64_t *hi)
{
    *lo = 0;
    *hi = -1;
    const char *fid_col = OGR_L_GetFIDColumn(lyr);
    if (!fid_col || !*fid_col)
        return;
    char table[600], table_str[600], col[300], sql[4096]; /* the five names at their longest fit */
    if (!sql_quoted(OGR_L_GetName(lyr), '"', table, sizeof table) ||
        !sql_quoted(OGR_L_GetName(lyr), '\'', table_str, sizeof table_str) || !sql_quoted(fid_col, '"', col, sizeof col))
        return;
    /* NULLs for a view: only a table's rows come in key order.  Each
     * bound in a subquery of its own, which SQLite answers from the ends of
     * the table's b-tree; MIN and MAX of one SELECT under a WHERE scanned
     * every row (0.1-0.3 s for a million parcels, on one thread). */
    int len = snprintf(sql, sizeof sql,
                       "SELECT (SELECT MIN(%s) FROM %s), (SELECT MAX(%s) FROM %s) WHERE (SELECT type FROM "
                       "sqlite_master WHERE name = %s) = 'table'",
                       col, table, col, table, table_str);
    if (len < 0 || (size_t)len >= sizeof sql)
        return;
    OGRLayerH rs = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (!rs)
        return;
    OGRFeatureH f = OGR_L_GetNextFeature(rs);
    if (f && OGR_F_IsFieldSetAndNotNull(f, 0) && OGR_F_IsFieldSetAndNotNull(f, 1)) {
        *lo = OGR_F_GetFieldAsInteger64(f, 0);
        *hi = OGR_F_GetFieldAsInteger64(f, 1);
    }
    if (f)
        OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, rs);
}

/* A Shapefile GDAL reads from plain files: a .shp, or a directory of them.
 * Not a zipped one (.shp.zip, .shz): a thread starting at a record in the
 * middle would inflate the archive from its start, every range again. */
static int plain_shapefile(GDALDatasetH ds)
{
    const char *d = GDALGetDescription(ds);
    size_t n = d ? strlen(d) : 0;
    struct stat sb;
    return (n >= 4 && !strcasecmp(d + n - 4, ".shp")) || (n > 0 && stat(d, &sb) == 0 && S_ISDIR(sb.st_mode));
}

size_t geo_fid_ranges(GDALDatasetH ds, OGRLayerH lyr, int nthreads, size_t min_features, geo_fid_range **out,
                      geo_fid_select *how)
{
    *out = NULL;
    *how = GEO_FID_BY_FILTER;
    GDALDriverH drv = GDALGetDatasetDriver(ds);
    const char *name = drv ? GDALGetDriverShortName(drv) : "";
    int64_t lo = 0, hi = -1;
    if (nthreads < 2)
        return 0;
    if (!strcmp(name, "GPKG")) {
        gpkg_span(ds, lyr, &lo, &hi);
    } else if (!strcmp(name, "ESRI Shapefile") && plain_shapefile(ds)) { /* record numbers, from the header's count */
        GIntBig n = OGR_L_GetFeatureCount(lyr, FALSE);
        hi = n > 0 ? (int64_t)n - 1 : -1;
        *how = GEO_FID_BY_INDEX;
    } else {
        return 0;
    }
    if (hi < lo || (uint64_t)(hi - lo) + 1 < (uint64_t)(min_features ? min_features : 1))
        return 0;
    /* several ranges a thread, so that a thread done early takes the next
     * one while the ranges are joined in order */
    uint64_t span = (uint64_t)(hi - lo) + 1, n = (uint64_t)nthreads * 8;
    if (n > span)
        n = span;
    geo_fid_range *r = malloc(n * sizeof *r);
    if (!r)
        return 0;
    uint64_t width = span / n, rem = span % n, at = 0; /* the first rem ranges one FID wider */
    for (uint64_t k = 0; k < n; k++) {
        uint64_t w = width + (k < rem);
        r[k].lo = lo + (int64_t)at;
        r[k].hi = lo + (int64_t)(at + w - 1);
        at += w;
    }
    if (*how == GEO_FID_BY_INDEX)
        r[n - 1].hi = INT64_MAX; /* to the end, whatever the header counted */
    *out = r;
    return (size_t)n;
}
