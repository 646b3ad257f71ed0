/*
 * read.c — reads one input layer through GDAL/OGR into a geo_layer (see
 * read.h for what it promises).
 *
 * One pass over the features, on the calling thread, or for a large
 * GeoPackage table on every thread: GDAL datasets are not shareable between
 * threads, so each thread opens the source again and reads FID ranges
 * (fid_ranges.h) into a layer of its own, and the ranges are joined in FID
 * order, their rejects and warnings too, so that the layer and the lists
 * are those of the sequential read at any thread count.  Most of a read is
 * the driver's (SQLite, the geometry blobs, the feature objects), which is
 * why it pays.  Only the mapped fields are read (OGR_L_SetIgnoredFields),
 * which matters for the wide assessor exports real cities have.
 */
#include "read.h"

#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <omp.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <sqlite3.h>

#include "dates.h"
#include "gdal_gate.h"
#include "csv_rows.h"
#include "fid_ranges.h"
#include "gdal_srs.h"
#include "source_files.h"

void geo_init(void)
{
    /* SQLite's memory statistics off, before anything starts SQLite: with
     * them every allocation of every SQLite call (GDAL's GeoPackage reads,
     * our GeoPackage writer's million inserts) takes a global mutex and
     * updates counters nobody reads.  After sqlite3_initialize the call
     * is refused (SQLITE_MISUSE) and changes nothing, which is fine. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    GDALAllRegister();
    /* Errors are collected and reported by us with file/layer/feature
     * context; GDAL's own stderr printing would only add noise. */
    geo_gdal_gate_quiet_default();
}

/* State of one read, so that helpers can name file/layer/feature. */
typedef struct {
    const geo_read_spec *spec;
    geo_gdal_gate *gate;    /* open for the whole read, on this thread */
    const char *label;
    const char *layer_name;
    geo_layer *layer;
    geo_read_stats *stats;
    geo_rejects *rejects;
    geo_rejects *warnings;
    int *field_index;   /* source field index of each spec field */
    int wkt_index, x_index, y_index;
    double *bx, *by;    /* ring scratch */
    size_t bcap;
    size_t unclosed;    /* rings of the current record that were not closed */
    int homes_decided;  /* points_allowed: the layer's kind is settled, by ... */
    int64_t homes_fid;  /* ... this record's geometry (-1: by the x/y fields) */
    int is_shapefile;   /* a record the driver cannot read stops the run (corrupt .shp/.shx) */
    geo_csv_ragged_list ragged; /* CSV rows with more or fewer cells than the header */
} reader;

/* Appends a record to list (the rejects or the warnings) with the file,
 * layer, feature and field named in its detail; FR_E_MEMORY on failure. */
static fr_status note_record(reader *r, geo_rejects *list, int64_t fid, const char *field, const char *reason,
                             const char *detail)
{
    return geo_rejects_add(list, r->spec->role, fid, field, reason, "%s, layer '%s', feature %lld%s%s: %s", r->label,
                           r->layer_name, (long long)fid, field ? ", field " : "", field ? field : "", detail);
}

static fr_status reject(reader *r, int64_t fid, const char *field, const char *reason, const char *detail)
{
    r->stats->rejected++;
    return note_record(r, r->rejects, fid, field, reason, detail);
}

static fr_status warn(reader *r, int64_t fid, const char *field, const char *reason, const char *detail)
{
    return note_record(r, r->warnings, fid, field, reason, detail);
}

/* "a, b, c" list of the layer's field names, for "field not found" errors. */
static void list_fields(OGRFeatureDefnH defn, char *out, size_t size)
{
    out[0] = '\0';
    size_t used = 0;
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n && used + 4 < size; i++) {
        int w = snprintf(out + used, size - used, "%s'%s'", i ? ", " : "",
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        if (w < 0 || (size_t)w >= size - used) {
            snprintf(out + size - 5, 5, "...");
            return;
        }
        used += (size_t)w;
    }
    if (n == 0)
        snprintf(out, size, "(none)");
}

static void list_layers(GDALDatasetH ds, char *out, size_t size)
{
    out[0] = '\0';
    size_t used = 0;
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n && used + 4 < size; i++) {
        int w = snprintf(out + used, size - used, "%s'%s'", i ? ", " : "",
                         OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
    if (n == 0)
        snprintf(out, size, "(none)");
}

/* Field index by name: exact first, then case-insensitive (exports change
 * case between years; shapefiles upper-case everything). */
static int find_field(OGRFeatureDefnH defn, const char *name)
{
    int i = OGR_FD_GetFieldIndex(defn, name);
    if (i >= 0)
        return i;
    int n = OGR_FD_GetFieldCount(defn);
    for (int k = 0; k < n; k++)
        if (strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)), name) == 0)
            return k;
    return -1;
}

static fr_status resolve_field(reader *r, OGRFeatureDefnH defn, const char *what, const char *name,
                               int *index, fr_error *err)
{
    *index = find_field(defn, name);
    if (*index >= 0)
        return FR_OK;
    char names[700];
    list_fields(defn, names, sizeof names);
    return fr_error_set(err, FR_E_CONFIG, "%s, layer '%s': field '%s' (%s of %s) not found; the layer has: %s",
                        r->label, r->layer_name, name, what, r->spec->role, names);
}

static const char *trimmed(const char *s, char *buf, size_t size)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* The value of field fi as trimmed UTF-8 text, in buf when it fits, else in
 * *heap (the caller frees it); NULL when out of memory.
 * - A Real value that is whole is written without decimals ("12", not
 *   "12.000"): an id exported as a number must match the same id exported
 *   as text by another department.
 * - Text that is not valid UTF-8 is recoded from Windows-1252 (what Excel
 *   and most Windows tools export; a superset of Latin-1) and *recoded is
 *   set, so that the outputs (RFC 7946 GeoJSON, the CSVs) stay UTF-8. */
static const char *field_text(OGRFeatureH f, int fi, OGRFieldType ft, char *buf, size_t size, char **heap,
                              int *recoded)
{
    *heap = NULL;
    *recoded = 0;
    if (ft == OFTReal) {
        double v = OGR_F_GetFieldAsDouble(f, fi);
        if (isfinite(v) && v == floor(v) && fabs(v) < 1e15) {
            snprintf(buf, size, "%.0f", v);
            return buf;
        }
    }
    const char *raw = OGR_F_GetFieldAsString(f, fi);
    while (isspace((unsigned char)*raw))
        raw++;
    size_t n = strlen(raw);
    while (n > 0 && isspace((unsigned char)raw[n - 1]))
        n--;
    char *out = buf;
    if (n >= size && !(out = *heap = malloc(n + 1)))
        return NULL;
    memcpy(out, raw, n);
    out[n] = '\0';
    if (CPLIsUTF8(out, -1))
        return out;
    char *utf8 = CPLRecode(out, "CP1252", CPL_ENC_UTF8);
    size_t m = utf8 ? strlen(utf8) : 0;
    char *copy = utf8 ? malloc(m + 1) : NULL;
    if (copy)
        memcpy(copy, utf8, m + 1);
    CPLFree(utf8);
    free(*heap);
    *heap = copy;
    *recoded = 1;
    return copy;
}

/* Number from a text cell: allows surrounding blanks, thousands separators
 * ("1,250") and a leading '$' as found in assessor exports. */
