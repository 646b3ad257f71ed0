/*
 * write_shapefile.c — the ranked parcels as an ESRI Shapefile in the working
 * CRS (.shp .shx .dbf .prj .cpg), for analysts whose tools still want one.
 *
 * Two writers produce the same bytes:
 *
 *  - geo_write_shapefile streams the five files itself.  GDAL's driver
 *    (shapelib underneath) seeks and writes each record of the .shp, .shx
 *    and .dbf separately and goes through OGRFeature per row: about 13 us a
 *    parcel here, 13 s for a city of 1M.  The formats are simple and fully
 *    known in advance (record count, field layout, file sizes), so every
 *    header is written first and the records stream through 1 MB buffers.
 *  - geo_write_shapefile_gdal goes through the "ESRI Shapefile" driver with
 *    ENCODING=UTF-8, DBF_DATE_LAST_UPDATE and SPATIAL_INDEX=NO.  The tests
 *    check that both writers give byte-identical files, which ties the
 *    streaming writer to the driver's conventions (ring order, null values,
 *    number formatting, .prj text).
 *
 * What the format forces and how both handle it:
 *  - .dbf field names of at most 10 characters: the table's short_name is
 *    used and checked (FR_E_INTERNAL if too long or duplicated ignoring
 *    case) instead of letting the driver truncate and rename silently;
 *  - text is UTF-8, declared in the .cpg; text fields are as wide as the
 *    longest value written (1..254 bytes) rather than the driver's 80, and a
 *    longer value is cut at 254 bytes (the format's limit) on a character
 *    boundary;
 *  - numbers are fixed-width text: integers N(18,0) (read back as
 *    Integer64), reals N(24,15) unless the field gives width/precision.  The
 *    layout is checked against the data before any file is created: a value
 *    that does not fit a given width is FR_E_OUTPUT naming the field; for a
 *    default real field the decimals shrink so that the largest value fits
 *    (shapelib would otherwise write a truncated, wrong number);
 *  - nulls: numbers '*' fill, text spaces, dates "00000000" (the driver's);
 *  - the .dbf header holds a "last update" date: t->dbf_date is written
 *    there so that two runs give byte-identical files;
 *  - exterior rings clockwise, holes counter-clockwise (the ESRI rule);
 *  - 2 GB per file: sizes are computed exactly before anything is written
 *    (geo_write_shapefile_estimate) and the writer refuses with a message
 *    pointing to GeoJSON/GeoPackage rather than leave a file that ArcGIS
 *    and older QGIS cannot read;
 *  - no spatial index sidecars; stale .qix/.sbn/.sbx of an earlier file at
 *    the same path are removed, since they would index the old shapes.
 * The GDAL writer declares the layer wkbMultiPolygon; either way the file
 * holds polygon shapes (type 5) for Polygon and MultiPolygon features.
 */
/* cpl_vsi.h's VSIStatBufL is a struct stat64 on glibc. */
#ifndef _LARGEFILE64_SOURCE
#define _LARGEFILE64_SOURCE 1
#endif

#include "write.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_vsi.h>

#include "gdal_gate.h"
#include "ogr_write.h"
#include "out_buf.h"
#include "out_fmt.h"
#include "out_table.h"

#define DBF_MAX_WIDTH 254
#define DBF_REAL_WIDTH 24     /* the driver's default N(24,15) */
#define DBF_REAL_PRECISION 15
#define DBF_INT_WIDTH 18      /* N(18,0): read back as Integer64 */
#define DBF_DATE_WIDTH 8

#define SHPT_NULL 0
#define SHPT_POINT 1
#define SHPT_POLYGON 5

/* ---- .dbf layout ------------------------------------------------------ */

/* What the files' headers need before any row is written: the .dbf's
 * field widths and precisions, and the .shp's length and envelope (one
 * pass over the rows' shapes, made once: shapes_sum). */
typedef struct {
    int *width, *prec;
    uint64_t shp_bytes; /* the whole .shp, header included (0 without geometry) */
    double bbox[4];     /* envelope of every shape written; zeros when none has one */
} dbf_layout;

/* Leaves lay freeable again (a failed layout_make frees it, and the caller's
 * free follows). */
static void layout_free(dbf_layout *lay)
{
    free(lay->width);
    free(lay->prec);
    lay->width = lay->prec = NULL;
}

/* Digits needed for the integer part of |v| <= maxabs (printf rounding
 * included, so ceil). */
static int int_digits(double maxabs)
{
    char buf[GEO_OUT_FMT_BUF];
    int n = snprintf(buf, sizeof buf, "%.0f", ceil(maxabs));
    return n > 0 ? n : 1;
}

/* Value index of the k-th value to scan.  When every parcel is written the
 * scan runs in array order (sequential memory) instead of output order. */
static size_t scan_index(const geo_out_table *t, int all, size_t k)
{
    return all ? k : geo_out_table_value_index(t, k);
}

