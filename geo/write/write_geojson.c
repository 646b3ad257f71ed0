/*
 * write_geojson.c — the ranked parcels as RFC 7946 GeoJSON, the file most
 * analysts drag into QGIS or a web map.
 *
 * Two writers produce the same content:
 *
 *  - geo_write_geojson streams the file itself.  GDAL's GeoJSON driver
 *    builds a json-c object tree, copies the feature and runs the RFC 7946
 *    geometry pipeline per feature: about 70 us a parcel on our 2-core
 *    machine (ogr2ogr is no faster), i.e. a minute for a city of 1M
 *    parcels.  Here the coordinates of a block of features are reprojected
 *    with one OCTTransformEx call, rings are oriented by the right-hand rule
 *    (exterior counter-clockwise, holes clockwise, by the sign of the
 *    shoelace area in lon/lat), coordinates are rounded to
 *    coordinate_precision decimals with integer arithmetic: a few
 *    microseconds a parcel.  Every thread formats chunks of GJ_CHUNK_ROWS
 *    rows into its own buffer (its own coordinate transformation) and the
 *    chunks are written in row order, so the file has the same bytes at
 *    any thread count.  Coordinates are the
 *    correctly rounded values (the driver's formatter also shortens runs of
 *    9s, writing -84.5999998 as -84.6, so the two differ by up to 2e-7
 *    degrees on a few vertices, about 2 cm).  The layout is the
 *    driver's ("{ "type": "Feature", "properties": {...}, "geometry": ...}"
 *    per line, reals with 15 significant digits, dates as "YYYY-MM-DD"),
 *    so GDAL, QGIS and web maps read it the same way.
 *
 *  - geo_write_geojson_gdal goes through the driver with RFC7946=YES (which
 *    reprojects to WGS84 with the same PROJ pipeline, applies the
 *    right-hand rule and cuts geometries at the antimeridian),
 *    COORDINATE_PRECISION and SIGNIFICANT_FIGURES=15.  It is the reference
 *    the tests compare the streaming writer against, and the fallback the
 *    streaming writer uses when a parcel crosses the antimeridian (a
 *    longitude span over 180 degrees), the one RFC 7946 rule it does not
 *    implement.
 *
 * Geometry types: a feature with one shell is a Polygon, with several a
 * MultiPolygon; no geometry is "geometry": null.  A GeoJSON file carries no
 * layer type (the GDAL writer declares wkbMultiPolygon, which changes no
 * byte); OGR's reader reports a file mixing both as "Unknown (any)", and
 * QGIS's OGR provider counts MultiPolygon as Polygon when it scans such a
 * layer (ogrWkbSingleFlatten), so QGIS opens it as one polygon layer
 * without asking the analyst to pick sub-layers.
 */
#include "write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>
#include <gdal.h>
#include <omp.h>

#include "gdal_gate.h"
#include "ogr_write.h"
#include "out_buf.h"
#include "out_fmt.h"
#include "out_table.h"
#include "gdal_srs.h"

#define GJ_DEFAULT_PRECISION 7
#define GJ_BLOCK_POINTS 65536
/* Rows a thread formats at a time (about 2 MB of text for parcels): small
 * enough that the chunks in flight stay a few MB, large enough that
 * handing them out and writing them in order costs nothing. */
#define GJ_CHUNK_ROWS 2048

static int coordinate_precision(const geo_out_table *t)
{
    int prec = t->coordinate_precision > 0 ? t->coordinate_precision : GJ_DEFAULT_PRECISION;
    return prec > 15 ? 15 : prec;
}

/* ---- the GDAL-driver writer (reference and antimeridian fallback) ----- */

