/*
 * write_shapefile.c — the ranked parcels as an ESRI Shapefile in the working
 * CRS (.shp .shx .dbf .prj .cpg), for analysts whose tools still want one.
 *
 * What the format forces and how this file handles it:
 *  - .dbf field names of at most 10 characters: the table's short_name is
 *    used and checked (FR_E_INTERNAL if too long or duplicated) instead of
 *    letting the driver truncate and rename silently;
 *  - text is UTF-8, declared in the .cpg (ENCODING=UTF-8); text fields are
 *    as wide as the longest value written (1..254 bytes), so the .dbf is not
 *    padded to the driver's default of 80; longer values are cut at 254
 *    bytes by the driver (the format's limit);
 *  - the .dbf header holds a "last update" date: DBF_DATE_LAST_UPDATE pins it
 *    to t->dbf_date so that two runs give byte-identical files;
 *  - 2 GB per file: sizes are computed exactly before anything is written
 *    (geo_write_shapefile_estimate) and the writer refuses with a message
 *    pointing to GeoJSON/GeoPackage rather than leave a file that ArcGIS
 *    and older QGIS cannot read;
 *  - no spatial index sidecars (SPATIAL_INDEX=NO): QGIS builds its own and
 *    .qix bytes are not needed for identical reruns.
 * The layer is declared wkbMultiPolygon; the driver writes polygon shapes
 * (type 5) for both Polygon and MultiPolygon features and orders each ring
 * the ESRI way (exterior clockwise).
 */
#include "write.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write_common.h"

#define DBF_MAX_WIDTH 254
#define DBF_REAL_WIDTH 24     /* the driver's default N(24,15) */
#define DBF_REAL_PRECISION 15
#define DBF_INT_WIDTH 18      /* N(18,0): read back as Integer64, holds every
                                 integer a double represents exactly */
#define DBF_DATE_WIDTH 8

/* .dbf width and precision of each field (widths/precs have nfields slots). */
static fr_status dbf_layout(const geo_out_table *t, int *widths, int *precs, fr_error *err)
{
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        int w = 0, p = 0;
        switch (f->type) {
        case GEO_COL_STRING: {
            size_t longest = 1;
            for (size_t k = 0; k < t->nrows; k++) {
                const char *s = f->str[t->order[k]];
                if (s) {
                    size_t n = strlen(s);
                    if (n > longest)
                        longest = n;
                }
                if (longest >= DBF_MAX_WIDTH)
                    break;
            }
            w = longest > DBF_MAX_WIDTH ? DBF_MAX_WIDTH : (int)longest;
            break;
        }
        case GEO_COL_DATE: w = DBF_DATE_WIDTH; break;
        case GEO_COL_NUMBER:
            if (f->is_integer) {
                w = f->width > 0 ? f->width : DBF_INT_WIDTH;
            } else {
                w = f->width > 0 ? f->width : DBF_REAL_WIDTH;
                p = f->width > 0 || f->precision > 0 ? f->precision : DBF_REAL_PRECISION;
            }
            if (w > DBF_MAX_WIDTH || p < 0 || (p > 0 && p > w - 2))
                return fr_error_set(err, FR_E_INTERNAL,
                                    "output field '%s': .dbf width %d / precision %d is not "
                                    "possible (width <= %d, precision <= width - 2)",
                                    f->name, w, p, DBF_MAX_WIDTH);
            break;
        }
        widths[j] = w;
        precs[j] = p;
    }
    return FR_OK;
}

/* Size of the .shp record content of parcel i (without the 8-byte header). */
static uint64_t shp_content_bytes(const geo_layer *l, size_t i)
{
    if (!geo_layer_has_geometry(l, i))
        return 4; /* null shape */
    if (l->kind == GEO_GEOM_POINT)
        return 4 + 16;
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    uint64_t npts = l->pt_start[r1] - l->pt_start[r0];
    /* type, bbox, numParts, numPoints, part index per ring, XY per point */
    return 4 + 32 + 4 + 4 + 4 * (uint64_t)(r1 - r0) + 16 * npts;
}