static fr_status layout_field(const geo_out_table *t, size_t j, int *w_out, int *p_out,
                              fr_error *err)
{
    const geo_out_field *f = &t->fields[j];
    int all = t->nrows >= t->parcels->count;
    size_t n = all ? t->parcels->count : t->nrows;
    if (f->type == GEO_COL_STRING) {
        size_t longest = 1;
        for (size_t k = 0; k < n && longest < DBF_MAX_WIDTH; k++) {
            const char *s = f->str[scan_index(t, all, k)];
            size_t len = s ? strlen(s) : 0;
            longest = len > longest ? len : longest;
        }
        *w_out = longest > DBF_MAX_WIDTH ? DBF_MAX_WIDTH : (int)longest;
        *p_out = 0;
        return FR_OK;
    }
    if (f->type == GEO_COL_DATE) {
        *w_out = DBF_DATE_WIDTH;
        *p_out = 0;
        return FR_OK;
    }
    double maxabs = 0;
    int neg = 0;
    for (size_t k = 0; k < n; k++) {
        double v = f->num[scan_index(t, all, k)];
        if (!geo_out_table_num_present(v))
            continue;
        if (f->is_integer)
            v = nearbyint(v);
        if (v < 0 || (v == 0 && signbit(v) && !f->is_integer))
            neg = 1;
        maxabs = fabs(v) > maxabs ? fabs(v) : maxabs;
    }
    int digits = int_digits(maxabs);
    int w, p = 0;
    if (f->is_integer) {
        w = f->width > 0 ? f->width : DBF_INT_WIDTH;
        if (f->width <= 0 && neg + digits > w)
            w = neg + digits;
    } else if (f->width > 0) {
        w = f->width;
        p = f->precision;
    } else {
        w = DBF_REAL_WIDTH;
        p = f->precision > 0 ? f->precision : DBF_REAL_PRECISION;
        /* fewer decimals rather than a number the field cannot hold */
        while (p > 0 && neg + digits + 1 + p > w)
            p--;
        if (p == 0 && neg + digits > w)
            w = neg + digits;
    }
    if (w > DBF_MAX_WIDTH || p < 0 || (p > 0 && p > w - 2))
        return fr_error_set(err, FR_E_INTERNAL,
                            "output field '%s': .dbf width %d / precision %d is not possible "
                            "(width <= %d, precision <= width - 2)",
                            f->name, w, p, DBF_MAX_WIDTH);
    int need = neg + digits + (p > 0 ? 1 + p : 0);
    if (need > w)
        return fr_error_set(err, FR_E_OUTPUT,
                            "output field '%s' (.dbf '%s'): a value of magnitude %.17g needs %d "
                            "characters but the field is N(%d,%d); widen it or write GeoJSON",
                            f->name, f->short_name, maxabs, need, w, p);
    *w_out = w;
    *p_out = p;
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

/* The .shp's length and the envelope of its shapes (zeros when none has
 * one): a sum and a min/max, which do not depend on the order of the rows.
 * So when the rows are every parcel once (the ranked layers) the parcels
 * are read in their own order, sequentially, rather than in rank order,
 * at random: at 5M parcels the layer's offsets and envelopes are far larger
 * than the cache, and this pass, made three times that way, took 0.5 CPU-s
 * (docs/PROFILE.md, stop 35). */
static void shapes_sum(const geo_out_table *t, dbf_layout *lay)
{
    const geo_layer *l = t->parcels;
    lay->bbox[0] = lay->bbox[1] = lay->bbox[2] = lay->bbox[3] = 0;
    lay->shp_bytes = 0;
    if (l->kind == GEO_GEOM_NONE)
        return;
    int all = geo_out_table_every_parcel_once(t) == 1; /* else (or out of memory) in row order */
    size_t n = all ? l->count : t->nrows;
    uint64_t shp = 100;
    int any = 0;
    double *b = lay->bbox;
    for (size_t k = 0; k < n; k++) {
        size_t i = all ? k : t->order[k];
        shp += 8 + shp_content_bytes(l, i);
        if (!geo_layer_has_geometry(l, i))
            continue;
        double e[4];
        geo_layer_envelope(l, i, e);
        if (!any) {
            memcpy(b, e, 4 * sizeof *b);
            any = 1;
            continue;
        }
        b[0] = e[0] < b[0] ? e[0] : b[0];
        b[1] = e[1] < b[1] ? e[1] : b[1];
        b[2] = e[2] > b[2] ? e[2] : b[2];
        b[3] = e[3] > b[3] ? e[3] : b[3];
    }
    lay->shp_bytes = shp;
}

/* Width and precision of every .dbf field, checked against the data; with
 * parallel, the fields scanned on the calling thread's team at once (each
 * scan reads a whole column of every row), the first failing field in
 * field order reported either way. */
static fr_status layout_make(const geo_out_table *t, dbf_layout *lay, int parallel, fr_error *err)
{
    lay->width = calloc(t->nfields + 1, sizeof *lay->width);
    lay->prec = calloc(t->nfields + 1, sizeof *lay->prec);
    fr_status *sts = calloc(t->nfields + 1, sizeof *sts);
    fr_error *errs = parallel ? calloc(t->nfields + 1, sizeof *errs) : NULL;
    if (!lay->width || !lay->prec || !sts || (parallel && !errs)) {
        free(sts);
        free(errs);
        layout_free(lay);
        return fr_error_oom_while(err, "laying out the .dbf");
    }
    fr_status st = FR_OK;
    if (parallel) {
#pragma omp parallel for schedule(dynamic, 1)
        for (size_t j = 0; j < t->nfields; j++)
            sts[j] = layout_field(t, j, &lay->width[j], &lay->prec[j], &errs[j]);
        for (size_t j = 0; j < t->nfields && st == FR_OK; j++)
            if ((st = sts[j]) != FR_OK)
                *err = errs[j];
    } else {
        for (size_t j = 0; j < t->nfields && st == FR_OK; j++)
            st = layout_field(t, j, &lay->width[j], &lay->prec[j], err);
    }
    free(sts);
    free(errs);
    if (st != FR_OK)
        layout_free(lay);
    else
        shapes_sum(t, lay);
    return st;
}

/* The .dbf's header, field descriptors and terminator. */
static uint64_t dbf_header_bytes(const geo_out_table *t)
{
    return 32 + 32 * (uint64_t)t->nfields + 1;
}

static uint64_t dbf_record_bytes(const geo_out_table *t, const dbf_layout *lay)
{
    uint64_t record = 1; /* deletion flag */
    for (size_t j = 0; j < t->nfields; j++)
        record += (uint64_t)lay->width[j];
    return record;
}

/* ---- sizes ------------------------------------------------------------- */

static void estimate(const geo_out_table *t, const dbf_layout *lay, uint64_t *shp_bytes,
                     uint64_t *dbf_bytes)
{
    /* header, field descriptors, terminator, records, end-of-file mark */
    uint64_t dbf = dbf_header_bytes(t) + dbf_record_bytes(t, lay) * t->nrows + 1;
    if (shp_bytes)
        *shp_bytes = lay->shp_bytes;
    if (dbf_bytes)
        *dbf_bytes = dbf;
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
    size_t n = path ? strlen(path) : 0;
    return n > 4 && (strcmp(path + n - 4, ".shp") == 0 || strcmp(path + n - 4, ".SHP") == 0);
}

/* Checks shared by all writers, then the layout (on the calling thread's
 * team with parallel). */
static fr_status prepare_layout(const geo_out_table *t, const char *path, dbf_layout *lay, int parallel,
                                fr_error *err)
{
    if (!ends_with_shp(path))
        return fr_error_set(err, FR_E_INTERNAL, "%s: a Shapefile path must end in .shp",
                            path ? path : "(null)");
    if (!t || !valid_dbf_date(t->dbf_date))
        return fr_error_set(err, FR_E_INTERNAL,
                            "%s: dbf_date '%s' is not YYYY-MM-DD (it pins the .dbf header so "
                            "that reruns are byte-identical)",
                            path, t && t->dbf_date ? t->dbf_date : "(null)");
    fr_status st = geo_out_table_check(t, GEO_OUT_NAME_SHORT, err);
    if (st != FR_OK)
        return st;
    return layout_make(t, lay, parallel, err);
}

/* The 2 GB limit, before anything is written. */
static fr_status refuse_over_2gb(const geo_out_table *t, const char *path, const dbf_layout *lay, fr_error *err)
{
    uint64_t shp, dbf;
    estimate(t, lay, &shp, &dbf);
    if (shp > GEO_WRITE_SHAPEFILE_MAX_BYTES || dbf > GEO_WRITE_SHAPEFILE_MAX_BYTES)
        return fr_error_set(err, FR_E_OUTPUT,
                            "%s: %zu rows would make the %s %.2f GB, over the Shapefile "
                            "format's 2 GB limit; write GeoJSON or GeoPackage instead (or fewer "
                            "fields/rows)",
                            path, t->nrows, shp > dbf ? ".shp" : ".dbf",
                            (double)(shp > dbf ? shp : dbf) / (1024.0 * 1024.0 * 1024.0));
    return FR_OK;
}

static fr_status prepare(const geo_out_table *t, const char *path, dbf_layout *lay, fr_error *err)
{
    fr_status st = prepare_layout(t, path, lay, 0, err);
    if (st == FR_OK && (st = refuse_over_2gb(t, path, lay, err)) != FR_OK)
        layout_free(lay);
    return st;
}

fr_status geo_write_shapefile_estimate(const geo_out_table *t, uint64_t *shp_bytes,
                                       uint64_t *dbf_bytes, fr_error *err)
{
    fr_status st = geo_out_table_check(t, GEO_OUT_NAME_SHORT, err);
    if (st != FR_OK)
        return st;
    dbf_layout lay = {0};
    st = layout_make(t, &lay, 0, err);
    if (st != FR_OK)
        return st;
    estimate(t, &lay, shp_bytes, dbf_bytes);
    layout_free(&lay);
    return FR_OK;
}

/* ---- the GDAL-driver writer (reference) --------------------------------- */

fr_status geo_write_shapefile_gdal(const geo_out_table *t, const char *path, fr_error *err)
{
    dbf_layout lay = {0};
    fr_status st = prepare(t, path, &lay, err);
    if (st != FR_OK)
        return st;
    char date_opt[64];
    snprintf(date_opt, sizeof date_opt, "DBF_DATE_LAST_UPDATE=%s", t->dbf_date);
    const char *opts[] = {"ENCODING=UTF-8", date_opt, "SPATIAL_INDEX=NO", "RESIZE=NO", NULL};
    geo_ogr_write_spec spec = {
        .driver = "ESRI Shapefile",
        .layer_opts = opts,
        .polygon_type = wkbMultiPolygon,
        .names = GEO_OUT_NAME_SHORT,
        .widths = lay.width,
        .precisions = lay.prec,
    };
    st = geo_ogr_write(t, path, &spec, err);
    layout_free(&lay);
    return st;
}

/* ---- the streaming writer ------------------------------------------------ */

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void put_le64d(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

typedef struct {
    const geo_out_table *t;
    const char *path;
    char *base; /* path without ".shp" */
    int upper;  /* sidecar extensions in upper case (path ends in .SHP) */
    dbf_layout lay;
    geo_out_buf shp, shx, dbf;
    char *side_path; /* scratch for sidecar names */
} shp_writer;

static const char *sidecar(shp_writer *w, const char *ext)
{
    size_t n = strlen(w->base);
    memcpy(w->side_path, w->base, n);
    w->side_path[n] = '.';
    for (size_t k = 0; ext[k]; k++)
        w->side_path[n + 1 + k] = w->upper ? (char)toupper((unsigned char)ext[k]) : ext[k];
    w->side_path[n + 1 + strlen(ext)] = '\0';
    return w->side_path;
}

/* Writes a small whole file (the .prj and .cpg). */
static fr_status write_small(const char *path, const char *text, fr_error *err)
{
    geo_out_buf o;
    fr_status st = geo_out_buf_open(&o, path, err);
    if (st != FR_OK)
        return st;
    geo_out_buf_puts(&o, text);
    return geo_out_buf_close(&o, path, FR_OK, err);
}

/* The .prj: the CRS as ESRI WKT1, as the driver writes it. */
static fr_status write_prj(shp_writer *w, fr_error *err)
{
    OGRSpatialReferenceH srs = NULL;
    fr_status st = geo_ogr_write_srs(w->t->parcels, w->path, &srs, err);
    if (st != FR_OK)
        return st;
    char *wkt = NULL;
    const char *const esri[] = {"FORMAT=WKT1_ESRI", NULL};
    if (OSRExportToWktEx(srs, &wkt, esri) != OGRERR_NONE) {
        CPLFree(wkt);
        wkt = NULL;
        if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE) {
            CPLFree(wkt);
            OSRRelease(srs);
            return fr_error_set(err, FR_E_OUTPUT, "%s: the working CRS cannot be written as WKT",
                                w->path);
        }
    }
    OSRRelease(srs);
    st = write_small(sidecar(w, "prj"), wkt, err);
    CPLFree(wkt);
    return st;
}

/* The 100-byte header shared by .shp and .shx. */
static void put_main_header(geo_out_buf *o, uint64_t file_bytes, int shape_type,
                            const double bbox[4])
{
    unsigned char h[100] = {0};
    put_be32(h, 9994);
    put_be32(h + 24, (uint32_t)(file_bytes / 2));
    put_le32(h + 28, 1000);
    put_le32(h + 32, (uint32_t)shape_type);
    for (int k = 0; k < 4; k++)
        put_le64d(h + 36 + 8 * k, bbox[k]);
    geo_out_buf_put(o, h, sizeof h);
}

static void put_dbf_header(shp_writer *w, geo_out_buf *o)
{
    const geo_out_table *t = w->t;
    unsigned char h[32] = {0};
    int y = atoi(t->dbf_date), m = atoi(t->dbf_date + 5), d = atoi(t->dbf_date + 8);
    h[0] = 0x03;
    h[1] = (unsigned char)(y - 1900);
    h[2] = (unsigned char)m;
    h[3] = (unsigned char)d;
    put_le32(h + 4, (uint32_t)t->nrows);
    uint32_t header = (uint32_t)dbf_header_bytes(t);
    uint32_t record = (uint32_t)dbf_record_bytes(t, &w->lay);
    h[8] = (unsigned char)header;
    h[9] = (unsigned char)(header >> 8);
    h[10] = (unsigned char)record;
    h[11] = (unsigned char)(record >> 8);
    geo_out_buf_put(o, h, sizeof h);
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        unsigned char fd[32] = {0};
        memcpy(fd, f->short_name, strlen(f->short_name)); /* <= 10, checked */
        fd[11] = f->type == GEO_COL_STRING ? 'C' : f->type == GEO_COL_DATE ? 'D' : 'N';
        fd[16] = (unsigned char)w->lay.width[j];
        fd[17] = (unsigned char)w->lay.prec[j];
        geo_out_buf_put(o, fd, sizeof fd);
    }
    geo_out_buf_putc(o, 0x0d);
}