fr_status geo_write_geojson_gdal(const geo_out_table *t, const char *path, fr_error *err)
{
    fr_status st = geo_out_table_check(t, GEO_OUT_NAME_LONG, err);
    if (st != FR_OK)
        return st;
    char prec_opt[48];
    snprintf(prec_opt, sizeof prec_opt, "COORDINATE_PRECISION=%d", coordinate_precision(t));
    const char *opts[] = {"RFC7946=YES", prec_opt, "SIGNIFICANT_FIGURES=15", "WRITE_BBOX=NO",
                          NULL};
    geo_ogr_write_spec spec = {
        .driver = "GeoJSON",
        .layer_opts = opts,
        .polygon_type = wkbMultiPolygon,
        .names = GEO_OUT_NAME_LONG,
        .widths = NULL,
        .precisions = NULL,
    };
    return geo_ogr_write(t, path, &spec, err);
}

/* ---- the streaming writer --------------------------------------------- */

/* Writes s as a JSON string (quotes included).  UTF-8 passes through;
 * text that is not valid UTF-8 is forced to ASCII ('?' for the bad bytes)
 * so that the file stays valid JSON. */
static void put_json_string(geo_out_buf *o, const char *s)
{
    /* Most values (ids, addresses) are printable ASCII with nothing to
     * escape: one scan finds that, and they are copied whole.  The rest take
     * the path below, which checks UTF-8 and escapes. */
    const unsigned char *u = (const unsigned char *)s;
    size_t plain = 0;
    while (u[plain] >= 0x20 && u[plain] < 0x80 && u[plain] != '"' && u[plain] != '\\')
        plain++;
    if (u[plain] == '\0') {
        geo_out_buf_putc(o, '"');
        geo_out_buf_put(o, s, plain);
        geo_out_buf_putc(o, '"');
        return;
    }
    char *ascii = NULL;
    if (!CPLIsUTF8(s, -1)) {
        ascii = CPLForceToASCII(s, -1, '?');
        if (ascii)
            s = ascii;
    }
    geo_out_buf_putc(o, '"');
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        geo_out_buf_put(o, run, (size_t)((const char *)p - run));
        char esc[8];
        switch (*p) {
        case '"': geo_out_buf_puts(o, "\\\""); break;
        case '\\': geo_out_buf_puts(o, "\\\\"); break;
        case '\n': geo_out_buf_puts(o, "\\n"); break;
        case '\r': geo_out_buf_puts(o, "\\r"); break;
        case '\t': geo_out_buf_puts(o, "\\t"); break;
        case '\b': geo_out_buf_puts(o, "\\b"); break;
        case '\f': geo_out_buf_puts(o, "\\f"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            geo_out_buf_puts(o, esc);
        }
        run = (const char *)p + 1;
    }
    geo_out_buf_puts(o, run);
    geo_out_buf_putc(o, '"');
    CPLFree(ascii);
}

typedef struct {
    const geo_out_table *t;
    const char *path;
    int prec;
    OGRCoordinateTransformationH ct; /* NULL when the CRS is WGS84 already */
    double *x, *y;                   /* block coordinates, lon/lat after transform */
    int *ok;
    size_t cap;
    geo_out_buf out;
    int crosses_antimeridian;
} gj_writer;

/* The properties' keys as written ("\"name\": "), with their lengths. */
typedef struct {
    char **text;
    size_t *len;
} gj_keys;

/* Points of feature i: [*p0, *p1) in px/py. */
static void feature_points(const geo_layer *l, size_t i, size_t *p0, size_t *p1)
{
    if (l->kind == GEO_GEOM_POINT) {
        *p0 = 0;
        *p1 = geo_layer_has_geometry(l, i) ? 1 : 0;
        return;
    }
    if (l->kind != GEO_GEOM_POLYGON) {
        *p0 = *p1 = 0;
        return;
    }
    *p0 = l->pt_start[l->ring_start[i]];
    *p1 = l->pt_start[l->ring_start[i + 1]];
}

static fr_status grow_block(gj_writer *w, size_t need, fr_error *err)
{
    if (need <= w->cap)
        return FR_OK;
    size_t cap = w->cap ? w->cap : GJ_BLOCK_POINTS;
    while (cap < need)
        cap *= 2;
    double *x = realloc(w->x, cap * sizeof *x);
    if (x)
        w->x = x;
    double *y = realloc(w->y, cap * sizeof *y);
    if (y)
        w->y = y;
    int *ok = realloc(w->ok, cap * sizeof *ok);
    if (ok)
        w->ok = ok;
    if (!x || !y || !ok)
        return fr_error_oom_while(err, "writing %s: for coordinates", w->path);
    w->cap = cap;
    return FR_OK;
}

