/*
 * read.h — one input layer, from any source GDAL/OGR opens, into a geo_layer.
 *
 * The reader is where messy real exports meet the program: it finds the
 * layer and the mapped fields (and lists what exists when something named
 * in the config is absent), takes the geometry from the source's geometry
 * column or from a WKT text column or from x/y (lon/lat) columns, converts
 * values to the column types the run needs, parses dates, checks geometry
 * types and coordinates (validity: geo/read/validate.h), and records every record it cannot use in a rejects list with
 * the reason.  Coordinates stay in the source CRS; geo/read/reproject.h moves
 * them into the working CRS afterwards.
 */
#ifndef GEO_READ_H
#define GEO_READ_H

#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "rejects.h"
#include "status.h"

typedef struct {
    const char *name;        /* logical name, e.g. "year_built" */
    const char *source_name; /* field in the source, e.g. "YR_BLT" */
    geo_column_type type;
    int required_value;      /* 1: a record with a missing/unparsable value is rejected */
    int boolean;             /* GEO_COL_NUMBER read as 0/1: also accepts Y/N, YES/NO, TRUE/FALSE, T/F */
} geo_field_spec;

typedef struct {
    const char *role;          /* "parcels", "incidents", ... used in messages and rejects */
    const char *source;        /* path, or a GDAL connection string ("PG:...") */
    const char *source_label;  /* source as shown in messages (passwords masked); NULL = source */
    const char *layer;         /* layer name; NULL = the only / first layer */
    const char *where;         /* OGR SQL attribute filter, or NULL */
    const char *crs;           /* CRS to assume (any OSRSetFromUserInput text), overrides the source's; or NULL */
    const char *wkt_field;     /* geometry from this WKT text field, or NULL */
    const char *x_field;       /* geometry from x (lon) and y (lat) number fields, or NULL */
    const char *y_field;
    const char *const *open_options; /* NULL-terminated GDAL open options, or NULL */
    const char *date_format;   /* strptime format for text dates, or NULL = automatic */
    int date_bounds;           /* 1: reject required dates after max_date ("future_date") or */
    int32_t min_date, max_date;/*    before min_date ("implausible_date"); days since 1970-01-01 */
    geo_geom_kind kind;        /* GEO_GEOM_POLYGON or GEO_GEOM_POINT */
    /* Homes (GEO_GEOM_POLYGON with this set): the layer may hold points
     * instead, as address points and building centroids deliver them.  The
     * first record with a point or polygon geometry decides the layer's kind
     * (x/y fields: points from the start); a record of the other kind is
     * rejected (wrong_geometry_type, "... where the layer's homes are
     * polygons").  A MultiPoint home is kept as its first point. */
    int points_allowed;
    int geometry_required;     /* 1: a record without geometry is rejected */
    const geo_field_spec *fields;
    size_t nfields;
    /* Optional: told the share of the layer read so far (0..1) every few
     * thousand records, when the driver knows the count cheaply; called on
     * the reading thread. */
    void (*progress)(void *arg, double fraction);
    void *progress_arg;
    /* A GeoPackage table or a Shapefile with at least this many FIDs (0: GEO_READ_PARALLEL_MIN)
     * is read on every OpenMP thread (fid_ranges.h); the layer, rejects and
     * warnings are the same as one thread's. */
    size_t parallel_min_features;
} geo_read_spec;

#define GEO_READ_PARALLEL_MIN 50000

typedef struct {
    size_t read;          /* features the source returned (after the where filter) */
    size_t kept;          /* features in the layer */
    size_t rejected;      /* features written to rejects */
    size_t no_geometry;   /* kept features without geometry (point layers) */
} geo_read_stats;

/* Reads the layer.  On success *out owns a new layer whose srs_wkt is the
 * source CRS.  Per-record problems go to rejects (record dropped) or to
 * warnings (record kept with a missing value).  Problems with the source as
 * a whole (missing file, layer or field, no CRS) fail with FR_E_INPUT or
 * FR_E_CONFIG and a message naming the file, layer and field. */
fr_status geo_read_layer(const geo_read_spec *spec, geo_layer **out, geo_read_stats *stats,
                         geo_rejects *rejects, geo_rejects *warnings, fr_error *err);

/* Registers GDAL drivers and sets the library-wide options firerisk relies on
 * (quiet default error handler).  Call once from the main thread. */
void geo_init(void);

#endif