/* Length of the longest prefix of s of at most max bytes that ends on a
 * UTF-8 character boundary. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void put_fill(geo_out_buf *o, char c, size_t n)
{
    char chunk[64];
    memset(chunk, c, sizeof chunk);
    while (n) {
        size_t m = n < sizeof chunk ? n : sizeof chunk;
        geo_out_buf_put(o, chunk, m);
        n -= m;
    }
}

static void put_padded(geo_out_buf *o, const char *s, size_t n, int width, int right)
{
    size_t pad = (size_t)width - n;
    if (right)
        put_fill(o, ' ', pad);
    geo_out_buf_put(o, s, n);
    if (!right)
        put_fill(o, ' ', pad);
}

static fr_status put_dbf_record(shp_writer *w, geo_out_buf *o, size_t i, size_t row, fr_error *err)
{
    const geo_out_table *t = w->t;
    char buf[GEO_OUT_FMT_BUF];
    geo_out_buf_putc(o, ' ');
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        int width = w->lay.width[j];
        int n = 0;
        switch (f->type) {
        case GEO_COL_STRING: {
            const char *s = f->str[i];
            size_t len = s ? strlen(s) : 0;
            put_padded(o, s ? s : "", utf8_prefix(s, len, (size_t)width), width, 0);
            continue;
        }
        case GEO_COL_DATE: {
            int32_t d = f->date[i];
            if (d == GEO_DATE_MISSING) {
                put_fill(o, '0', (size_t)width);
                continue;
            }
            int y, m, dd;
            fr_status st = geo_out_table_date(t, f, i, row, w->path, &y, &m, &dd, err);
            if (st != FR_OK)
                return st;
            n = (int)geo_out_fmt_date(buf, y, m, dd, 0);
            break;
        }
        case GEO_COL_NUMBER: {
            double v = f->num[i];
            if (!geo_out_table_num_present(v)) {
                put_fill(o, '*', (size_t)width);
                continue;
            }
            if (f->is_integer) {
                int64_t iv;
                fr_status st = geo_out_table_int(t, f, i, row, w->path, &iv, err);
                if (st != FR_OK)
                    return st;
                n = (int)geo_out_fmt_int(buf, iv);
            } else {
                n = (int)geo_out_fmt_decimals(buf, v, w->lay.prec[j]);
            }
            break;
        }
        }
        if (n < 0 || n > width) /* the layout was checked against the data: a bug */
            return fr_error_set(err, FR_E_INTERNAL,
                                "%s: row %zu (parcel fid %lld), field '%s': value wider than "
                                "the .dbf field (%d)",
                                w->path, row, geo_out_table_row_fid(t, row), f->name, width);
        put_padded(o, buf, (size_t)n, width, 1);
    }
    return FR_OK;
}