static int parse_number(const char *text, double *out)
{
    char buf[128];
    size_t n = 0;
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '$')
        s++;
    for (; *s && n + 1 < sizeof buf; s++) {
        if (*s == ',')
            continue;
        buf[n++] = *s;
    }
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    if (n == 0)
        return -1;
    /* Decimal only: strtod also reads "0x21" (33), "inf", "nan" and "1p3",
     * none of which an export means as a number. */
    if (strspn(buf, "0123456789+-.eE") != n)
        return -1;
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Yes/no cells as exported by assessors: Y/N, YES/NO, TRUE/FALSE, T/F. */
static int parse_boolean(const char *text, double *out)
{
    static const char *const yes[] = {"Y", "YES", "TRUE", "T"}, *const no[] = {"N", "NO", "FALSE", "F"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(text, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(text, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* The text of a date field for a message: what GDAL makes of a date read
 * as a date (read_attributes formats it only when needed), else text. */
static const char *date_text(OGRFeatureH f, int fi, OGRFieldType ft, const char *text)
{
    return ft == OFTDate || ft == OFTDateTime ? OGR_F_GetFieldAsString(f, fi) : text;
}

/* Stores one value (text as read) into column k of the record in slot. */
static fr_status read_value(reader *r, const geo_field_spec *fs, size_t k, OGRFeatureH f, int fi, OGRFieldType ft,
                            const char *text, int is_null, int64_t fid, size_t slot, int *rejected, fr_error *err)
{
    char msg[1400];
    int missing = is_null || text[0] == '\0';
    switch (fs->type) {
    case GEO_COL_STRING:
        if (missing && fs->required_value) {
            *rejected = 1;
            return reject(r, fid, fs->source_name, "missing_value", "required value is empty");
        }
        if (!missing && geo_layer_set_string(r->layer, k, slot, text, err) != FR_OK)
            return err->status;
        break;
    case GEO_COL_NUMBER: {
        double v = NAN;
        if (!missing) {
            if (ft == OFTInteger || ft == OFTInteger64 || ft == OFTReal)
                v = OGR_F_GetFieldAsDouble(f, fi);
            else if (fs->boolean && parse_boolean(text, &v) == 0)
                ;
            else if (parse_number(text, &v) != 0) {
                snprintf(msg, sizeof msg, "value '%s' is not a number", text);
                if (fs->required_value) {
                    *rejected = 1;
                    return reject(r, fid, fs->source_name, "unparsable_number", msg);
                }
                fr_status st = warn(r, fid, fs->source_name, "unparsable_number", msg);
                if (st != FR_OK)
                    return fr_error_oom(err);
                v = NAN;
            }
        }
        if (missing && fs->required_value) {
            *rejected = 1;
            return reject(r, fid, fs->source_name, "missing_value", "required value is empty");
        }
        geo_layer_set_number(r->layer, k, slot, v);
        break;
    }
    case GEO_COL_DATE: {
        int32_t days = FR_DATE_MISSING;
        if (!missing) {
            if (ft == OFTDate || ft == OFTDateTime) {
                int y, m, d, hh, mm, tz;
                float ss;
                if (OGR_F_GetFieldAsDateTimeEx(f, fi, &y, &m, &d, &hh, &mm, &ss, &tz) && y >= 1 &&
                    m >= 1 && m <= 12 && d >= 1 && d <= 31)
                    days = fr_days_from_civil(y, m, d);
            } else {
                int32_t parsed;
                if (fr_parse_date(text, r->spec->date_format, &parsed) == 0)
                    days = parsed;
            }
            if (days == FR_DATE_MISSING) {
                snprintf(msg, sizeof msg, "value '%s' is not a date%s%s", date_text(f, fi, ft, text),
                         r->spec->date_format ? " in format " : " (expected YYYY-MM-DD, M/D/YYYY or M/D/YY; set date_format)",
                         r->spec->date_format ? r->spec->date_format : "");
                if (fs->required_value) {
                    *rejected = 1;
                    return reject(r, fid, fs->source_name, "unparsable_date", msg);
                }
                fr_status st = warn(r, fid, fs->source_name, "unparsable_date", msg);
                if (st != FR_OK)
                    return fr_error_oom(err);
            }
        } else if (fs->required_value) {
            *rejected = 1;
            return reject(r, fid, fs->source_name, "missing_date", "required date is empty");
        }
        /* A date after the run's day cannot be true (a typo, 2205 for
         * 2025), and one before min_date is a placeholder ("0001-01-01"
         * for "unknown"): either would count as history it is not. */
        if (days != FR_DATE_MISSING && r->spec->date_bounds && fs->required_value &&
            (days > r->spec->max_date || days < r->spec->min_date)) {
            char lo[11], hi[11];
            fr_format_date(r->spec->min_date, lo);
            fr_format_date(r->spec->max_date, hi);
            int future = days > r->spec->max_date;
            snprintf(msg, sizeof msg, future ? "date '%s' is in the future (after %s, the day of the run)"
                                             : "date '%s' is implausible (before %s)",
                     date_text(f, fi, ft, text), future ? hi : lo);
            *rejected = 1;
            return reject(r, fid, fs->source_name, future ? "future_date" : "implausible_date", msg);
        }
        geo_layer_set_date(r->layer, k, slot, days);
        break;
    }
    }
    return FR_OK;
}

/* Reads the mapped attributes of feature f into the last layer slot.
 * Returns FR_OK, or sets *rejected when a required value is unusable. */
static fr_status read_attributes(reader *r, OGRFeatureH f, int64_t fid, size_t slot, int *rejected,
                                 fr_error *err)
{
    char buf[1024], msg[1400];
    char *heap = NULL;
    fr_status st = FR_OK;
    for (size_t k = 0; k < r->spec->nfields && st == FR_OK && !*rejected; k++) {
        free(heap);
        heap = NULL;
        const geo_field_spec *fs = &r->spec->fields[k];
        int fi = r->field_index[k];
        int is_null = !OGR_F_IsFieldSetAndNotNull(f, fi), recoded = 0;
        OGRFieldType ft = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, fi));
        /* A number read as a number (read_value uses GetFieldAsDouble) needs
         * no text: formatting it anyway cost ~1.5 s of CPU per million
         * parcels (GDAL's GetFieldAsString goes through snprintf). */
        int as_number = fs->type == GEO_COL_NUMBER && (ft == OFTInteger || ft == OFTInteger64 || ft == OFTReal);
        /* A date read as a date likewise (its text only names a bad one,
         * see date_text): ~0.4 s of CPU per 700k inspections and fires. */
        int as_date = fs->type == GEO_COL_DATE && (ft == OFTDate || ft == OFTDateTime);
        const char *text = is_null     ? ""
                           : as_number ? "(number)"
                           : as_date   ? "(date)"
                                       : field_text(f, fi, ft, buf, sizeof buf, &heap, &recoded);
        if (!text) {
            st = fr_error_oom_while(err, "reading %s", r->label);
            break;
        }
        if (recoded && fs->type == GEO_COL_STRING) {
            snprintf(msg, sizeof msg, "text is not UTF-8; read as Windows-1252: '%.200s'", text);
            if (warn(r, fid, fs->source_name, "non_utf8_text", msg) != FR_OK) {
                st = fr_error_oom(err);
                break;
            }
        }
        st = read_value(r, fs, k, f, fi, ft, text, is_null, fid, slot, rejected, err);
    }
    free(heap);
    return st;
}

static fr_status ensure_scratch(reader *r, size_t n, fr_error *err)
{
    if (n <= r->bcap)
        return FR_OK;
    size_t cap = r->bcap ? r->bcap : 256;
    while (cap < n)
        cap *= 2;
    double *bx = realloc(r->bx, cap * sizeof *bx);
    if (!bx)
        return fr_error_oom_while(err, "reading %s", r->label);
    r->bx = bx;
    double *by = realloc(r->by, cap * sizeof *by);
    if (!by)
        return fr_error_oom_while(err, "reading %s", r->label);
    r->by = by;
    r->bcap = cap;
    return FR_OK;
}

static int ring_is_finite(const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return 0;
    return 1;
}

/* Appends the rings of one OGR polygon.  Returns 1 when a ring had a
 * non-finite coordinate (caller rejects the feature). */
static int add_polygon(reader *r, OGRGeometryH poly, fr_error *err, fr_status *st)
{
    int nr = OGR_G_GetGeometryCount(poly);
    for (int k = 0; k < nr; k++) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(poly, k);
        int np = OGR_G_GetPointCount(ring);
        if (np == 0)
            continue;
        if ((*st = ensure_scratch(r, (size_t)np, err)) != FR_OK)
            return 0;
        OGR_G_GetPoints(ring, r->bx, sizeof(double), r->by, sizeof(double), NULL, 0);
        if (!ring_is_finite(r->bx, r->by, (size_t)np))
            return 1;
        if (np > 1 && (r->bx[0] != r->bx[np - 1] || r->by[0] != r->by[np - 1]))
            r->unclosed++; /* geo_layer_add_ring closes it; the caller warns */
        if ((*st = geo_layer_add_ring(r->layer, r->bx, r->by, (size_t)np, k == 0, err)) != FR_OK)
            return 0;
    }
    return 0;
}

/* Polygonal parts of g (Polygon, MultiPolygon, or the polygons inside a
 * GeometryCollection, e.g. from MakeValid). */
static int add_polygonal(reader *r, OGRGeometryH g, fr_error *err, fr_status *st)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon)
        return add_polygon(r, g, err, st);
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        int n = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < n && *st == FR_OK; i++) {
            int bad = add_polygonal(r, OGR_G_GetGeometryRef(g, i), err, st);
            if (bad)
                return bad;
        }
    }
    return 0;
}