/* Writes "[ x, y ]". */
static void put_position(gj_writer *w, double x, double y)
{
    char buf[2 * GEO_OUT_FMT_BUF + 8];
    size_t n = 0;
    buf[n++] = '[';
    buf[n++] = ' ';
    n += geo_out_fmt_fixed(buf + n, x, w->prec);
    buf[n++] = ',';
    buf[n++] = ' ';
    n += geo_out_fmt_fixed(buf + n, y, w->prec);
    buf[n++] = ' ';
    buf[n++] = ']';
    geo_out_buf_put(&w->out, buf, n);
}

/* Writes one ring (points at xs/ys, n of them) oriented counter-clockwise
 * when ccw, else clockwise. */
static void put_ring(gj_writer *w, const double *xs, const double *ys, size_t n, int ccw)
{
    double a = 0;
    for (size_t k = 0; k + 1 < n; k++)
        a += xs[k] * ys[k + 1] - xs[k + 1] * ys[k];
    int reverse = ccw ? a < 0 : a > 0;
    geo_out_buf_puts(&w->out, "[ ");
    for (size_t k = 0; k < n; k++) {
        size_t v = reverse ? n - 1 - k : k;
        if (k)
            geo_out_buf_puts(&w->out, ", ");
        put_position(w, xs[v], ys[v]);
    }
    geo_out_buf_puts(&w->out, " ]");
}

/* Writes the geometry member of parcel i whose transformed points start at
 * w->x + off. */
static void put_geometry(gj_writer *w, size_t i, size_t off)
{
    const geo_layer *l = w->t->parcels;
    geo_out_buf *o = &w->out;
    if (!geo_layer_has_geometry(l, i) || l->kind == GEO_GEOM_NONE) {
        geo_out_buf_puts(o, "null");
        return;
    }
    if (l->kind == GEO_GEOM_POINT) {
        geo_out_buf_puts(o, "{ \"type\": \"Point\", \"coordinates\": ");
        put_position(w, w->x[off], w->y[off]);
        geo_out_buf_puts(o, " }");
        return;
    }
    size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
    size_t nshells = 0;
    for (size_t r = r0; r < r1; r++)
        nshells += l->ring_shell[r];
    int multi = nshells > 1;
    geo_out_buf_puts(o, multi ? "{ \"type\": \"MultiPolygon\", \"coordinates\": [ "
                                : "{ \"type\": \"Polygon\", \"coordinates\": ");
    size_t base = l->pt_start[r0];
    for (size_t r = r0; r < r1; r++) {
        if (l->ring_shell[r]) {
            if (r > r0)
                geo_out_buf_puts(o, multi ? " ], " : " ]"); /* close the previous part */
            geo_out_buf_puts(o, "[ ");
        } else {
            geo_out_buf_puts(o, ", ");
        }
        size_t p0 = l->pt_start[r] - base + off, n = l->pt_start[r + 1] - l->pt_start[r];
        put_ring(w, w->x + p0, w->y + p0, n, l->ring_shell[r]);
    }
    geo_out_buf_puts(o, multi ? " ] ] }" : " ] }");
}