/* Shoelace area sign of the ring of n points. */
static double ring_area2(const double *xs, const double *ys, size_t n)
{
    double a = 0;
    for (size_t k = 0; k + 1 < n; k++)
        a += xs[k] * ys[k + 1] - xs[k + 1] * ys[k];
    return a;
}

/* One .shp record and its .shx entry.  *offset is the record's offset in
 * bytes, advanced here. */
static void put_shape(shp_writer *w, size_t i, uint32_t recno, uint64_t *offset)
{
    const geo_layer *l = w->t->parcels;
    uint64_t content = shp_content_bytes(l, i);
    unsigned char h[8];
    put_be32(h, recno);
    put_be32(h + 4, (uint32_t)(content / 2));
    geo_out_buf_put(&w->shp, h, 8);
    unsigned char x[8];
    put_be32(x, (uint32_t)(*offset / 2));
    put_be32(x + 4, (uint32_t)(content / 2));
    geo_out_buf_put(&w->shx, x, 8);
    *offset += 8 + content;

    unsigned char buf[48];
    if (!geo_layer_has_geometry(l, i)) {
        put_le32(buf, SHPT_NULL);
        geo_out_buf_put(&w->shp, buf, 4);
        return;
    }
    if (l->kind == GEO_GEOM_POINT) {
        put_le32(buf, SHPT_POINT);
        put_le64d(buf + 4, l->x[i]);
        put_le64d(buf + 12, l->y[i]);
        geo_out_buf_put(&w->shp, buf, 20);
        return;
    }
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    size_t p0 = l->pt_start[r0], p1 = l->pt_start[r1];
    double minx = l->px[p0], maxx = minx, miny = l->py[p0], maxy = miny;
    for (size_t p = p0; p < p1; p++) {
        minx = l->px[p] < minx ? l->px[p] : minx;
        maxx = l->px[p] > maxx ? l->px[p] : maxx;
        miny = l->py[p] < miny ? l->py[p] : miny;
        maxy = l->py[p] > maxy ? l->py[p] : maxy;
    }
    put_le32(buf, SHPT_POLYGON);
    put_le64d(buf + 4, minx);
    put_le64d(buf + 12, miny);
    put_le64d(buf + 20, maxx);
    put_le64d(buf + 28, maxy);
    put_le32(buf + 36, (uint32_t)(r1 - r0));
    put_le32(buf + 40, (uint32_t)(p1 - p0));
    geo_out_buf_put(&w->shp, buf, 44);
    for (size_t r = r0; r < r1; r++) {
        put_le32(buf, (uint32_t)(l->pt_start[r] - p0));
        geo_out_buf_put(&w->shp, buf, 4);
    }
    for (size_t r = r0; r < r1; r++) {
        size_t a = l->pt_start[r], n = l->pt_start[r + 1] - a;
        double area = ring_area2(l->px + a, l->py + a, n);
        /* ESRI: exterior clockwise (negative area), holes counter-clockwise */
        int reverse = l->ring_shell[r] ? area > 0 : area < 0;
        for (size_t k = 0; k < n; k++) {
            size_t v = a + (reverse ? n - 1 - k : k);
            unsigned char pt[16];
            put_le64d(pt, l->px[v]);
            put_le64d(pt + 8, l->py[v]);
            geo_out_buf_put(&w->shp, pt, 16);
        }
    }
}