static int has_polygon_area(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon || t == wkbMultiPolygon)
        return 1;
    if (t == wkbGeometryCollection) {
        int n = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < n; i++)
            if (has_polygon_area(OGR_G_GetGeometryRef(g, i)))
                return 1;
    }
    return 0;
}

/* Geometry of the record: from the geometry column, or built from a WKT or
 * x/y fields.  *owned says whether the caller must destroy it. */
static OGRGeometryH record_geometry(reader *r, OGRFeatureH f, int *owned, const char **problem,
                                    const char **field)
{
    *owned = 0;
    *problem = NULL;
    *field = NULL;
    if (r->wkt_index >= 0) {
        *field = r->spec->wkt_field;
        if (!OGR_F_IsFieldSetAndNotNull(f, r->wkt_index))
            return NULL;
        const char *wkt = OGR_F_GetFieldAsString(f, r->wkt_index);
        while (isspace((unsigned char)*wkt))
            wkt++;
        if (*wkt == '\0')
            return NULL;
        char *p = (char *)wkt;
        OGRGeometryH g = NULL;
        if (OGR_G_CreateFromWkt(&p, NULL, &g) != OGRERR_NONE || !g) {
            *problem = "unparsable WKT";
            return NULL;
        }
        *owned = 1;
        return g;
    }
    if (r->x_index >= 0) {
        *field = r->spec->x_field;
        int xn = !OGR_F_IsFieldSetAndNotNull(f, r->x_index), yn = !OGR_F_IsFieldSetAndNotNull(f, r->y_index);
        if (xn && yn)
            return NULL;
        double x, y;
        char bx[128], by[128];
        const char *tx = trimmed(OGR_F_GetFieldAsString(f, r->x_index), bx, sizeof bx);
        const char *ty = trimmed(OGR_F_GetFieldAsString(f, r->y_index), by, sizeof by);
        if (tx[0] == '\0' && ty[0] == '\0')
            return NULL;
        /* name the field at fault: an empty or unreadable lat is not lon's fault */
        if (parse_number(tx, &x) != 0) {
            *problem = tx[0] ? "the x (longitude) coordinate is not a number" : "the x (longitude) coordinate is empty";
            *field = r->spec->x_field;
            return NULL;
        }
        if (parse_number(ty, &y) != 0) {
            *problem = ty[0] ? "the y (latitude) coordinate is not a number" : "the y (latitude) coordinate is empty";
            *field = r->spec->y_field;
            return NULL;
        }
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, x, y);
        *owned = 1;
        return g;
    }
    return OGR_F_GetGeometryRef(f);
}

/* Sets the point of the current record, or rejects non-finite coordinates. */
static fr_status store_point(reader *r, double x, double y, int64_t fid, const char *field, int *rejected)
{
    if (!isfinite(x) || !isfinite(y)) {
        *rejected = 1;
        return reject(r, fid, field, "invalid_coordinates", "coordinates are not finite numbers");
    }
    geo_layer_set_point(r->layer, x, y);
    return FR_OK;
}

/* The point of a point record: a Point, a MultiPoint of one, or (documented)
 * the centroid of a polygon, as some exports buffer incidents.  Destroys
 * work when owned. */
static fr_status read_point(reader *r, OGRGeometryH work, int owned, int64_t fid, const char *field, int *rejected)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(work));
    double x, y;
    if (t == wkbPoint) {
        x = OGR_G_GetX(work, 0);
        y = OGR_G_GetY(work, 0);
    } else if (t == wkbMultiPoint && OGR_G_GetGeometryCount(work) == 1) {
        OGRGeometryH p = OGR_G_GetGeometryRef(work, 0);
        x = OGR_G_GetX(p, 0);
        y = OGR_G_GetY(p, 0);
    } else if (t == wkbPolygon || t == wkbMultiPolygon) {
        OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_Centroid(work, c);
        x = OGR_G_GetX(c, 0);
        y = OGR_G_GetY(c, 0);
        OGR_G_DestroyGeometry(c);
    } else {
        char msg[256];
        snprintf(msg, sizeof msg, "geometry type %s where a point was expected",
                 OGRGeometryTypeToName(OGR_G_GetGeometryType(work)));
        if (owned)
            OGR_G_DestroyGeometry(work);
        *rejected = 1;
        return reject(r, fid, field, "wrong_geometry_type", msg);
    }
    if (owned)
        OGR_G_DestroyGeometry(work);
    return store_point(r, x, y, fid, field, rejected);
}

/* The rings of a polygon record (Polygon, MultiPolygon, or the polygons of
 * a GeometryCollection).  Validity is checked and repaired for the whole
 * layer afterwards, in parallel (geo/read/validate.c).  Destroys work when
 * owned. */