static fr_status put_properties(gj_writer *w, size_t i, size_t row, const gj_keys *keys, fr_error *err)
{
    const geo_out_table *t = w->t;
    geo_out_buf *o = &w->out;
    char buf[GEO_OUT_FMT_BUF];
    geo_out_buf_puts(o, "\"properties\": { ");
    for (size_t j = 0; j < t->nfields; j++) {
        const geo_out_field *f = &t->fields[j];
        if (j)
            geo_out_buf_puts(o, ", ");
        geo_out_buf_put(o, keys->text[j], keys->len[j]);
        switch (f->type) {
        case GEO_COL_STRING:
            if (f->str[i])
                put_json_string(o, f->str[i]);
            else
                geo_out_buf_puts(o, "null");
            break;
        case GEO_COL_NUMBER: {
            double v = f->num[i];
            if (!geo_out_table_num_present(v)) {
                geo_out_buf_puts(o, "null");
            } else if (f->is_integer) {
                int64_t iv;
                fr_status st = geo_out_table_int(t, f, i, row, w->path, &iv, err);
                if (st != FR_OK)
                    return st;
                geo_out_buf_put(o, buf, geo_out_fmt_int(buf, iv));
            } else {
                geo_out_buf_put(o, buf, geo_out_fmt_real(buf, v));
            }
            break;
        }
        case GEO_COL_DATE: {
            int32_t d = f->date[i];
            if (d == GEO_DATE_MISSING) {
                geo_out_buf_puts(o, "null");
                break;
            }
            int y, m, dd;
            fr_status st = geo_out_table_date(t, f, i, row, w->path, &y, &m, &dd, err);
            if (st != FR_OK)
                return st;
            buf[0] = '"';
            size_t n = 1 + geo_out_fmt_date(buf + 1, y, m, dd, 1);
            buf[n++] = '"';
            geo_out_buf_put(o, buf, n);
            break;
        }
        }
    }
    geo_out_buf_puts(o, " }");
    return FR_OK;
}

/* "\"name\": " for every field, JSON-escaped once, and its length (a
 * million rows put each key: measured once here rather than each time). */
static fr_status make_keys(const geo_out_table *t, gj_keys *out, fr_error *err)
{
    char **keys = calloc(t->nfields + 1, sizeof *keys);
    size_t *lens = calloc(t->nfields + 1, sizeof *lens);
    if (!keys || !lens) {
        free(keys);
        free(lens);
        return fr_error_oom_while(err, "for field names");
    }
    for (size_t j = 0; j < t->nfields; j++) {
        const char *nm = t->fields[j].name;
        size_t n = strlen(nm);
        char *k = malloc(6 * n + 5);
        if (!k) {
            for (size_t i = 0; i < j; i++)
                free(keys[i]);
            free(keys);
            free(lens);
            return fr_error_oom_while(err, "for field names");
        }
        size_t m = 0;
        k[m++] = '"';
        for (const unsigned char *p = (const unsigned char *)nm; *p; p++) {
            if (*p == '"' || *p == '\\') {
                k[m++] = '\\';
                k[m++] = (char)*p;
            } else if (*p < 0x20) {
                m += (size_t)snprintf(k + m, 7, "\\u%04x", *p);
            } else {
                k[m++] = (char)*p;
            }
        }
        memcpy(k + m, "\": ", 4);
        keys[j] = k;
        lens[j] = m + 3;
    }
    out->text = keys;
    out->len = lens;
    return FR_OK;
}

static void free_keys(gj_keys *keys, size_t n)
{
    if (keys->text)
        for (size_t j = 0; j < n; j++)
            free(keys->text[j]);
    free(keys->text);
    free(keys->len);
    keys->text = NULL;
    keys->len = NULL;
}

/* 1 when ring r ends on its first point, bit for bit (rings are stored
 * closed; the test keeps this file from relying on it). */
static int ring_closed(const geo_layer *l, size_t r)
{
    size_t a = l->pt_start[r], b = l->pt_start[r + 1];
    return b - a >= 2 && !memcmp(&l->px[a], &l->px[b - 1], sizeof *l->px) &&
           !memcmp(&l->py[a], &l->py[b - 1], sizeof *l->py);
}

/* Spreads the n transformed points of rows [k0, k1), gathered without the
 * rings' closing points, back to every point: from the end, so that no
 * point is overwritten before it moves; a closing point is its ring's
 * first, transformed. */
