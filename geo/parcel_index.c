/*
 * parcel_index.c — per-thread GEOS contexts and STRtrees over the parcel
 * envelopes (geo_parcel_index_* in join.h; layout in parcel_index.h).
 *
 * Why one tree per thread: GEOS does not promise that concurrent queries on
 * one STRtree are safe (the tree builds itself lazily on the first query),
 * and a context handle belongs to one thread.  The trees are built in
 * parallel, each by the thread that owns it, so the wall time is that of one
 * tree; the price is memory (about 60 bytes a parcel per thread).
 */
#include "parcel_index.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "join_common.h"

static void parcel_index_ignore(void *item, void *userdata)
{
    (void)item;
    (void)userdata;
}

/* Fills slot s with a tree over every parcel with a geometry. */
static fr_status parcel_index_build_tree(geo_parcel_index_slot *s, const geo_layer *l, fr_error *err)
{
    GEOSContextHandle_t h = s->ctx.h;
    s->tree = GEOSSTRtree_create_r(h, 10);
    if (!s->tree)
        return fr_error_set(err, FR_E_MEMORY, "out of memory creating the index of layer '%s': %s",
                            l->name, s->ctx.last_error);
    for (size_t i = 0; i < l->count; i++) {
        const double *b = &l->bbox[4 * i];
        if (isnan(b[0]))
            continue;
        GEOSGeometry *env = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
        if (!env)
            return fr_error_set(err, FR_E_INPUT,
                                "layer '%s' (%s) feature fid %lld: GEOS refused its envelope: %s",
                                l->name, l->source, (long long)l->fid[i], s->ctx.last_error);
        /* Since GEOS 3.9 the tree copies the envelope; the geometry can go. */
        GEOSSTRtree_insert_r(h, s->tree, env, GEO_JOIN_COMMON_ITEM(i));
        GEOSGeom_destroy_r(h, env);
    }
    /* Force the lazy build now, not during the first parallel query. */
    GEOSGeometry *probe = GEOSGeom_createPointFromXY_r(h, 0.0, 0.0);
    if (!probe)
        return fr_error_set(err, FR_E_MEMORY, "out of memory building the index of layer '%s'",
                            l->name);
    GEOSSTRtree_query_r(h, s->tree, probe, parcel_index_ignore, NULL);
    GEOSGeom_destroy_r(h, probe);
    return FR_OK;
}

fr_status geo_parcel_index_new(const geo_layer *parcels, geo_parcel_index **out, fr_error *err)
{
    *out = NULL;
    if (parcels->kind != GEO_GEOM_POLYGON)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s' is not a polygon layer", parcels->name);
    if (parcels->count > (size_t)INT32_MAX - 1)
        return fr_error_set(err, FR_E_INPUT, "layer '%s' (%s): %zu features, more than %d",
                            parcels->name, parcels->source, parcels->count, INT32_MAX - 1);
    geo_parcel_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return fr_error_set(err, FR_E_MEMORY, "out of memory indexing layer '%s'", parcels->name);
    ix->parcels = parcels;
    int n = omp_get_max_threads();
    if (n < 1)
        n = 1;
    ix->slot = calloc((size_t)n, sizeof *ix->slot);
    if (!ix->slot) {
        free(ix);
        return fr_error_set(err, FR_E_MEMORY, "out of memory indexing layer '%s'", parcels->name);
    }
    /* Contexts up front, on this thread; then the trees, one per thread. */
    for (int t = 0; t < n; t++) {
        fr_status st = geo_geos_ctx_init(&ix->slot[t].ctx, err);
        if (st != FR_OK) {
            geo_parcel_index_free(ix);
            return st;
        }
        ix->nthreads = t + 1;
    }
    fr_status *st = calloc((size_t)n, sizeof *st);
    fr_error *errs = calloc((size_t)n, sizeof *errs);
    if (!st || !errs) {
        free(st);
        free(errs);
        geo_parcel_index_free(ix);
        return fr_error_set(err, FR_E_MEMORY, "out of memory indexing layer '%s'", parcels->name);
    }
#pragma omp parallel for num_threads(n) schedule(static, 1)
    for (int t = 0; t < n; t++)
        st[t] = parcel_index_build_tree(&ix->slot[t], parcels, &errs[t]);
    fr_status res = FR_OK;
    for (int t = 0; t < n && res == FR_OK; t++)
        if (st[t] != FR_OK) {
            res = st[t];
            if (err)
                *err = errs[t];
        }
    free(st);
    free(errs);
    if (res != FR_OK) {
        geo_parcel_index_free(ix);
        return res;
    }
    *out = ix;
    return FR_OK;
}

void geo_parcel_index_free(geo_parcel_index *ix)
{
    if (!ix)
        return;
    for (int t = 0; t < ix->nthreads; t++) {
        if (ix->slot[t].tree)
            GEOSSTRtree_destroy_r(ix->slot[t].ctx.h, ix->slot[t].tree);
        geo_geos_ctx_finish(&ix->slot[t].ctx);
    }
    free(ix->slot);
    free(ix);
}

int geo_parcel_index_threads(const geo_parcel_index *ix)
{
    int n = omp_get_max_threads();
    if (n > ix->nthreads)
        n = ix->nthreads;
    return n < 1 ? 1 : n;
}