static fr_status read_polygon(reader *r, OGRGeometryH work, int owned, int64_t fid, const char *field, int *rejected,
                              fr_error *err)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(work));
    char msg[256];
    if (t != wkbPolygon && t != wkbMultiPolygon && !(t == wkbGeometryCollection && has_polygon_area(work))) {
        snprintf(msg, sizeof msg, "geometry type %s where a polygon was expected",
                 OGRGeometryTypeToName(OGR_G_GetGeometryType(work)));
        if (owned)
            OGR_G_DestroyGeometry(work);
        *rejected = 1;
        return reject(r, fid, field, "wrong_geometry_type", msg);
    }
    fr_status st = FR_OK;
    r->unclosed = 0;
    int bad = add_polygonal(r, work, err, &st);
    if (st == FR_OK && !bad && r->unclosed) {
        snprintf(msg, sizeof msg, "%zu ring(s) did not end where they started; closed them", r->unclosed);
        if (warn(r, fid, field, "unclosed_ring", msg) != FR_OK)
            st = fr_error_oom(err);
    }
    if (owned)
        OGR_G_DestroyGeometry(work);
    if (st != FR_OK)
        return st;
    if (bad || !geo_layer_has_geometry(r->layer, r->layer->count - 1)) {
        *rejected = 1;
        return reject(r, fid, field, bad ? "invalid_coordinates" : "empty_geometry",
                      bad ? "coordinates are not finite numbers" : "polygon has no rings");
    }
    return FR_OK;
}

/* A home of a layer that may hold points or polygons (read.h,
 * points_allowed).  The first record with a point or a polygon decides the
 * layer's kind, in the driver's order, so the same file always gives the
 * same kind; a record of the other kind is a counted reject, as any record
 * of the wrong type.  A MultiPoint home stands at its first point: an
 * address point of the source, where a centroid of scattered points could
 * fall in the street.  Destroys work when owned. */
static fr_status read_home(reader *r, OGRGeometryH work, int owned, int64_t fid, const char *field, int *rejected,
                           fr_error *err)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(work));
    int is_point = t == wkbPoint || t == wkbMultiPoint;
    int is_polygon = t == wkbPolygon || t == wkbMultiPolygon || (t == wkbGeometryCollection && has_polygon_area(work));
    if (!r->homes_decided && (is_point || is_polygon)) {
        r->homes_decided = 1;
        r->homes_fid = fid;
        if (is_point && geo_layer_make_points(r->layer, err) != FR_OK) {
            if (owned)
                OGR_G_DestroyGeometry(work);
            return err->status;
        }
    }
    int points = r->layer->kind == GEO_GEOM_POINT;
    if (is_polygon && !points)
        return read_polygon(r, work, owned, fid, field, rejected, err);
    if (is_point && points) {
        OGRGeometryH p = work;
        for (int k = 0, n = t == wkbMultiPoint ? OGR_G_GetGeometryCount(work) : 0; k < n; k++)
            if (!OGR_G_IsEmpty(p = OGR_G_GetGeometryRef(work, k)))
                break;
        double x = OGR_G_GetX(p, 0), y = OGR_G_GetY(p, 0);
        if (owned)
            OGR_G_DestroyGeometry(work);
        return store_point(r, x, y, fid, field, rejected);
    }
    char msg[300];
    const char *type = OGRGeometryTypeToName(OGR_G_GetGeometryType(work));
    if (!r->homes_decided)
        snprintf(msg, sizeof msg, "geometry type %s where a polygon or a point was expected", type);
    else if (r->homes_fid < 0)
        snprintf(msg, sizeof msg, "geometry type %s where the layer's homes are points (its x/y fields)", type);
    else
        snprintf(msg, sizeof msg,
                 "geometry type %s where the layer's homes are %s (as its first feature with a geometry, %lld, is)",
                 type, points ? "points" : "polygons", (long long)r->homes_fid);
    if (owned)
        OGR_G_DestroyGeometry(work);
    *rejected = 1;
    return reject(r, fid, field, "wrong_geometry_type", msg);
}

/* Adds the geometry of the current record.  Sets *rejected when the record
 * cannot be used. */
static fr_status read_geometry(reader *r, OGRFeatureH f, int64_t fid, int *rejected, fr_error *err)
{
    int owned;
    const char *problem, *field;
    OGRGeometryH g = record_geometry(r, f, &owned, &problem, &field);
    if (problem) {
        *rejected = 1;
        return reject(r, fid, field, r->wkt_index >= 0 ? "invalid_geometry" : "unparsable_coordinates", problem);
    }
    if (!g || OGR_G_IsEmpty(g)) {
        if (owned && g)
            OGR_G_DestroyGeometry(g);
        if (r->spec->geometry_required) {
            *rejected = 1;
            return reject(r, fid, field, g ? "empty_geometry" : "no_geometry",
                          g ? "geometry is empty" : "record has no geometry");
        }
        r->stats->no_geometry++;
        return FR_OK;
    }
    /* Curves (CircularString, CurvePolygon, ...) as their linear approximation. */
    if (OGR_GT_IsNonLinear(OGR_G_GetGeometryType(g))) {
        OGRGeometryH linear = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (owned)
            OGR_G_DestroyGeometry(g);
        g = linear;
        owned = 1;
    }
    if (r->spec->kind == GEO_GEOM_POINT)
        return read_point(r, g, owned, fid, field, rejected);
    if (r->spec->points_allowed)
        return read_home(r, g, owned, fid, field, rejected, err);
    return read_polygon(r, g, owned, fid, field, rejected, err);
}

/* CRS of the records: the configured one, else the source's. */
static fr_status resolve_srs(reader *r, OGRLayerH lyr, char **wkt_out, fr_error *err)
{
    *wkt_out = NULL;
    OGRSpatialReferenceH srs = NULL;
    if (r->spec->crs) {
        geo_gdal_gate_clear(r->gate);
        if (!(srs = geo_gdal_srs(r->spec->crs)))
            return fr_error_set(err, FR_E_CONFIG, "%s: crs '%s' of layer %s is not a CRS PROJ knows (%s)",
                                r->label, r->spec->crs, r->spec->role, geo_gdal_gate_msg(r->gate, ""));
    } else if (r->wkt_index < 0 && r->x_index < 0 && OGR_L_GetSpatialRef(lyr)) {
        srs = OSRClone(OGR_L_GetSpatialRef(lyr));
    }
    if (!srs && r->is_shapefile && r->wkt_index < 0 && r->x_index < 0) {
        /* a .prj beside the .shp that GDAL could not read: say so, not "no CRS" */
        size_t n = strlen(r->spec->source);
        char prj[4200];
        struct stat sb;
        snprintf(prj, sizeof prj, "%.*s.prj", (int)(n - 4), r->spec->source);
        if (stat(prj, &sb) != 0)
            snprintf(prj, sizeof prj, "%.*s.PRJ", (int)(n - 4), r->spec->source);
        if (stat(prj, &sb) == 0)
            return fr_error_set(err, FR_E_INPUT,
                                "%s, layer '%s': the Shapefile's .prj file (%s) cannot be read as a CRS (corrupt or "
                                "not WKT); fix it, or give the CRS as `crs:` in layers.%s",
                                r->label, r->layer_name, prj, r->spec->role);
    }
    if (!srs)
        return fr_error_set(err, FR_E_INPUT,
                            "%s, layer '%s': the source has no CRS and none is configured; add `crs:` "
                            "(e.g. EPSG:4326 for lon/lat) to layers.%s",
                            r->label, r->layer_name, r->spec->role);
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2018", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
        OSRDestroySpatialReference(srs);
        CPLFree(wkt);
        return fr_error_set(err, FR_E_INPUT, "%s: cannot express the CRS of layer %s as WKT", r->label,
                            r->spec->role);
    }
    *wkt_out = strdup(wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    return *wkt_out ? FR_OK : fr_error_oom(err);
}

