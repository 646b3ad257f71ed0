/*
 * parcel_index.h — inside of geo_parcel_index (declared opaque in join.h),
 * shared by parcel_index.c, join_prepare.c and the joins that query it
 * (join_points.c).
 *
 * One STRtree over the parcel envelopes (items: parcel index, see
 * GEO_JOIN_COMMON_ITEM), queried by every thread, and one GEOS context per
 * OpenMP thread: slot t is only ever used by thread number t of a parallel
 * region, one region at a time.
 *
 * Why one tree can serve all threads: GEOS' STRtree (TemplateSTRtree since
 * GEOS 3.10) builds itself on the first query and only reads afterwards
 * (query(): "if (!built()) build();" then a read-only descent), and
 * GEOSSTRtree_query_r touches nothing else shared.  parcel_index.c forces the
 * build before the index is handed out, so no query ever builds.  The
 * version check below keeps a build against an older GEOS (whose STRtree
 * is another class) from compiling.
 */
#ifndef GEO_PARCEL_INDEX_H
#define GEO_PARCEL_INDEX_H

#include "geos_ctx.h"
#include "join.h"

#if GEOS_VERSION_MAJOR < 3 || (GEOS_VERSION_MAJOR == 3 && GEOS_VERSION_MINOR < 10)
#error "firerisk shares one GEOS STRtree between threads: needs GEOS 3.10 or later"
#endif

typedef struct {
    geo_geos_ctx ctx;
    char pad[64]; /* keep slots of different threads off one cache line */
} geo_parcel_index_slot;

struct geo_parcel_index {
    const geo_layer *parcels;
    GEOSSTRtree *tree;
    int nthreads;
    geo_parcel_index_slot *slot;
};

/* Threads a join may use with this index: omp_get_max_threads(), at most
 * the number of slots. */
int geo_parcel_index_threads(const geo_parcel_index *ix);

/* The two halves of geo_parcel_index_new, for geo_parcel_prepare
 * (join_prepare.c): an index with its contexts and no tree yet, and the
 * tree (one thread, using context c; its lazy build forced). */
fr_status geo_parcel_index_alloc(const geo_layer *parcels, geo_parcel_index **out, fr_error *err);
fr_status geo_parcel_index_build_tree(geo_parcel_index *ix, geo_geos_ctx *c, fr_error *err);

/* GEOSPointOnSurface of parcel i with context c (join_repr.c). */
fr_status geo_representative_point(geo_geos_ctx *c, const geo_layer *parcels, size_t i, double *x, double *y,
                                   fr_error *err);

#endif
