/*
 * parcel_index.h — inside of geo_parcel_index (declared opaque in join.h),
 * shared by parcel_index.c and the joins that query it (join_points.c,
 * join_radius.c).
 *
 * One slot per OpenMP thread: a GEOS context and an STRtree over the parcel
 * envelopes (items: parcel index, see GEO_JOIN_COMMON_ITEM).  Slot t is only
 * ever used by thread number t of a parallel region, one region at a time,
 * so no tree or context is touched by two threads at once.  Every tree is
 * built (its lazy build forced by one query) inside geo_parcel_index_new,
 * before any parallel query.
 */
#ifndef GEO_PARCEL_INDEX_H
#define GEO_PARCEL_INDEX_H

#include "geos_ctx.h"
#include "join.h"

typedef struct {
    geo_geos_ctx ctx;
    GEOSSTRtree *tree;
    char pad[64]; /* keep slots of different threads off one cache line */
} geo_parcel_index_slot;

struct geo_parcel_index {
    const geo_layer *parcels;
    int nthreads;
    geo_parcel_index_slot *slot;
};

/* Threads a join may use with this index: omp_get_max_threads(), at most
 * the number of slots. */
int geo_parcel_index_threads(const geo_parcel_index *ix);

#endif
