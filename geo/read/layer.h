/*
 * layer.h — a vector layer as plain arrays: the one shape in which features
 * travel from the readers (geo/read_*.c) to the joins, the features and the
 * writers.
 *
 * Why flat arrays and not one GEOS/OGR geometry per feature: a city has a
 * million parcels; a GEOS polygon costs several hundred bytes and an
 * allocation per ring, while flat coordinates cost 16 bytes a vertex and are
 * read by every thread without locks.  GEOS geometries are built from these
 * arrays only where GEOS is asked a question (geo/index/geos_build.c).
 *
 * Coordinates are in the run's working CRS (metres) once the reader has
 * reprojected them.
 *
 * Ownership: a geo_layer owns every array and string it points to (the
 * strings in its text store); geo_layer_free() releases them all.
 */
#ifndef GEO_LAYER_H
#define GEO_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "textstore.h"

/* Dates are whole days since 1970-01-01 (proleptic Gregorian). */
#define GEO_DATE_MISSING INT32_MIN /* == FR_DATE_MISSING in dates.h */

typedef enum {
    GEO_COL_STRING, /* str[i], NULL when missing; the texts live in the layer's text store */
    GEO_COL_NUMBER, /* num[i], NAN when missing */
    GEO_COL_DATE    /* date[i], GEO_DATE_MISSING when missing */
} geo_column_type;

typedef struct {
    char *name;        /* logical name from the config's field map ("parcel_id") */
    char *source_name; /* the field's name in the source, for messages */
    geo_column_type type;
    char **str;
    double *num;
    int32_t *date;
} geo_column;

typedef enum {
    GEO_GEOM_NONE,    /* attribute table only */
    GEO_GEOM_POINT,   /* one point per feature: x[i], y[i] (NAN, NAN = no geometry) */
    GEO_GEOM_POLYGON  /* (multi)polygons in the ring arrays below */
} geo_geom_kind;

typedef struct {
    char *name;         /* role in the run: "parcels", "inspections", ... */
    char *source;       /* file path or connection (password masked), for messages */
    char *source_layer; /* layer name inside the source */
    char *srs_wkt;      /* WKT of the CRS the coordinates are in (the working CRS) */

    size_t count;       /* number of features kept */
    size_t cap;         /* allocated feature slots (internal) */
    int64_t *fid;       /* source feature id of each kept feature, for messages */

    geo_geom_kind kind;

    /* GEO_GEOM_POINT */
    double *x, *y;

    /* GEO_GEOM_POLYGON: feature i has rings ring_start[i] .. ring_start[i+1]-1
     * (none = no geometry).  Ring r has points pt_start[r] .. pt_start[r+1]-1
     * in px/py, closed (first point repeated last).  ring_shell[r] is 1 for
     * the exterior ring of a polygon part (each shell starts a new part, its
     * holes follow it) and 0 for a hole. */
    size_t *ring_start; /* count + 1 entries */
    size_t nrings, ring_cap;
    size_t *pt_start;   /* nrings + 1 entries */
    unsigned char *ring_shell;
    size_t npts, pt_cap;
    double *px, *py;

    /* Envelope of every feature: bbox[4*i .. 4*i+3] = minx, miny, maxx, maxy.
     * NAN for a feature without geometry. */
    double *bbox;

    size_t ncols;
    geo_column *cols;

    /* The bytes of every string column's values, packed (base/textstore.h):
     * a value dropped or replaced keeps its bytes here until the layer is
     * freed. */
    fr_textstore text;
} geo_layer;

/* New empty layer; NULL on allocation failure.  name/source/source_layer are
 * copied (source_layer may be NULL). */
geo_layer *geo_layer_new(const char *name, const char *source, const char *source_layer,
                         geo_geom_kind kind);
void geo_layer_free(geo_layer *layer);

/* Adds an attribute column (all values missing until set) and returns its
 * index through out_index.  Columns must be added before the first feature. */
fr_status geo_layer_add_column(geo_layer *layer, const char *name, const char *source_name,
                               geo_column_type type, size_t *out_index, fr_error *err);

/* Index of the column with this logical name, or -1. */
int geo_layer_find_column(const geo_layer *layer, const char *name);

