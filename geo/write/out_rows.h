/*
 * out_rows.h — puts the field values of an output table (write.h) into
 * row order, in place, and back.
 *
 * Why: the ranked layers are written in rank order, which is random in
 * parcel order, and three writers read every one of ~45 columns of a
 * million parcels at random: a cache miss (and a TLB miss) per value, per
 * writer.  Moved once into row order, shared by every writer, the values
 * are read sequentially; only the geometry (and the texts the string
 * columns point to) stay at random.
 */
#ifndef GEO_OUT_ROWS_H
#define GEO_OUT_ROWS_H

#include "status.h"
#include "write.h"

/* Moves every field's values of t into row order: value[k] becomes the old
 * value[t->order[k]]; then sets t->vals_in_row_order.  For a table of every
 * parcel (nrows == parcels->count, order a permutation of them) whose
 * value arrays the caller owns and may modify although geo_out_field
 * declares them const, and which nobody else reads (by parcel) until
 * geo_out_table_values_to_parcels has put them back.  An array shared by
 * two fields is moved once.  Memory: one scratch array of nrows values per
 * thread (omp_get_max_threads), freed on return.  FR_E_INTERNAL when t is
 * not such a table or is already in row order, FR_E_MEMORY: then nothing
 * changed. */
fr_status geo_out_table_values_to_rows(geo_out_table *t, fr_error *err);

/* The inverse: puts the values of a table that geo_out_table_values_to_rows
 * moved back into parcel order and clears t->vals_in_row_order.  The same
 * scratch memory; FR_E_MEMORY (nothing changed: the table still reads
 * right, but the arrays are not in parcel order for anyone else) or
 * FR_E_INTERNAL when t is not in row order. */
fr_status geo_out_table_values_to_parcels(geo_out_table *t, fr_error *err);

#endif