/* Tell OGR to skip every field we do not read (wide assessor tables). */
static void ignore_other_fields(reader *r, OGRLayerH lyr)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int n = OGR_FD_GetFieldCount(defn);
    char **ignored = NULL;
    for (int i = 0; i < n; i++) {
        int used = i == r->wkt_index || i == r->x_index || i == r->y_index;
        for (size_t k = 0; k < r->spec->nfields && !used; k++)
            used = r->field_index[k] == i;
        if (!used)
            ignored = CSLAddString(ignored, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    if (r->wkt_index >= 0 || r->x_index >= 0)
        ignored = CSLAddString(ignored, "OGR_GEOMETRY");
    OGR_L_SetIgnoredFields(lyr, (const char **)ignored);
    CSLDestroy(ignored);
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The first n bytes of path into buf (fewer when the file is shorter);
 * the count read, or -1 with errno set. */
static long read_head(const char *path, unsigned char *buf, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t got = fread(buf, 1, n, fp);
    fclose(fp);
    return (long)got;
}

/* A Shapefile cut by a failed copy: GDAL reads the records that are there
 * and returns the rest without geometry (or stops), so the run would
 * publish part of the city as if it were all of it.  The .shp and .shx
 * headers state their length (bytes 24-27, big-endian 16-bit words) and
 * every .shx entry where its record ends: a file shorter than that is
 * truncated, and the run stops, as it does for a cut .dbf.  A file that is
 * not a Shapefile at all (no file code 9994) is left to GDAL to refuse. */
static fr_status check_shapefile_lengths(reader *r, const char *shp, const char *shx, fr_error *err)
{
    const char *paths[2] = {shp, shx}, *what[2] = {"geometry (.shp)", "index (.shx)"};
    long long size[2];
    unsigned char head[100];
    for (int i = 0; i < 2; i++) {
        struct stat sb;
        long got = stat(paths[i], &sb) == 0 ? read_head(paths[i], head, sizeof head) : -1;
        if (got < 0)
            return fr_error_set(err, FR_E_INPUT, "%s: %s (layers.%s.source)", paths[i], strerror(errno),
                                r->spec->role);
        size[i] = (long long)sb.st_size;
        if (got >= 4 && be32(head) != 9994)
            return FR_OK; /* not a Shapefile: GDAL says so */
        long long declared = got == (long)sizeof head ? 2LL * be32(head + 24) : -1;
        if (got < (long)sizeof head || size[i] < declared)
            return fr_error_set(err, FR_E_INPUT,
                                "%s: the Shapefile's %s file is truncated: %s%lld bytes%s%lld (a failed or unfinished "
                                "copy?); the run stops rather than publish part of the layer (layers.%s.source)",
                                paths[i], what[i], got < (long)sizeof head ? "shorter than its header of " : "its header says ",
                                got < (long)sizeof head ? 100LL : declared, ", the file has ", size[i], r->spec->role);
    }
    FILE *fp = fopen(shx, "rb");
    if (!fp || fseek(fp, 100, SEEK_SET) != 0) {
        if (fp)
            fclose(fp);
        return fr_error_set(err, FR_E_INPUT, "%s: %s (layers.%s.source)", shx, strerror(errno), r->spec->role);
    }
    unsigned char e[8];
    fr_status st = FR_OK;
    for (long long rec = 1; st == FR_OK && fread(e, 1, sizeof e, fp) == sizeof e; rec++) {
        long long end = 2LL * be32(e) + 8 + 2LL * be32(e + 4);
        if (end > size[0])
            st = fr_error_set(err, FR_E_INPUT,
                              "%s: the Shapefile's geometry (.shp) file is truncated or corrupt: record %lld ends at "
                              "byte %lld, the file has %lld (layers.%s.source)",
                              shp, rec, end, size[0], r->spec->role);
    }
    fclose(fp);
    return st;
}

/* A Shapefile is at least .shp, .shx and .dbf.  GDAL opens a .shp without
 * its .dbf as a layer with no fields, which would surface as "field not
 * found"; name the missing file instead. */
static fr_status check_shapefile_parts(reader *r, fr_error *err)
{
    const char *src = r->spec->source;
    size_t n = strlen(src);
    if (n < 4 || strcasecmp(src + n - 4, ".shp") != 0)
        return FR_OK;
    r->is_shapefile = 1;
    static const char *const parts[][2] = {{".dbf", ".DBF"}, {".shx", ".SHX"}, {".prj", ".PRJ"}, {".cpg", ".CPG"}};
    char shx[4200] = "";
    for (size_t i = 0; i < 4; i++) {
        char lower[4200], upper[4200];
        struct stat sb;
        snprintf(lower, sizeof lower, "%.*s%s", (int)(n - 4), src, parts[i][0]);
        snprintf(upper, sizeof upper, "%.*s%s", (int)(n - 4), src, parts[i][1]);
        const char *found = stat(lower, &sb) == 0 ? lower : stat(upper, &sb) == 0 ? upper : NULL;
        if (!found && i >= 2)
            continue; /* .prj and .cpg are optional */
        if (!found)
            return fr_error_set(err, FR_E_INPUT,
                                "%s: the Shapefile's %s file is missing (%s); a Shapefile needs its .shp, .shx and "
                                ".dbf side by side (layers.%s.source)",
                                r->label, i == 0 ? "attribute (.dbf)" : "index (.shx)", lower, r->spec->role);
        if (access(found, R_OK) != 0)
            return fr_error_set(err, FR_E_INPUT, "%s: %s (layers.%s.source)", found, strerror(errno), r->spec->role);
        if (i == 1)
            snprintf(shx, sizeof shx, "%s", found);
    }
    return check_shapefile_lengths(r, src, shx, err);
}

static fr_status open_layer(reader *r, GDALDatasetH *ds_out, OGRLayerH *lyr_out, fr_error *err)
{
    const geo_read_spec *s = r->spec;
    struct stat sb;
    /* Connection strings ("PG:...") and GDAL virtual paths are not files. */
    int is_file = geo_source_is_path(s->source);
    if (is_file && stat(s->source, &sb) != 0)
        return fr_error_set(err, FR_E_INPUT, "%s: %s (layers.%s.source)", r->label, strerror(errno), s->role);
    char where[160];
    snprintf(where, sizeof where, "layers.%s.source", s->role);
    fr_status kind = geo_source_check_kind(s->source, where, err);
    if (kind != FR_OK)
        return kind;
    /* A directory is a valid OGR source too (shapefiles, FileGDB). */
    if (is_file && access(s->source, S_ISDIR(sb.st_mode) ? R_OK | X_OK : R_OK) != 0)
        return fr_error_set(err, FR_E_INPUT, "%s: %s (layers.%s.source)", r->label, strerror(errno), s->role);
    if (is_file && S_ISREG(sb.st_mode) && sb.st_size == 0)
        return fr_error_set(err, FR_E_INPUT, "%s: the file is empty (0 bytes) (layers.%s.source)", r->label, s->role);
    if (is_file && S_ISREG(sb.st_mode)) {
        fr_status st = check_shapefile_parts(r, err);
        if (st != FR_OK)
            return st;
    }
    geo_gdal_gate_clear(r->gate);
    GDALDatasetH ds = GDALOpenEx(s->source, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 (const char *const *)s->open_options, NULL);
    if (!ds && is_file && S_ISDIR(sb.st_mode))
        return fr_error_set(err, FR_E_INPUT,
                            "%s: is a directory, and not one GDAL reads as a vector source (a folder of Shapefiles, "
                            "a FileGDB); name the file itself in layers.%s.source",
                            r->label, s->role);
    if (!ds) {
        const char *why = geo_gdal_gate_msg(r->gate, NULL);
        return fr_error_set(err, FR_E_INPUT, "%s: cannot open as a vector source for layers.%s%s%s", r->label,
                            s->role, why && *why ? ": " : " (not a format GDAL reads, or unreadable)",
                            why && *why ? why : "");
    }
    OGRLayerH lyr = NULL;
    if (s->layer) {
        lyr = GDALDatasetGetLayerByName(ds, s->layer);
        if (!lyr) {
            char names[700];
            list_layers(ds, names, sizeof names);
            GDALClose(ds);
            return fr_error_set(err, FR_E_CONFIG, "%s: layer '%s' (layers.%s.layer) not found; the source has: %s",
                                r->label, s->layer, s->role, names);
        }
    } else {
        int n = GDALDatasetGetLayerCount(ds);
        if (n == 0) {
            GDALClose(ds);
            return fr_error_set(err, FR_E_INPUT, "%s: the source has no layers (layers.%s)", r->label, s->role);
        }
        if (n > 1) {
            char names[700];
            list_layers(ds, names, sizeof names);
            GDALClose(ds);
            return fr_error_set(err, FR_E_CONFIG, "%s: the source has %d layers; name one in layers.%s.layer: %s",
                                r->label, n, s->role, names);
        }
        lyr = GDALDatasetGetLayer(ds, 0);
    }
    *ds_out = ds;
    *lyr_out = lyr;
    return FR_OK;
}

/* A CSV source read by GDAL's CSV driver: its rows whose cell count is
 * not the header's, to be rejected as ragged_row (csv_rows.h).  The
 * separator is the SEPARATOR open option's, else detected as the driver
 * does; HEADERS=NO has no header to compare with. */
static fr_status scan_csv_rows(reader *r, GDALDatasetH ds, fr_error *err)
{
    GDALDriverH drv = GDALGetDatasetDriver(ds);
    const char *const *oo = r->spec->open_options;
    if (!drv || strcmp(GDALGetDriverShortName(drv), "CSV") != 0 || !geo_source_is_path(r->spec->source))
        return FR_OK;
    const char *headers = CSLFetchNameValue((char **)oo, "HEADERS");
    if (headers && !strcasecmp(headers, "NO"))
        return FR_OK;
    const char *sep = CSLFetchNameValue((char **)oo, "SEPARATOR");
    static const char *const names[] = {"COMMA", "SEMICOLON", "TAB", "SPACE", "PIPE"};
    static const char chars[] = {',', ';', '\t', ' ', '|'};
    char c = 0;
    for (size_t i = 0; sep && i < sizeof chars; i++)
        if (!strcasecmp(sep, names[i]))
            c = chars[i];
    return geo_csv_ragged_scan(r->spec->source, c, &r->ragged, err);
}

/* Finds the mapped fields, and the WKT or x/y fields a geometry is built
 * from, in the layer; FR_E_CONFIG naming what is missing. */
static fr_status resolve_fields(reader *r, OGRFeatureDefnH defn, fr_error *err)
{
    const geo_read_spec *spec = r->spec;
    fr_status st = FR_OK;
    for (size_t k = 0; k < spec->nfields && st == FR_OK; k++)
        st = resolve_field(r, defn, spec->fields[k].name, spec->fields[k].source_name, &r->field_index[k], err);
    if (st == FR_OK && spec->wkt_field)
        st = resolve_field(r, defn, "geometry.wkt", spec->wkt_field, &r->wkt_index, err);
    if (st == FR_OK && spec->x_field)
        st = resolve_field(r, defn, "geometry.x", spec->x_field, &r->x_index, err);
    if (st == FR_OK && spec->x_field)
        st = resolve_field(r, defn, "geometry.y", spec->y_field, &r->y_index, err);
    if (st != FR_OK)
        return st;
    if (r->wkt_index < 0 && r->x_index < 0 && OGR_FD_GetGeomFieldCount(defn) == 0 && spec->geometry_required) {
        char names[700];
        list_fields(defn, names, sizeof names);
        return fr_error_set(err, FR_E_CONFIG,
                            "%s, layer '%s': no geometry column; name a WKT field (geometry: {wkt: FIELD}) or "
                            "coordinate fields (geometry: {x: LON, y: LAT}) in layers.%s; the layer has: %s",
                            r->label, r->layer_name, spec->role, names);
    }
    return FR_OK;
}

/* The empty layer the records go into, with its CRS and columns. */
static fr_status make_layer(reader *r, int has_geometry_source, const char *srs_wkt, fr_error *err)
{
    const geo_read_spec *spec = r->spec;
    /* homes given by x/y fields are points from the start */
    geo_geom_kind kind = !has_geometry_source ? GEO_GEOM_NONE
                         : spec->points_allowed && r->x_index >= 0 ? GEO_GEOM_POINT
                                                                   : spec->kind;
    r->homes_decided = kind == GEO_GEOM_POINT;
    r->homes_fid = -1;
    r->layer = geo_layer_new(spec->role, r->label, r->layer_name, kind);
    if (!r->layer || geo_layer_set_srs(r->layer, srs_wkt, err) != FR_OK)
        return fr_error_oom(err);
    fr_status st = FR_OK;
    for (size_t k = 0; k < spec->nfields && st == FR_OK; k++)
        st = geo_layer_add_column(r->layer, spec->fields[k].name, spec->fields[k].source_name, spec->fields[k].type,
                                  NULL, err);
    return st;
}

/* Adds record f as the last feature of the layer, or rejects it (the gate
 * was cleared just before the driver returned it). */
/* The reject just written carries the record's own id (fields.record_id)
 * and its address as read, when mapped, so that rejects.csv joins back to
 * the source system. */
static fr_status tag_reject(reader *r, OGRFeatureH f, fr_error *err)
{
    const char *text[2] = {NULL, NULL};
    static const char *const names[2] = {"record_id", "address"};
    for (size_t k = 0; k < r->spec->nfields; k++)
        for (int j = 0; j < 2; j++)
            if (!strcmp(r->spec->fields[k].name, names[j]) && OGR_F_IsFieldSetAndNotNull(f, r->field_index[k]))
                text[j] = OGR_F_GetFieldAsString(f, r->field_index[k]);
    if ((!text[0] && !text[1]) || !r->rejects->count)
        return FR_OK;
    if (geo_rejects_tag(r->rejects, r->rejects->count - 1, text[0], text[1]) != FR_OK)
        return fr_error_oom_while(err, "reading %s", r->label);
    return FR_OK;
}

static fr_status read_record(reader *r, OGRFeatureH f, fr_error *err)
{
    r->stats->read++;
    int64_t fid = OGR_F_GetFID(f);
    if (fid == OGRNullFID)
        fid = (int64_t)r->stats->read;
    size_t slot;
    fr_status st = geo_layer_add_feature(r->layer, fid, &slot, err);
    if (st != FR_OK)
        return st;
    int rejected = 0;
    /* The driver returned the record but failed on part of it (a .shp
     * truncated mid-record, a corrupt blob): its geometry or values
     * cannot be trusted. */
    if (geo_gdal_gate_failed(r->gate) && r->is_shapefile)
        return fr_error_set(err, FR_E_INPUT,
                            "%s, layer '%s', feature %lld: the driver could not read the record (a corrupt .shp or "
                            ".shx); the run stops rather than publish part of the layer: %s",
                            r->label, r->layer_name, (long long)fid, geo_gdal_gate_msg(r->gate, ""));
    if (geo_gdal_gate_failed(r->gate)) {
        char msg[700];
        snprintf(msg, sizeof msg, "the driver could not read the record: %s", geo_gdal_gate_msg(r->gate, ""));
        geo_gdal_gate_clear(r->gate);
        rejected = 1;
        if (reject(r, fid, NULL, "unreadable_record", msg) != FR_OK)
            st = fr_error_oom_while(err, "reading %s", r->label);
    }
    const geo_csv_ragged *rag = r->ragged.count ? geo_csv_ragged_find(&r->ragged, fid) : NULL;
    if (st == FR_OK && !rejected && rag) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "line %ld has %d cells where the header has %d (an unquoted comma in a value?); its values "
                 "cannot be told apart, so the record is not used",
                 rag->line, rag->cells, r->ragged.header_cells);
        rejected = 1;
        if (reject(r, fid, NULL, "ragged_row", msg) != FR_OK)
            st = fr_error_oom_while(err, "reading %s", r->label);
    }
    if (st == FR_OK && !rejected)
        st = read_attributes(r, f, fid, slot, &rejected, err);
    if (st == FR_OK && !rejected && r->layer->kind != GEO_GEOM_NONE)
        st = read_geometry(r, f, fid, &rejected, err);
    if (st == FR_OK && rejected) {
        geo_layer_drop_last(r->layer);
        st = tag_reject(r, f, err);
    }
    return st;
}