/* Stale sidecars of an earlier file at the same path would describe other
 * shapes: removed before anything is written. */
static fr_status remove_stale_sidecars(shp_writer *w, fr_error *err)
{
    static const char *const stale[] = {"qix", "sbn", "sbx"};
    for (size_t k = 0; k < sizeof stale / sizeof stale[0]; k++) {
        VSIStatBufL sb;
        if (VSIStatL(sidecar(w, stale[k]), &sb) == 0 && VSIUnlink(w->side_path) != 0)
            return fr_error_set(err, FR_E_OUTPUT, "%s: cannot remove the stale %s", w->path,
                                w->side_path);
    }
    return FR_OK;
}

/* The 100-byte headers of the .shp and .shx (open in w). */
static void put_shape_headers(shp_writer *w)
{
    const geo_out_table *t = w->t;
    uint64_t shp_bytes;
    estimate(t, &w->lay, &shp_bytes, NULL);
    const double *bbox = w->lay.bbox;
    int type = t->parcels->kind == GEO_GEOM_POINT ? SHPT_POINT : SHPT_POLYGON;
    put_main_header(&w->shp, shp_bytes, type, bbox);
    put_main_header(&w->shx, 100 + 8 * (uint64_t)t->nrows, type, bbox);
}

/* The .prj (with geometry) and the .cpg. */
static fr_status write_small_sidecars(shp_writer *w, fr_error *err)
{
    fr_status st = FR_OK;
    if (w->t->parcels->kind != GEO_GEOM_NONE)
        st = write_prj(w, err);
    if (st == FR_OK)
        st = write_small(sidecar(w, "cpg"), "UTF-8", err);
    return st;
}

