/*
 * out_table.h — what every writer needs to know about a geo_out_table
 * (write.h) before and while it writes one: the checks that refuse a
 * malformed table the same way everywhere, the names of its fields and
 * layer, how a number cell reads (null or value, integer), and the
 * prefetch that keeps rank order from missing the cache on every row.
 *
 * Pure functions over the caller's table: safe on any thread.
 */
#ifndef GEO_OUT_TABLE_H
#define GEO_OUT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "write.h"

/* Which name a writer uses for each field. */
typedef enum {
    GEO_OUT_NAME_LONG, /* geo_out_field.name (GeoJSON, GeoPackage, CSV) */
    GEO_OUT_NAME_SHORT /* geo_out_field.short_name (Shapefile .dbf) */
} geo_out_name_kind;

/* Checks a table before anything is written: parcels present, order in
 * range, every field with a name (and a short name of at most 10 bytes,
 * unique ignoring case, when names == GEO_OUT_NAME_SHORT), names unique,
 * the value array of its type present.  FR_E_INTERNAL naming the field on
 * failure: these are caller bugs, not data problems. */
fr_status geo_out_table_check(const geo_out_table *t, geo_out_name_kind names, fr_error *err);

/* Field name used for field f. */
const char *geo_out_table_field_name(const geo_out_field *f, geo_out_name_kind names);

/* Name of the output layer: t->layer_name, else the parcels layer's name. */
const char *geo_out_table_layer_name(const geo_out_table *t);

/* 1 if a real is written as a value, 0 if it is written as null (NAN; also
 * +-Inf, which neither JSON nor a .dbf can represent). */
int geo_out_table_num_present(double v);

/* The value array of field f, the one its type names (str, num or date),
 * and the bytes of one value in *size; NULL when the field has none. */
const void *geo_out_field_values(const geo_out_field *f, size_t *size);

/* Index into the field arrays of output row k (0-based, in output order):
 * k when t->vals_in_row_order, else t->order[k].  Every writer reads
 * field values through it (the geometry stays at t->order[k]). */
static inline size_t geo_out_table_value_index(const geo_out_table *t, size_t k)
{
    return t->vals_in_row_order ? k : t->order[k];
}

/* The value of integer field f at value index v (geo_out_table_value_index
 * of output row `row` of path; a present value): f->num[v] rounded to the
 * nearest integer.  FR_E_OUTPUT naming the path, row, parcel and field when
 * it does not fit an int64. */
fr_status geo_out_table_int(const geo_out_table *t, const geo_out_field *f, size_t v, size_t row, const char *path,
                            int64_t *out, fr_error *err);

/* 1 when every present value of integer field f in the rows of t fits 32
 * bits: the GeoPackage writers declare it MEDIUMINT (OGR's Integer) rather
 * than INTEGER (Integer64), as GDAL's driver binds a 64-bit value 3x slower
 * and readers take the narrower type. */
int geo_out_table_fits_int32(const geo_out_table *t, const geo_out_field *f);

/* The calendar date of date field f at value index v of output row `row`
 * (not GEO_DATE_MISSING).  FR_E_OUTPUT naming the path, row, parcel and
 * field when the year is outside 1..9999, which no output format can hold. */
fr_status geo_out_table_date(const geo_out_table *t, const geo_out_field *f, size_t v, size_t row, const char *path,
                             int *year, int *month, int *day, fr_error *err);

/* Prefetches the values (and geometry offsets) of the rows a little ahead
 * of row k: output order is score order, i.e. random in parcel order, and
 * without this every field value of every row is a cache miss.  With
 * vals_in_row_order the values are read sequentially (the hardware
 * prefetches them): only the texts they point to and the geometry. */
void geo_out_table_prefetch(const geo_out_table *t, size_t k);
/* The same for the geometry only (offsets and coordinates). */
void geo_out_table_prefetch_geometry(const geo_out_table *t, size_t k);
/* The same for the fields only (a .dbf range: no geometry; the geometry's
 * prefetch loads its offsets). */
void geo_out_table_prefetch_fields(const geo_out_table *t, size_t k);

/* 1 when the rows are every parcel of t->parcels once (nrows == the
 * layer's count and order a permutation of it, checked in one pass with a
 * bit a parcel): a sum or a min/max over the rows may then read the
 * parcels in their own order, sequentially, rather than in rank order.
 * 0 when not, -1 out of memory. */
int geo_out_table_every_parcel_once(const geo_out_table *t);

/* Parcel fid of output row k, for messages. */
long long geo_out_table_row_fid(const geo_out_table *t, size_t k);

/* Row k (0-based, in output order) of t is written: every
 * GEO_OUT_PROGRESS_ROWS rows and after the last one, tells t->rows_written
 * (when set) how many rows were written since it was last told. */
#define GEO_OUT_PROGRESS_ROWS 4096
void geo_out_table_row_done(const geo_out_table *t, size_t k);

#endif