/* The records of lyr in the driver's order: all of them, or (first >= 0)
 * those from record index first (OGR_L_SetNextByIndex) up to FID last. */
static fr_status read_records(reader *r, OGRLayerH lyr, int64_t first, int64_t last, fr_error *err)
{
    OGR_L_ResetReading(lyr);
    if (first >= 0 && OGR_L_SetNextByIndex(lyr, first) != OGRERR_NONE)
        return fr_error_set(err, FR_E_INPUT, "%s, layer '%s': cannot start reading at feature %lld: %s", r->label,
                            r->layer_name, (long long)first, geo_gdal_gate_msg(r->gate, ""));
    /* the count only where it is cheap (no forced scan) */
    GIntBig total = r->spec->progress ? OGR_L_GetFeatureCount(lyr, FALSE) : -1;
    for (size_t k = 0;; k++) {
        if (total > 0 && (k & 4095) == 0)
            r->spec->progress(r->spec->progress_arg, (double)k / (double)total);
        geo_gdal_gate_clear(r->gate); /* what follows is about this record only */
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        if (!f)
            break;
        if (first >= 0 && OGR_F_GetFID(f) > last) { /* the next range's */
            OGR_F_Destroy(f);
            break;
        }
        fr_status st = read_record(r, f, err);
        OGR_F_Destroy(f);
        if (st != FR_OK) {
            if (st == FR_E_MEMORY && err->message[0] == '\0')
                fr_error_oom_while(err, "reading %s", r->label);
            return st;
        }
    }
    if (geo_gdal_gate_failed(r->gate))
        return fr_error_set(err, FR_E_INPUT, "%s, layer '%s': reading stopped after %zu features: %s", r->label,
                            r->layer_name, r->stats->read, geo_gdal_gate_msg(r->gate, ""));
    return FR_OK;
}