static fr_status stream_files(shp_writer *w, fr_error *err)
{
    const geo_out_table *t = w->t;
    int has_geom = t->parcels->kind != GEO_GEOM_NONE;
    fr_status st = remove_stale_sidecars(w, err);
    if (st != FR_OK)
        return st;
    if (has_geom) {
        st = geo_out_buf_open(&w->shp, w->path, err);
        if (st == FR_OK)
            st = geo_out_buf_open(&w->shx, sidecar(w, "shx"), err);
    }
    if (st == FR_OK)
        st = geo_out_buf_open(&w->dbf, sidecar(w, "dbf"), err);
    if (st != FR_OK)
        return st;

    if (has_geom)
        put_shape_headers(w);
    put_dbf_header(w, &w->dbf);
    uint64_t offset = 100;
    for (size_t k = 0; k < t->nrows && st == FR_OK; k++) {
        geo_out_table_prefetch(t, k);
        size_t i = t->order[k];
        if (has_geom)
            put_shape(w, i, (uint32_t)(k + 1), &offset);
        st = put_dbf_record(w, &w->dbf, geo_out_table_value_index(t, k), k, err);
        geo_out_table_row_done(t, k);
    }
    geo_out_buf_putc(&w->dbf, 0x1a);
    return st;
}

/* The sidecar names of path (w->base, w->side_path, w->upper); a layout
 * already made in w->lay is freed on failure. */
static fr_status writer_names(shp_writer *w, const char *path, fr_error *err)
{
    size_t n = strlen(path);
    w->base = malloc(n + 1);
    w->side_path = malloc(n + 8);
    if (!w->base || !w->side_path) {
        free(w->base);
        free(w->side_path);
        w->base = w->side_path = NULL;
        layout_free(&w->lay);
        return fr_error_oom_while(err, "writing %s", path);
    }
    memcpy(w->base, path, n - 4);
    w->base[n - 4] = '\0';
    w->upper = strcmp(path + n - 4, ".SHP") == 0;
    return FR_OK;
}

static void writer_free(shp_writer *w)
{
    free(w->base);
    free(w->side_path);
    layout_free(&w->lay);
}

fr_status geo_write_shapefile(const geo_out_table *t, const char *path, fr_error *err)
{
    shp_writer w = {.t = t, .path = path};
    fr_status st = prepare(t, path, &w.lay, err);
    if (st != FR_OK || (st = writer_names(&w, path, err)) != FR_OK)
        return st;
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    st = write_small_sidecars(&w, err);
    if (st == FR_OK)
        st = stream_files(&w, err);
    /* close all three whatever happened; the first failure is kept */
    st = geo_out_buf_close(&w.shp, path, st, err);
    st = geo_out_buf_close(&w.shx, sidecar(&w, "shx"), st, err);
    st = geo_out_buf_close(&w.dbf, sidecar(&w, "dbf"), st, err);
    geo_gdal_gate_end_quiet(&gate); /* a failed WKT1_ESRI export falls back on WKT1 */
    writer_free(&w);
    return st;
}

/* ---- the same files in parts (write.h) ------------------------------------ */

/* A block of a .dbf range's formatted rows (a memory geo_out_buf), kept
 * until the range's turn in the file; once written, kept again as a spare
 * for the next block formatted ahead. */
typedef struct dbf_block {
    struct dbf_block *next;
    geo_out_buf o;
} dbf_block;

/* A range formatted before its turn: its blocks, in order. */
typedef struct dbf_parked {
    struct dbf_parked *next;
    size_t k0, k1;
    dbf_block *blocks;
} dbf_parked;

struct geo_shapefile_parts {
    shp_writer w;   /* w.path: the copy in path */
    char *path;
    char *dbf_path;
    /* The .dbf, written start to end as one stream (a geo_out_buf: direct
     * I/O and the tap, as the .shp's) while its ranges are formatted on
     * several threads: the range that holds the next rows writes its blocks
     * as it formats them; a range formatted ahead keeps its blocks until
     * its turn, and whoever ends the range before it writes them.  Why not
     * each range at its own offset (pwrite): those writes went through the
     * page cache, 1.47 GB of fresh pages at 5M parcels, and the .dbf was
     * hashed by reading the ranges back in file order. */
    int begun;                  /* dbf open, until geo_shapefile_parts_dbf_close */
    geo_out_buf dbf;            /* written only by the range whose k0 is next_row, or under lock */
    size_t next_row;            /* the first row not in dbf yet: atomic (written under lock) */
    int failed;                 /* a range failed: its rows never come (under lock) */
    dbf_parked *parked;         /* ranges done before their turn (under lock) */
    /* Blocks written, for the next ones formatted ahead (under lock).  Why
     * not free and allocate again: each block was new memory, 630 MB of
     * fresh pages at 5M parcels (half the ranges are formatted ahead), a
     * page fault each that costs 1.5-10 us on a VM that hands free memory
     * back to its host; the spares are as many as were ever kept at once. */
    dbf_block *spare;
    pthread_mutex_t lock;
};