static void restore_closing_points(gj_writer *w, size_t k0, size_t k1, size_t n, size_t full)
{
    const geo_layer *l = w->t->parcels;
    size_t src = n, dst = full;
    for (size_t k = k1; k-- > k0;) {
        size_t i = w->t->order[k];
        for (size_t r = l->ring_start[i + 1]; r-- > l->ring_start[i];) {
            int closed = ring_closed(l, r);
            size_t m = l->pt_start[r + 1] - l->pt_start[r] - (size_t)closed;
            dst -= (size_t)closed;
            memmove(w->x + dst - m, w->x + src - m, m * sizeof *w->x);
            memmove(w->y + dst - m, w->y + src - m, m * sizeof *w->y);
            memmove(w->ok + dst - m, w->ok + src - m, m * sizeof *w->ok);
            dst -= m;
            src -= m;
            if (closed) {
                w->x[dst + m] = w->x[dst];
                w->y[dst + m] = w->y[dst];
                w->ok[dst + m] = w->ok[dst];
            }
        }
    }
}

/* Gathers and transforms the points of rows [k0, k1); checks each point.
 * A ring's closing point repeats its first, so it is not transformed again
 * (one point in 7.5 of a parcel fabric; PROJ's inverse UTM is ~0.4 us a
 * point): the same input gives the same output bits, so the copy is what
 * the transformation would have returned. */
static fr_status transform_block(gj_writer *w, size_t k0, size_t k1, fr_error *err)
{
    const geo_layer *l = w->t->parcels;
    size_t n = 0, full = 0;
    for (size_t k = k0; k < k1; k++) {
        geo_out_table_prefetch_geometry(w->t, k); /* the fields are read later, by format_rows */
        size_t i = w->t->order[k], p0, p1;
        feature_points(l, i, &p0, &p1);
        if (l->kind == GEO_GEOM_POINT) {
            if (p1) {
                w->x[n] = l->x[i];
                w->y[n] = l->y[i];
                n++;
            }
        } else if (p1 > p0 && !w->ct) {
            memcpy(w->x + n, l->px + p0, (p1 - p0) * sizeof(double));
            memcpy(w->y + n, l->py + p0, (p1 - p0) * sizeof(double));
            n += p1 - p0;
        } else {
            for (size_t r = l->ring_start[i]; r < l->ring_start[i + 1]; r++) {
                size_t a = l->pt_start[r], m = l->pt_start[r + 1] - a - (size_t)ring_closed(l, r);
                memcpy(w->x + n, l->px + a, m * sizeof(double));
                memcpy(w->y + n, l->py + a, m * sizeof(double));
                n += m;
            }
        }
        full += p1 - p0;
    }
    if (!w->ct || n == 0)
        return FR_OK;
    for (size_t done = 0; done < n;) {
        int chunk = (int)(n - done > (size_t)INT32_MAX ? INT32_MAX : n - done);
        OCTTransformEx(w->ct, chunk, w->x + done, w->y + done, NULL, w->ok + done);
        done += (size_t)chunk;
    }
    if (n < full)
        restore_closing_points(w, k0, k1, n, full);
    size_t off = 0;
    for (size_t k = k0; k < k1; k++) {
        size_t i = w->t->order[k], p0, p1;
        feature_points(l, i, &p0, &p1);
        for (size_t v = off; v < off + (p1 - p0); v++)
            if (!w->ok[v] || !isfinite(w->x[v]) || !isfinite(w->y[v]))
                return fr_error_set(err, FR_E_OUTPUT,
                                    "%s: row %zu (parcel fid %lld): a vertex cannot be "
                                    "transformed to WGS84 lon/lat",
                                    w->path, k, (long long)l->fid[i]);
        off += p1 - p0;
    }
    return FR_OK;
}

/* Formats rows [k0, k1) into w->out; stops at the first parcel that
 * crosses the antimeridian (w->crosses_antimeridian). */
