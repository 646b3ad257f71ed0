/*
 * parcel_index.h — inside of geo_parcel_index (declared opaque in join.h),
 * shared by parcel_index.c, join_prepare.c and the joins that query it
 * (join_points.c).
 *
 * One packed R-tree over the parcel envelopes (box_tree.h), queried by
 * every thread (queries only read it), and one GEOS context per OpenMP
 * thread for the exact tests near a ring: slot t is only ever used by
 * thread number t of a parallel region, one region at a time.
 */
#ifndef GEO_PARCEL_INDEX_H
#define GEO_PARCEL_INDEX_H

#include "box_tree.h"
#include "geos_ctx.h"
#include "join.h"

typedef struct {
    geo_geos_ctx ctx;
    char pad[64]; /* keep slots of different threads off one cache line */
} geo_parcel_index_slot;

struct geo_parcel_index {
    const geo_layer *parcels;
    geo_box_tree *tree;
    int nthreads;
    geo_parcel_index_slot *slot;
};

/* Threads a join may use with this index: omp_get_max_threads(), at most
 * the number of slots. */
int geo_parcel_index_threads(const geo_parcel_index *ix);

/* The two halves of geo_parcel_index_new, for geo_parcel_prepare
 * (join_prepare.c): an index with its contexts and no tree yet, and the
 * tree (on the calling thread). */
fr_status geo_parcel_index_alloc(const geo_layer *parcels, geo_parcel_index **out, fr_error *err);
fr_status geo_parcel_index_build_tree(geo_parcel_index *ix, fr_error *err);

/* GEOSPointOnSurface of parcel i with context c (join_repr.c). */
fr_status geo_representative_point(geo_geos_ctx *c, const geo_layer *parcels, size_t i, double *x, double *y,
                                   fr_error *err);

#endif