static void blocks_free(dbf_block *b)
{
    while (b) {
        dbf_block *next = b->next;
        geo_out_buf_free(&b->o);
        free(b);
        b = next;
    }
}

/* Blocks b, written or given up, become spares (the caller holds the
 * lock); one whose memory ran out (err_no) is freed instead. */
static void blocks_recycle(geo_shapefile_parts *p, dbf_block *b)
{
    while (b) {
        dbf_block *next = b->next;
        b->next = NULL;
        if (b->o.err_no) {
            blocks_free(b);
        } else {
            b->o.len = 0;
            b->next = p->spare;
            p->spare = b;
        }
        b = next;
    }
}

/* Writes blocks b to the .dbf in order. */
static void blocks_write(geo_shapefile_parts *p, dbf_block *b)
{
    for (; b; b = b->next)
        geo_out_buf_put(&p->dbf, b->o.buf, b->o.len);
}

/* A block for rows formatted ahead of their turn: a spare, or a new one
 * (NULL when memory runs out). */
static dbf_block *block_take(geo_shapefile_parts *p)
{
    pthread_mutex_lock(&p->lock);
    dbf_block *b = p->spare;
    if (b)
        p->spare = b->next;
    pthread_mutex_unlock(&p->lock);
    if (b) {
        b->next = NULL;
        return b;
    }
    fr_error ignored;
    if (!(b = calloc(1, sizeof *b)) || geo_out_buf_open_mem(&b->o, &ignored) != FR_OK) {
        free(b);
        return NULL;
    }
    return b;
}

/* next_row for a range that checks its turn without the lock: acquire,
 * so that the writes to dbf before the turn was handed on are seen. */
static size_t next_row(geo_shapefile_parts *p)
{
    return __atomic_load_n(&p->next_row, __ATOMIC_ACQUIRE);
}

static void set_next_row(geo_shapefile_parts *p, size_t k)
{
    __atomic_store_n(&p->next_row, k, __ATOMIC_RELEASE);
}

fr_status geo_shapefile_parts_plan(const geo_out_table *t, const char *path, geo_shapefile_parts **out,
                                   fr_error *err)
{
    *out = NULL;
    geo_shapefile_parts *p = calloc(1, sizeof *p);
    if (!p)
        return fr_error_oom_while(err, "writing %s", path ? path : "(null)");
    pthread_mutex_init(&p->lock, NULL);
    p->w.t = t;
    if (path && !(p->path = strdup(path))) {
        free(p);
        return fr_error_oom_while(err, "writing %s", path);
    }
    p->w.path = path = p->path;
    fr_status st = prepare_layout(t, path, &p->w.lay, 1, err);
    if (st == FR_OK)
        st = writer_names(&p->w, path, err);
    if (st == FR_OK && !(p->dbf_path = strdup(sidecar(&p->w, "dbf"))))
        st = fr_error_oom_while(err, "writing %s", path);
    if (st != FR_OK) {
        geo_shapefile_parts_free(p);
        return st;
    }
    *out = p;
    return FR_OK;
}

void geo_shapefile_parts_sizes(const geo_shapefile_parts *p, uint64_t *shp_bytes, uint64_t *dbf_bytes)
{
    estimate(p->w.t, &p->w.lay, shp_bytes, dbf_bytes);
}

fr_status geo_shapefile_parts_begin(geo_shapefile_parts *p, fr_error *err)
{
    shp_writer *w = &p->w;
    fr_status st = refuse_over_2gb(w->t, w->path, &w->lay, err);
    if (st != FR_OK)
        return st;
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    st = write_small_sidecars(w, err);
    geo_gdal_gate_end_quiet(&gate); /* a failed WKT1_ESRI export falls back on WKT1 */
    if (st == FR_OK)
        st = remove_stale_sidecars(w, err);
    if (st != FR_OK)
        return st;
    /* the .shp and .shx are created by geo_shapefile_parts_shapes, as the
     * one-pass writer creates them before the .dbf */
    const geo_out_table *t = w->t;
    st = geo_out_buf_open_tapped(&p->dbf, p->dbf_path, t->tap, !t->buffered_io, err);
    if (st != FR_OK)
        return st;
    p->begun = 1;
    put_dbf_header(w, &p->dbf);
    return FR_OK;
}

fr_status geo_shapefile_parts_shapes(const geo_shapefile_parts *p, fr_error *err)
{
    /* a copy: the .dbf's parts share p->w on other threads meanwhile */
    shp_writer w = p->w;
    char *side = malloc(strlen(w.path) + 8);
    if (!side)
        return fr_error_oom_while(err, "writing %s", w.path);
    w.side_path = side;
    const geo_out_table *t = w.t;
    fr_status st = FR_OK;
    if (t->parcels->kind != GEO_GEOM_NONE) {
        st = geo_out_buf_open_tapped(&w.shp, w.path, t->tap, !t->buffered_io, err);
        if (st == FR_OK)
            st = geo_out_buf_open_tapped(&w.shx, sidecar(&w, "shx"), t->tap, !t->buffered_io, err);
        if (st == FR_OK)
            put_shape_headers(&w);
        uint64_t offset = 100;
        for (size_t k = 0; k < t->nrows && st == FR_OK; k++) {
            geo_out_table_prefetch_geometry(t, k);
            put_shape(&w, t->order[k], (uint32_t)(k + 1), &offset);
        }
    }
    st = geo_out_buf_close(&w.shp, w.path, st, err);
    st = geo_out_buf_close(&w.shx, sidecar(&w, "shx"), st, err);
    free(side);
    return st;
}