static fr_status format_rows(gj_writer *w, size_t k0, size_t k1, const gj_keys *keys, fr_error *err)
{
    const geo_out_table *t = w->t;
    const geo_layer *l = t->parcels;
    geo_out_buf *o = &w->out;
    fr_status st = FR_OK;
    size_t k = k0;
    while (k < k1 && st == FR_OK) {
        /* a block of rows whose points fit the buffers (at least one row) */
        size_t kb = k, npts = 0;
        while (kb < k1) {
            size_t p0, p1;
            feature_points(l, t->order[kb], &p0, &p1);
            if (kb > k && npts + (p1 - p0) > GJ_BLOCK_POINTS)
                break;
            npts += p1 - p0;
            kb++;
        }
        st = grow_block(w, npts, err);
        if (st == FR_OK)
            st = transform_block(w, k, kb, err);
        size_t off = 0;
        for (; k < kb && st == FR_OK; k++) {
            geo_out_table_prefetch(t, k);
            size_t i = t->order[k], p0, p1;
            feature_points(l, i, &p0, &p1);
            double lo = HUGE_VAL, hi = -HUGE_VAL;
            for (size_t v = off; v < off + (p1 - p0); v++) {
                lo = w->x[v] < lo ? w->x[v] : lo;
                hi = w->x[v] > hi ? w->x[v] : hi;
            }
            if (p1 > p0 && hi - lo > 180) {
                w->crosses_antimeridian = 1;
                return FR_OK;
            }
            geo_out_buf_puts(o, k ? ",\n{ \"type\": \"Feature\", " : "{ \"type\": \"Feature\", ");
            st = put_properties(w, geo_out_table_value_index(t, k), k, keys, err);
            geo_out_buf_puts(o, ", \"geometry\": ");
            put_geometry(w, i, off);
            geo_out_buf_puts(o, " }");
            off += p1 - p0;
        }
    }
    if (st == FR_OK && o->err_no)
        st = fr_error_oom_while(err, "writing %s: formatting rows %zu to %zu", w->path, k0 + 1, k1);
    return st;
}

static fr_status make_transform(gj_writer *w, const geo_gdal_gate *gate, fr_error *err)
{
    const geo_layer *l = w->t->parcels;
    if (l->kind == GEO_GEOM_NONE)
        return FR_OK;
    OGRSpatialReferenceH src = NULL;
    fr_status st = geo_ogr_write_srs(l, w->path, &src, err);
    if (st != FR_OK)
        return st;
    OGRSpatialReferenceH wgs84 = geo_gdal_srs("WGS84");
    if (!wgs84) {
        OSRRelease(src);
        return fr_error_set(err, FR_E_INTERNAL, "%s: cannot create the WGS84 CRS", w->path);
    }
    if (!OSRIsSame(src, wgs84)) {
        w->ct = OCTNewCoordinateTransformation(src, wgs84);
        if (!w->ct)
            st = geo_gdal_gate_error(gate, err, FR_E_OUTPUT, "unknown error",
                                     "%s: no transformation from the working CRS to WGS84", w->path);
    }
    OSRRelease(src);
    OSRRelease(wgs84);
    return st;
}

/* The writer of one thread: its transformation and buffers.  Released by
 * writer_clear. */
static fr_status writer_init(gj_writer *w, const geo_out_table *t, const char *path, fr_error *err)
{
    memset(w, 0, sizeof *w);
    w->t = t;
    w->path = path;
    w->prec = coordinate_precision(t);
    geo_gdal_gate gate;
    geo_gdal_gate_begin(&gate);
    fr_status st = make_transform(w, &gate, err);
    geo_gdal_gate_end_quiet(&gate); /* failed vertices come back in w->ok, and are reported */
    if (st == FR_OK)
        st = geo_out_buf_open_mem(&w->out, err);
    return st;
}

static void writer_clear(gj_writer *w)
{
    if (w->ct)
        OCTDestroyCoordinateTransformation(w->ct);
    geo_out_buf_free(&w->out);
    free(w->x);
    free(w->y);
    free(w->ok);
    memset(w, 0, sizeof *w);
}

/* What the threads share while they write the features. */
typedef struct {
    const geo_out_table *t;
    const char *path;
    const gj_keys *keys;
    geo_out_buf *file;
    fr_status st;              /* the first failure, in row order */
    fr_error *err;
    int stop;                  /* a failure or a crossing: format no more */
    int crosses_antimeridian;
} gj_shared;

