/*
 * synth_write.h — writes plain-array tables into one GeoPackage with GDAL.
 *
 * The synthetic city generator (pipeline/synth/synth_city.c) produces columns as
 * plain arrays; this module is the only place that turns them into OGR
 * features.  It knows nothing of the city: it writes whatever layers it is
 * given, each with a point or polygon geometry and typed fields.
 *
 * Why a writer of its own (and not geo/write/write.h): the city is five layers of
 * up to a million features in one file, and speed matters (1M parcels in
 * well under a minute).  So: one transaction per layer, one reused feature,
 * geometries built from a WKB buffer, SQLite synchronous=OFF, no spatial
 * index unless asked for.  The file's gpkg_contents.last_change is pinned to
 * a caller-given date (GDAL config option OGR_CURRENT_DATE), so the same
 * input gives the same bytes on every run.
 *
 * Strings are read from fixed-width slots (`str + i * stride`, NUL
 * terminated; an empty string is written as null).  Paths are final paths:
 * writing through a temporary name and renaming is the caller's job.
 */
#ifndef GEO_SYNTH_WRITE_H
#define GEO_SYNTH_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Null marker of SYNTH_WRITE_INT and SYNTH_WRITE_DATE values. */
#define SYNTH_WRITE_NULL_INT INT32_MIN

typedef enum {
    SYNTH_WRITE_STRING, /* str + i * stride; "" = null        -> OFTString */
    SYNTH_WRITE_INT,    /* i32[i]; SYNTH_WRITE_NULL_INT = null -> OFTInteger */
    SYNTH_WRITE_REAL,   /* real[i]; NAN = null                 -> OFTReal */
    SYNTH_WRITE_DATE    /* i32[i] days since 1970-01-01        -> OFTDate */
} synth_write_type;

typedef struct {
    const char *name;
    synth_write_type type;
    const char *str;
    size_t stride;
    const int32_t *i32;
    const double *real;
} synth_write_field;

typedef enum {
    SYNTH_WRITE_POINTS,  /* x[i], y[i]; NAN = null geometry */
    SYNTH_WRITE_POLYGONS /* one ring per feature: x/y[ring_start[i] .. ring_start[i+1]-1],
                            open (the writer closes it) */
} synth_write_geom;

typedef struct {
    const char *name;
    size_t count;
    synth_write_geom geom;
    const double *x, *y;
    const size_t *ring_start; /* POLYGONS: count + 1 entries */
    const synth_write_field *fields;
    size_t nfields;
} synth_write_layer;

typedef struct {
    int epsg;                 /* CRS of every layer, e.g. 32616 */
    const char *current_date; /* "YYYY-MM-DDTHH:MM:SSZ" written as last_change */
    int spatial_index;        /* 1 = build the R-tree of each layer */
} synth_write_options;

/* Creates the GeoPackage `path` (which must not exist) with the given
 * layers, in order.  On failure the partial file may remain: the caller
 * removes it.  GDAL drivers must be registered (GDALAllRegister). */
fr_status synth_write_gpkg(const char *path, const synth_write_options *opt,
                           const synth_write_layer *layers, size_t nlayers, fr_error *err);

#endif