/* Hands the .dbf on to row k, after the rows before it are in the file
 * (the caller holds the lock): the ranges done ahead and parked whose turn
 * follows are written meanwhile.  Once next_row is k, the range that
 * starts at k, if it is still being formatted, writes to dbf itself:
 * nothing here writes to dbf after that store. */
static void pass_turn(geo_shapefile_parts *p, size_t k)
{
    set_next_row(p, k);
    for (;;) {
        dbf_parked **at = &p->parked;
        while (*at && (*at)->k0 != k)
            at = &(*at)->next;
        dbf_parked *q = *at;
        if (!q)
            return;
        *at = q->next;
        blocks_write(p, q->blocks);
        blocks_recycle(p, q->blocks);
        k = q->k1;
        free(q);
        set_next_row(p, k);
    }
}

fr_status geo_shapefile_parts_dbf_rows(geo_shapefile_parts *p, size_t k0, size_t k1, fr_error *err)
{
    const geo_out_table *t = p->w.t;
    if (!p->begun || k0 > k1 || k1 > t->nrows)
        return fr_error_set(err, FR_E_INTERNAL, "%s: rows %zu-%zu of %zu written before the file was begun, "
                            "or past its end", p->dbf_path, k0, k1, t->nrows);
    /* formatting reads p->w only (put_dbf_record: the table and the layout) */
    shp_writer *w = &p->w;
    dbf_block *kept = NULL, **tail = &kept; /* the blocks formatted before this range's turn */
    int turn = 0;                            /* 1: this range writes to p->dbf as it goes */
    fr_status st = FR_OK;
    dbf_block *b = k0 < k1 ? block_take(p) : NULL; /* the block being filled */
    if (k0 < k1 && !b)
        st = fr_error_oom_while(err, "writing %s", p->dbf_path);
    size_t record = 0; /* a record's bytes (all are as long): a block ends before one would not fit */
    for (size_t k = k0; k < k1 && st == FR_OK; k++) {
        geo_out_table_prefetch_fields(t, k);
        size_t before = b->o.len;
        st = put_dbf_record(w, &b->o, geo_out_table_value_index(t, k), k, err);
        geo_out_table_row_done(t, k);
        if (!record)
            record = b->o.len - before;
        if (st != FR_OK || (b->o.len + record <= b->o.cap && k + 1 < k1))
            continue;
        if (b->o.err_no) {
            st = fr_error_oom_while(err, "writing %s", p->dbf_path);
            break;
        }
        if (!turn && next_row(p) == k0) { /* the rows before this range are in the file */
            turn = 1;
            blocks_write(p, kept);
            pthread_mutex_lock(&p->lock);
            blocks_recycle(p, kept);
            pthread_mutex_unlock(&p->lock);
            kept = NULL;
            tail = &kept;
        }
        if (turn) {
            geo_out_buf_put(&p->dbf, b->o.buf, b->o.len);
            b->o.len = 0;
            continue;
        }
        *tail = b; /* the block waits for the turn */
        tail = &b->next;
        if (k + 1 < k1 && !(b = block_take(p)))
            st = fr_error_oom_while(err, "writing %s", p->dbf_path);
        if (k + 1 == k1)
            b = NULL;
    }
    pthread_mutex_lock(&p->lock);
    blocks_recycle(p, b); /* not kept: the block of a range that wrote as it went, or that failed */
    dbf_parked *q = NULL;
    if (st == FR_OK && next_row(p) != k0 && !(q = malloc(sizeof *q)))
        st = fr_error_oom_while(err, "writing %s", p->dbf_path);
    if (st != FR_OK) { /* its rows never come: the file is not written whole (dbf_close) */
        p->failed = 1;
        blocks_recycle(p, kept);
    } else if (!q) { /* this range's turn: the rest of it, then the ranges parked after it */
        blocks_write(p, kept);
        blocks_recycle(p, kept);
        pass_turn(p, k1);
    } else { /* the rows before it are not in the file yet: its turn is handed to it (pass_turn) */
        *q = (dbf_parked){.next = p->parked, .k0 = k0, .k1 = k1, .blocks = kept};
        p->parked = q;
    }
    pthread_mutex_unlock(&p->lock);
    return st;
}

fr_status geo_shapefile_parts_dbf_close(geo_shapefile_parts *p, fr_error *err)
{
    if (!p->begun)
        return FR_OK;
    p->begun = 0;
    fr_status st = FR_OK;
    size_t done = next_row(p), n = p->w.t->nrows;
    if (p->failed)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: not written whole: a range of its rows failed", p->dbf_path);
    else if (done != n)
        st = fr_error_set(err, FR_E_INTERNAL, "%s: rows %zu-%zu of %zu were never written", p->dbf_path, done, n,
                          n);
    else
        geo_out_buf_putc(&p->dbf, 0x1a); /* the end-of-file mark after the last record */
    return geo_out_buf_close(&p->dbf, p->dbf_path, st, err);
}

void geo_shapefile_parts_free(geo_shapefile_parts *p)
{
    if (!p)
        return;
    if (p->begun) {
        fr_error ignored = {0};
        p->failed = 1;
        (void)geo_shapefile_parts_dbf_close(p, &ignored);
    }
    while (p->parked) {
        dbf_parked *q = p->parked;
        p->parked = q->next;
        blocks_free(q->blocks);
        free(q);
    }
    blocks_free(p->spare);
    pthread_mutex_destroy(&p->lock);
    writer_free(&p->w);
    free(p->dbf_path);
    free(p->path);
    free(p);
}