/* Chunk c is formatted in w->out: appended to the file, unless an earlier
 * chunk stopped the writing.  Runs in chunk order (omp ordered). */
static void commit_chunk(gj_shared *sh, gj_writer *w, size_t k0, size_t k1, fr_status cst, const fr_error *cerr)
{
    if (sh->stop)
        return;
    if (cst != FR_OK || w->crosses_antimeridian) {
        if (cst != FR_OK) {
            sh->st = cst;
            *sh->err = *cerr;
        }
        sh->crosses_antimeridian = w->crosses_antimeridian;
#pragma omp atomic write
        sh->stop = 1;
        return;
    }
    geo_out_buf_put(sh->file, w->out.buf, w->out.len);
    for (size_t k = k0; k < k1; k++)
        geo_out_table_row_done(sh->t, k);
}

/* The features, GJ_CHUNK_ROWS rows at a time: each thread formats whole
 * chunks into its own buffer, and the chunks go to the file in row order,
 * so the bytes are those of one thread whatever the thread count. */
static void write_features(gj_shared *sh)
{
    const size_t nrows = sh->t->nrows, nchunks = (nrows + GJ_CHUNK_ROWS - 1) / GJ_CHUNK_ROWS;
    int nth = omp_get_max_threads();
    if ((size_t)nth > nchunks)
        nth = nchunks ? (int)nchunks : 1;
#pragma omp parallel num_threads(nth)
    {
        gj_writer w;
        fr_error ierr = {0}, cerr = {0};
        fr_status ist = writer_init(&w, sh->t, sh->path, &ierr);
#pragma omp for ordered schedule(dynamic, 1)
        for (size_t c = 0; c < nchunks; c++) {
            size_t k0 = c * GJ_CHUNK_ROWS, k1 = k0 + GJ_CHUNK_ROWS < nrows ? k0 + GJ_CHUNK_ROWS : nrows;
            int stop;
#pragma omp atomic read
            stop = sh->stop;
            fr_status cst = ist;
            if (ist != FR_OK)
                cerr = ierr;
            else if (!stop)
                cst = format_rows(&w, k0, k1, sh->keys, &cerr);
#pragma omp ordered
            commit_chunk(sh, &w, k0, k1, cst, &cerr);
            w.out.len = 0;
            w.out.err_no = 0;
        }
        writer_clear(&w);
    }
}

fr_status geo_write_geojson(const geo_out_table *t, const char *path, fr_error *err)
{
    fr_status st = geo_out_table_check(t, GEO_OUT_NAME_LONG, err);
    if (st != FR_OK)
        return st;
    if (!path || !path[0])
        return fr_error_set(err, FR_E_INTERNAL, "no output path given for the GeoJSON");

    gj_keys keys = {0};
    geo_out_buf file = {0};
    /* the CRS and the transformation once here, so that a bad one fails
     * before the file is created */
    gj_writer probe;
    st = writer_init(&probe, t, path, err);
    writer_clear(&probe);
    if (st == FR_OK)
        st = make_keys(t, &keys, err);
    if (st == FR_OK)
        st = geo_out_buf_open_tapped(&file, path, t->tap, !t->buffered_io, err);
    gj_shared sh = {.t = t, .path = path, .keys = &keys, .file = &file, .st = FR_OK, .err = err};
    if (st == FR_OK) {
        geo_out_buf_puts(&file, "{\n\"type\": \"FeatureCollection\",\n\"name\": ");
        put_json_string(&file, geo_out_table_layer_name(t));
        geo_out_buf_puts(&file, ",\n\"features\": [\n");
        write_features(&sh);
        st = sh.st;
        if (!sh.crosses_antimeridian)
            geo_out_buf_puts(&file, "\n]\n}\n");
        else
            geo_out_buf_untap(&file, path); /* GDAL's writer replaces these bytes below */
        st = geo_out_buf_close(&file, path, st, err);
    }
    free_keys(&keys, t->nfields);
    if (st == FR_OK && sh.crosses_antimeridian)
        return geo_write_geojson_gdal(t, path, err); /* replaces the partial file */
    return st;
}
