/*
 * write_common.h — internal helpers shared by the writers in geo/write_*.c
 * (not part of the public interface in write.h).
 *
 * What lives here and why:
 *  - validation of a geo_out_table (order within range, one value array per
 *    field of the right type, names present and unique), so that every
 *    writer refuses a malformed table the same way with FR_E_INTERNAL;
 *  - the CRS of the parcels as an OGRSpatialReferenceH (traditional GIS
 *    axis order, always);
 *  - an output buffer over stdio and deterministic number formatting, for
 *    the streaming writers (GeoJSON, Shapefile, CSV) that format bytes
 *    themselves because GDAL's drivers cost 10-20x more per feature;
 *  - the OGR geometry of one feature built from the flat ring arrays (a
 *    shell starts a new polygon part, its holes follow), OGR fields and
 *    values, and one generic "write this table through this OGR driver"
 *    loop, for the GDAL-driver writers (the reference implementations);
 *  - the per-thread GDAL error capture (a quiet handler that keeps the first
 *    failure message, so that a later warning cannot hide it);
 *
 * Threading: nothing here holds global state.  Each call that touches GDAL
 * installs its own error handler on the calling thread, so two writers may
 * run on two threads at once (each with its own files and datasets).
 */
#ifndef GEO_WRITE_COMMON_H
#define GEO_WRITE_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "write.h"

/* Which name a writer uses for each field. */
typedef enum {
    GEO_WRITE_NAME_LONG, /* geo_out_field.name (GeoJSON, CSV) */
    GEO_WRITE_NAME_SHORT /* geo_out_field.short_name (Shapefile .dbf) */
} geo_write_name_kind;

/* Checks a table before anything is written: parcels present, order in
 * range, every field with a name (and a short name of at most 10 bytes,
 * unique ignoring case, when names == GEO_WRITE_NAME_SHORT), names unique,
 * the value array of its type present.  FR_E_INTERNAL naming the field on
 * failure: these are caller bugs, not data problems. */
fr_status geo_write_common_check_table(const geo_out_table *t, geo_write_name_kind names,
                                       fr_error *err);

/* Field name used for field f. */
const char *geo_write_common_field_name(const geo_out_field *f, geo_write_name_kind names);

/* Name of the output layer: t->layer_name, else the parcels layer's name. */
const char *geo_write_common_layer_name(const geo_out_table *t);


/* 1 if a real is written as a value, 0 if it is written as null (NAN; also
 * +-Inf, which neither JSON nor a .dbf can represent). */
int geo_write_common_num_present(double v);

/* An integer field's value: v rounded to the nearest integer.  Returns 0
 * when v does not fit in an int64 (the caller reports it). */
int geo_write_common_to_int64(double v, int64_t *out);

/* Prefetches the values (and geometry offsets) of the rows a little ahead
 * of row k: output order is score order, i.e. random in parcel order, and
 * without this every field value of every row is a cache miss. */
void geo_write_common_prefetch(const geo_out_table *t, size_t k);

/* ---- number formatting (buf holds at least GEO_WRITE_NUM_BUF bytes) ---- */

#define GEO_WRITE_NUM_BUF 352

/* v with at most `decimals` decimals (0..15), trailing zeros and point
 * removed, never "-0": the digits of printf("%.*f") (correctly rounded,
 * ties to even), computed with integer arithmetic when
 * |v| * 10^decimals < 2^51 (coordinates, the CSV) and by snprintf beyond.
 * Returns the length. */
size_t geo_write_common_fmt_fixed(char *buf, double v, int decimals);

/* Exactly printf("%.*f", decimals, v) (0..15 decimals), integer
 * arithmetic in the same range as above: the .dbf's fixed-width numbers. */
size_t geo_write_common_fmt_decimals(char *buf, double v, int decimals);

/* v with 15 significant digits ("%.15g"), ".0" appended when the result
 * would read as an integer, so that readers keep the field real. */
size_t geo_write_common_fmt_real(char *buf, double v);

/* "YYYY-MM-DD" (dashes) or "YYYYMMDD" for a year 0..9999. */
size_t geo_write_common_fmt_date(char *buf, int year, int month, int day, int dashes);

/* Decimal integer. */
size_t geo_write_common_fmt_int(char *buf, int64_t v);

/* ---- buffered output file ---------------------------------------------- */

typedef struct {
    FILE *fp;
    char *buf;
    size_t len, cap;
    int err_no; /* first errno of a failed write, 0 while all is well */
} geo_write_out;

/* Creates (truncates) path for writing.  FR_E_OUTPUT naming path. */
fr_status geo_write_out_open(geo_write_out *o, const char *path, fr_error *err);

/* Writes the buffer out (called when it fills). */
void geo_write_out_drain(geo_write_out *o);