/* ---- the parallel read of a GeoPackage table or a Shapefile over FID ranges ---- */

/* A range's records, rejects and warnings, until they join the whole. */
typedef struct {
    geo_layer *layer;
    geo_rejects rejects, warnings;
    geo_read_stats stats;
    fr_status st;
    fr_error err;
} range_part;

/* The empty layer of a range: the columns of whole, nothing else. */
static geo_layer *range_layer(const geo_layer *whole)
{
    geo_layer *l = geo_layer_new(whole->name, whole->source, whole->source_layer, whole->kind);
    fr_error ignored;
    for (size_t c = 0; l && c < whole->ncols; c++)
        if (geo_layer_add_column(l, whole->cols[c].name, whole->cols[c].source_name, whole->cols[c].type, NULL,
                                 &ignored) != FR_OK) {
            geo_layer_free(l);
            l = NULL;
        }
    return l;
}

/* The records of FIDs rg into part, through this thread's reader t (its
 * own dataset's layer lyr, or NULL when it could not be opened).  The part's
 * layer is the thread's *mine (a layer of shape's columns, made at its first
 * range): emptied by each join, it keeps its arrays for the next range.  A
 * new layer each range claimed new memory for every range, and each grew
 * by copies: 2.6 GB of new pages at 5M parcels, 1 to 3 s a GB in a VM that
 * hands free memory back to its host. */
static void read_range(reader *t, const geo_layer *shape, OGRLayerH lyr, const char *fid_col, geo_fid_select how,
                       geo_fid_range rg, geo_layer **mine, range_part *part)
{
    memset(part, 0, sizeof *part);
    if (!*mine)
        *mine = range_layer(shape);
    part->layer = *mine;
    if (!part->layer) {
        part->st = fr_error_oom_while(&part->err, "reading %s", t->label);
        return;
    }
    if (!lyr) {
        part->st = fr_error_set(&part->err, FR_E_INPUT, "%s, layer '%s': cannot open the source again to read it "
                                "on several threads: %s", t->label, t->layer_name, geo_gdal_gate_msg(t->gate, ""));
        return;
    }
    geo_gdal_gate_clear(t->gate);
    if (how == GEO_FID_BY_FILTER) {
        char filter[400];
        snprintf(filter, sizeof filter, "\"%s\" >= %lld AND \"%s\" <= %lld", fid_col, (long long)rg.lo, fid_col,
                 (long long)rg.hi);
        if (OGR_L_SetAttributeFilter(lyr, filter) != OGRERR_NONE) {
            part->st = fr_error_set(&part->err, FR_E_INPUT,
                                    "%s, layer '%s': cannot select features %lld to %lld: %s", t->label,
                                    t->layer_name, (long long)rg.lo, (long long)rg.hi,
                                    geo_gdal_gate_msg(t->gate, ""));
            return;
        }
    }
    t->layer = part->layer;
    t->stats = &part->stats;
    t->rejects = &part->rejects;
    t->warnings = &part->warnings;
    part->st = how == GEO_FID_BY_INDEX ? read_records(t, lyr, rg.lo, rg.hi, &part->err)
                                       : read_records(t, lyr, -1, -1, &part->err);
}

/* Room in the whole for the points and rings of the ranges to come,
 * foreseen from those so far (the ranges are equal spans of FIDs) with a
 * tenth more: the whole is not copied at each doubling on its way there.
 * A hint: the room not used is never touched, and a shortfall grows as
 * before. */
static void reserve_for_ranges(geo_layer *whole, const geo_layer *part, size_t k, size_t nr)
{
    if (whole->kind != GEO_GEOM_POLYGON || whole->npts + part->npts <= whole->pt_cap)
        return;
    double scale = (double)nr / (double)(k + 1) * 1.1;
    size_t pts = (size_t)((double)(whole->npts + part->npts) * scale);
    size_t rings = (size_t)((double)(whole->nrings + part->nrings) * scale);
    fr_error ignored;
    (void)geo_layer_reserve(whole, 0, rings, pts, &ignored);
}

/* Joins part (range k of nr) to the whole read r, in range order; the
 * part's layer is left empty, or freed (NULL) when it could not join. */