static fr_status estimate(const geo_out_table *t, const int *widths, uint64_t *shp_bytes,
                          uint64_t *dbf_bytes)
{
    uint64_t shp = 100;
    for (size_t k = 0; k < t->nrows; k++)
        shp += 8 + shp_content_bytes(t->parcels, t->order[k]);
    uint64_t record = 1; /* deletion flag */
    for (size_t j = 0; j < t->nfields; j++)
        record += (uint64_t)widths[j];
    /* header, field descriptors, terminator, records, end-of-file mark */
    uint64_t dbf = 32 + 32 * (uint64_t)t->nfields + 1 + record * t->nrows + 1;
    if (shp_bytes)
        *shp_bytes = t->parcels->kind == GEO_GEOM_NONE ? 0 : shp;
    if (dbf_bytes)
        *dbf_bytes = dbf;
    return FR_OK;
}

fr_status geo_write_shapefile_estimate(const geo_out_table *t, uint64_t *shp_bytes,
                                       uint64_t *dbf_bytes, fr_error *err)
{
    fr_status st = geo_write_common_check_table(t, GEO_WRITE_NAME_SHORT, err);
    if (st != FR_OK)
        return st;
    int *widths = calloc(t->nfields + 1, sizeof *widths);
    int *precs = calloc(t->nfields + 1, sizeof *precs);
    if (!widths || !precs) {
        free(widths);
        free(precs);
        return fr_error_set(err, FR_E_MEMORY, "out of memory laying out the .dbf");
    }
    st = dbf_layout(t, widths, precs, err);
    if (st == FR_OK)
        st = estimate(t, widths, shp_bytes, dbf_bytes);
    free(widths);
    free(precs);
    return st;
}

/* "YYYY-MM-DD" with digits where digits belong. */
static int valid_dbf_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int ends_with_shp(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && (strcmp(path + n - 4, ".shp") == 0 || strcmp(path + n - 4, ".SHP") == 0);
}

fr_status geo_write_shapefile(const geo_out_table *t, const char *path, fr_error *err)
{
    if (!path || !ends_with_shp(path))
        return fr_error_set(err, FR_E_INTERNAL, "%s: a Shapefile path must end in .shp",
                            path ? path : "(null)");
    if (!t || !valid_dbf_date(t->dbf_date))
        return fr_error_set(err, FR_E_INTERNAL,
                            "%s: dbf_date '%s' is not YYYY-MM-DD (it pins the .dbf header so "
                            "that reruns are byte-identical)",
                            path, t && t->dbf_date ? t->dbf_date : "(null)");
    fr_status st = geo_write_common_check_table(t, GEO_WRITE_NAME_SHORT, err);
    if (st != FR_OK)
        return st;

    int *widths = calloc(t->nfields + 1, sizeof *widths);
    int *precs = calloc(t->nfields + 1, sizeof *precs);
    if (!widths || !precs) {
        free(widths);
        free(precs);
        return fr_error_set(err, FR_E_MEMORY, "out of memory laying out the .dbf");
    }
    uint64_t shp = 0, dbf = 0;
    st = dbf_layout(t, widths, precs, err);
    if (st == FR_OK)
        st = estimate(t, widths, &shp, &dbf);
    if (st == FR_OK && (shp > GEO_WRITE_SHAPEFILE_MAX_BYTES || dbf > GEO_WRITE_SHAPEFILE_MAX_BYTES))
        st = fr_error_set(err, FR_E_OUTPUT,
                          "%s: %zu rows would make the %s %.2f GB, over the Shapefile format's "
                          "2 GB limit; write GeoJSON or GeoPackage instead (or fewer fields/rows)",
                          path, t->nrows, shp > dbf ? ".shp" : ".dbf",
                          (double)(shp > dbf ? shp : dbf) / (1024.0 * 1024.0 * 1024.0));
    if (st == FR_OK) {
        char date_opt[64];
        snprintf(date_opt, sizeof date_opt, "DBF_DATE_LAST_UPDATE=%s", t->dbf_date);
        const char *opts[] = {"ENCODING=UTF-8", date_opt, "SPATIAL_INDEX=NO", "RESIZE=NO", NULL};
        geo_write_ogr_spec spec = {
            .driver = "ESRI Shapefile",
            .layer_opts = opts,
            .polygon_type = wkbMultiPolygon,
            .names = GEO_WRITE_NAME_SHORT,
            .widths = widths,
            .precisions = precs,
        };
        st = geo_write_common_ogr(t, path, &spec, err);
    }
    free(widths);
    free(precs);
    return st;
}