/* Room for at least this many features, rings and points in all (a
 * polygon layer's rings and points), in one allocation each, so that a
 * layer filled to a known size is not copied on its way there: a hint
 * whose room, untouched, costs no memory. */
fr_status geo_layer_reserve(geo_layer *layer, size_t features, size_t rings, size_t points, fr_error *err);

/* Appends one feature with missing attributes and no geometry; returns its
 * index through out_index.  Geometry is added with one of the two calls
 * below, straight after. */
fr_status geo_layer_add_feature(geo_layer *layer, int64_t fid, size_t *out_index, fr_error *err);

/* Turns a GEO_GEOM_POLYGON layer none of whose features has a geometry yet
 * into a GEO_GEOM_POINT layer (the reader of homes, which learns from the
 * first geometry whether they are points or polygons). */
fr_status geo_layer_make_points(geo_layer *layer, fr_error *err);

/* Sets the point of the last added feature (GEO_GEOM_POINT layers). */
void geo_layer_set_point(geo_layer *layer, double x, double y);

/* Appends one ring to the last added feature (GEO_GEOM_POLYGON layers).
 * xs/ys hold n points; the ring is closed here if the input is not.
 * shell = 1 for an exterior ring, 0 for a hole of the preceding shell. */
fr_status geo_layer_add_ring(geo_layer *layer, const double *xs, const double *ys, size_t n,
                             int shell, fr_error *err);

/* Sets attribute values of feature i (the string is copied; NULL = missing). */
fr_status geo_layer_set_string(geo_layer *layer, size_t col, size_t i, const char *value,
                               fr_error *err);
void geo_layer_set_number(geo_layer *layer, size_t col, size_t i, double value);
void geo_layer_set_date(geo_layer *layer, size_t col, size_t i, int32_t days);

/* Removes the last added feature (used by readers that reject a record after
 * starting it). */
void geo_layer_drop_last(geo_layer *layer);

/* Keeps the features with keep[i] != 0, in their order, compacting every
 * array in place. */
void geo_layer_compact(geo_layer *layer, const unsigned char *keep);

/* Moves every feature of src (same kind and columns, added in the same
 * order) to the end of dst, in order; src is left empty.  The parallel
 * reader (read.c) joins the layers of its FID ranges with it. */
fr_status geo_layer_append(geo_layer *dst, geo_layer *src, fr_error *err);

/* Releases the coordinates and envelopes of a point layer (x, y, bbox)
 * whose geometry nobody reads again; its records, ids and attributes stay,
 * and it becomes a GEO_GEOM_NONE layer (has_geometry says 0 from then on;
 * no feature may be added to it).  The run drops the inspections', the
 * incidents' and the visits' points once the joins have placed them and the
 * features are built: 48 bytes a record (178 MB at 5M parcels) handed back
 * before the score and write stages allocate theirs.  A polygon layer is
 * left as it is. */
void geo_layer_drop_points(geo_layer *layer);

/* Releases the values of every number column (num, 8 bytes a feature
 * each) whose values nobody reads again.  The columns stay in their
 * places with num NULL, so no column's index moves and a reader that came
 * later would fail at once rather than read stale values; no feature may
 * be added to the layer afterwards. */
void geo_layer_drop_numbers(geo_layer *layer);

/* Releases a polygon layer's envelopes (bbox, 32 bytes a feature) once no
 * index is built over them any more; geo_layer_envelope folds them from the
 * points from then on.  A point layer is left as it is (its points are its
 * envelopes: geo_layer_drop_points). */
void geo_layer_drop_envelopes(geo_layer *layer);

/* The envelope of feature i into e (minx, miny, maxx, maxy; NAN without a
 * geometry): the layer's bbox, or after geo_layer_drop_envelopes the same
 * values folded from its points in their order, as the bbox was made. */
void geo_layer_envelope(const geo_layer *layer, size_t i, double e[4]);

/* 1 if feature i has a geometry. */
int geo_layer_has_geometry(const geo_layer *layer, size_t i);

/* Copies srs_wkt into the layer (replacing any previous one). */
fr_status geo_layer_set_srs(geo_layer *layer, const char *wkt, fr_error *err);

#endif