static fr_status join_range(reader *r, range_part *part, size_t k, size_t nr, fr_error *err)
{
    fr_status st = part->st;
    if (st != FR_OK)
        *err = part->err;
    if (st == FR_OK) {
        reserve_for_ranges(r->layer, part->layer, k, nr);
        st = geo_layer_append(r->layer, part->layer, err);
    }
    if (st == FR_OK && (geo_rejects_move(r->rejects, &part->rejects) != FR_OK ||
                        geo_rejects_move(r->warnings, &part->warnings) != FR_OK))
        st = fr_error_oom_while(err, "reading %s", r->label);
    r->stats->read += part->stats.read;
    r->stats->rejected += part->stats.rejected;
    r->stats->no_geometry += part->stats.no_geometry;
    if (st != FR_OK) {
        geo_layer_free(part->layer);
        part->layer = NULL;
    }
    geo_rejects_clear(&part->rejects);
    geo_rejects_clear(&part->warnings);
    return st;
}

/* Every record of the layer over nr FID ranges, on every thread; the
 * ranges join r's layer, rejects and warnings in order (omp ordered), so
 * at most a few ranges wait in memory. */
static fr_status read_ranges(reader *r, const char *layer_name, const char *fid_col, geo_fid_select how,
                             const geo_fid_range *rg, size_t nr, size_t expect, fr_error *err)
{
    geo_layer *shape = range_layer(r->layer); /* read only while r->layer grows */
    if (!shape)
        return fr_error_oom_while(err, "reading %s", r->label);
    fr_error ignored; /* a hint (geo_layer_reserve): the features the source counts */
    (void)geo_layer_reserve(r->layer, expect, 0, 0, &ignored);
    fr_status st = FR_OK;
    geo_read_spec quiet = *r->spec; /* the progress is told by the joins, one at a time */
    quiet.progress = NULL;
#pragma omp parallel
    {
        geo_gdal_gate gate;
        geo_gdal_gate_begin(&gate);
        reader t = *r;
        t.spec = &quiet;
        t.gate = &gate;
        t.bx = t.by = NULL;
        t.bcap = 0;
        geo_layer *mine = NULL; /* this thread's part layer, kept from range to range */
        GDALDatasetH ds = GDALOpenEx(r->spec->source, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                     (const char *const *)r->spec->open_options, NULL);
        OGRLayerH lyr = ds ? GDALDatasetGetLayerByName(ds, layer_name) : NULL;
        if (lyr)
            ignore_other_fields(&t, lyr);
#pragma omp for ordered schedule(dynamic, 1)
        for (size_t k = 0; k < nr; k++) {
            fr_status now;
#pragma omp atomic read
            now = st;
            range_part part;
            memset(&part, 0, sizeof part);
            if (now == FR_OK)
                read_range(&t, shape, lyr, fid_col, how, rg[k], &mine, &part);
#pragma omp ordered
            {
                if (st == FR_OK) {
                    fr_status joined = join_range(r, &part, k, nr, err);
                    mine = part.layer;
#pragma omp atomic write
                    st = joined;
                    if (joined == FR_OK && r->spec->progress)
                        r->spec->progress(r->spec->progress_arg, (double)(k + 1) / (double)nr);
                } else {
                    if (part.layer == mine) /* this range was read: its records go with it */
                        mine = NULL;
                    geo_layer_free(part.layer);
                    geo_rejects_clear(&part.rejects);
                    geo_rejects_clear(&part.warnings);
                }
            }
        }
        geo_layer_free(mine);
        free(t.bx);
        free(t.by);
        if (ds)
            GDALClose(ds);
        geo_gdal_gate_end_quiet(&gate);
    }
    geo_layer_free(shape);
    return st;
}

/* Every record, on several threads when the source allows it. */
static fr_status read_all(reader *r, GDALDatasetH ds, OGRLayerH lyr, fr_error *err)
{
    geo_fid_range *rg = NULL;
    geo_fid_select how = GEO_FID_BY_FILTER;
    size_t nr = 0;
    if (!r->spec->where && geo_source_is_path(r->spec->source))
        nr = geo_fid_ranges(ds, lyr, omp_get_max_threads(),
                            r->spec->parallel_min_features ? r->spec->parallel_min_features : GEO_READ_PARALLEL_MIN, &rg,
                            &how);
    size_t expect = 0;
    if (nr) { /* the count GDAL keeps (a GeoPackage's gpkg_ogr_contents), never more than the FIDs' span */
        GIntBig count = OGR_L_GetFeatureCount(lyr, FALSE);
        uint64_t span = (uint64_t)(rg[nr - 1].hi - rg[0].lo) + 1;
        if (count > 0)
            expect = (uint64_t)count < span ? (size_t)count : (size_t)span;
    }
    fr_status st = nr ? read_ranges(r, OGR_L_GetName(lyr), OGR_L_GetFIDColumn(lyr), how, rg, nr, expect, err)
                      : read_records(r, lyr, -1, -1, err);
    free(rg);
    return st;
}

fr_status geo_read_layer(const geo_read_spec *spec, geo_layer **out, geo_read_stats *stats,
                         geo_rejects *rejects, geo_rejects *warnings, fr_error *err)
{
    *out = NULL;
    memset(stats, 0, sizeof *stats);
    geo_gdal_gate gate;
    reader r = {.spec = spec, .gate = &gate, .label = spec->source_label ? spec->source_label : spec->source,
                .stats = stats, .rejects = rejects, .warnings = warnings,
                .wkt_index = -1, .x_index = -1, .y_index = -1};
    /* Failures are reported where they happen, with the file, layer and
     * record; the gate only collects them (closing a read-only dataset has
     * nothing to report). */
    geo_gdal_gate_begin(&gate);
    GDALDatasetH ds = NULL;
    OGRLayerH lyr = NULL;
    char *srs_wkt = NULL;
    fr_status st = open_layer(&r, &ds, &lyr, err);
    if (st != FR_OK)
        goto done;
    r.layer_name = OGR_L_GetName(lyr);
    if ((st = scan_csv_rows(&r, ds, err)) != FR_OK)
        goto done;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    r.field_index = calloc(spec->nfields ? spec->nfields : 1, sizeof *r.field_index);
    if (!r.field_index) {
        st = fr_error_oom(err);
        goto done;
    }
    if ((st = resolve_fields(&r, defn, err)) != FR_OK)
        goto done;
    int has_geometry_source = r.wkt_index >= 0 || r.x_index >= 0 || OGR_FD_GetGeomFieldCount(defn) > 0;
    if (has_geometry_source && (st = resolve_srs(&r, lyr, &srs_wkt, err)) != FR_OK)
        goto done;
    geo_gdal_gate_clear(&gate);
    if (spec->where && OGR_L_SetAttributeFilter(lyr, spec->where) != OGRERR_NONE) {
        st = fr_error_set(err, FR_E_CONFIG, "%s, layer '%s': where filter \"%s\" (layers.%s.where) is invalid: %s",
                          r.label, r.layer_name, spec->where, spec->role, geo_gdal_gate_msg(&gate, ""));
        goto done;
    }
    ignore_other_fields(&r, lyr);
    st = make_layer(&r, has_geometry_source, srs_wkt, err);
    if (st == FR_OK)
        st = read_all(&r, ds, lyr, err);
    if (st == FR_OK) {
        stats->kept = r.layer->count;
        *out = r.layer;
        r.layer = NULL;
    }
done:
    geo_layer_free(r.layer);
    geo_csv_ragged_clear(&r.ragged);
    free(r.field_index);
    free(r.bx);
    free(r.by);
    free(srs_wkt);
    if (ds)
        GDALClose(ds);
    geo_gdal_gate_end_quiet(&gate);
    return st;
}