static inline void geo_write_out_put(geo_write_out *o, const void *s, size_t n)
{
    if (o->len + n > o->cap) {
        geo_write_out_drain(o);
        if (n > o->cap) {
            if (!o->err_no && fwrite(s, 1, n, o->fp) != n)
                o->err_no = errno ? errno : EIO;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline void geo_write_out_puts(geo_write_out *o, const char *s)
{
    geo_write_out_put(o, s, strlen(s));
}

static inline void geo_write_out_putc(geo_write_out *o, char c)
{
    if (o->len == o->cap)
        geo_write_out_drain(o);
    o->buf[o->len++] = c;
}

/* geo_csv_field (write.h) into a buffered output. */
void geo_write_out_csv_field(geo_write_out *o, const char *s);

/* Flushes and closes; FR_E_OUTPUT naming path if any write failed (disk
 * full, I/O error) unless st already reports a failure.  Returns st or the
 * new failure.  Always releases o. */
fr_status geo_write_out_close(geo_write_out *o, const char *path, fr_status st, fr_error *err);

/* ---- CRS --------------------------------------------------------------- */

/* The parcels' CRS (srs_wkt) with traditional GIS axis order.  The caller
 * releases it with OSRRelease.  FR_E_INTERNAL if missing or not valid. */
fr_status geo_write_common_srs(const geo_layer *l, const char *path, OGRSpatialReferenceH *out,
                               fr_error *err);

/* ---- OGR geometry and the generic OGR writer --------------------------- */

/* Builds the OGR geometry of feature i of layer l (NULL when the feature has
 * none).  Polygon layers: a wkbPolygon for one shell, a wkbMultiPolygon for
 * several.  Point layers: a wkbPoint.  The caller owns *out. */
fr_status geo_write_common_geometry(const geo_layer *l, size_t i, OGRGeometryH *out,
                                    fr_error *err);

/* Captures GDAL errors on the calling thread between begin and end. */
typedef struct {
    int failed;        /* a CE_Failure or CE_Fatal was raised */
    char first[512];   /* message of the first failure */
    int warnings;      /* number of CE_Warning */
    char warning[512]; /* message of the first warning */
} geo_write_gdal_capture;

/* Pushes a quiet handler that records into cap (and resets the thread's
 * last-error state); must be paired with geo_write_common_capture_end on
 * the same thread. */
void geo_write_common_capture_begin(geo_write_gdal_capture *cap);
void geo_write_common_capture_end(geo_write_gdal_capture *cap);

/* The best message for a failure: the first captured failure, else the
 * thread's CPLGetLastErrorMsg(), else fallback. */
const char *geo_write_common_capture_msg(const geo_write_gdal_capture *cap,
                                         const char *fallback);

/* Closes ds (if not NULL) and returns st, or FR_E_OUTPUT naming path when
 * st was FR_OK and closing raised a new failure into cap. */
fr_status geo_write_common_close(GDALDatasetH ds, fr_status st, const char *path, geo_write_gdal_capture *cap,
                                 fr_error *err);

/* How the generic OGR writer creates the dataset and the fields. */
typedef struct {
    const char *driver;             /* "GeoJSON", "ESRI Shapefile", ... */
    const char *const *layer_opts;  /* NULL-terminated KEY=VALUE list */
    OGRwkbGeometryType polygon_type;/* declared layer type for polygon layers */
    geo_write_name_kind names;
    const int *widths;              /* per field: width for OFTString/OFTReal/
                                       OFTInteger64 (0 = driver default), or NULL */
    const int *precisions;          /* per field: precision for OFTReal, or NULL */
    int force_multi;                /* write every polygon as a MultiPolygon (GeoPackage) */
    int narrow_integers;            /* integer fields whose values fit 32 bits as OFTInteger */
} geo_write_ogr_spec;

/* Writes t to path through the driver of spec: deletes an existing dataset
 * at path, creates the dataset, the layer (with t->parcels->srs_wkt,
 * traditional GIS axis order) and the fields, writes order[0 .. nrows-1]
 * reusing one feature, flushes and closes.  FR_E_OUTPUT naming the path
 * (and the feature and field when a feature fails). */
fr_status geo_write_common_ogr(const geo_out_table *t, const char *path,
                               const geo_write_ogr_spec *spec, fr_error *err);

/* The layer part of geo_write_common_ogr, for a dataset that holds several
 * layers (the GeoPackage): creates t's layer in the open dataset ds with its
 * CRS and fields and writes order[0 .. nrows-1] inside one transaction where
 * the driver has them.  cap is the caller's active capture. */
fr_status geo_write_common_ogr_layer(GDALDatasetH ds, const geo_out_table *t,
                                     const geo_write_ogr_spec *spec, const char *path,
                                     geo_write_gdal_capture *cap, fr_error *err);

#endif
