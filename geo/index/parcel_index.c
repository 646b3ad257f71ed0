/*
 * parcel_index.c — the GEOS contexts and the shared STRtree over the parcel
 * envelopes (geo_parcel_index_* in join.h; layout and why one tree serves
 * every thread in parcel_index.h).
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

fr_status geo_parcel_index_build_tree(geo_parcel_index *ix, geo_geos_ctx *c, fr_error *err)
{
    const geo_layer *l = ix->parcels;
    GEOSContextHandle_t h = c->h;
    ix->tree = GEOSSTRtree_create_r(h, 10);
    if (!ix->tree)
        return fr_error_oom_while(err, "creating the index of layer '%s': %s",
                            l->name, c->last_error);
    for (size_t i = 0; i < l->count; i++) {
        const double *b = &l->bbox[4 * i];
        if (isnan(b[0]))
            continue;
        GEOSGeometry *env = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
        if (!env)
            return fr_error_set(err, FR_E_INPUT,
                                "layer '%s' (%s) feature fid %lld: GEOS refused its envelope: %s",
                                l->name, l->source, (long long)l->fid[i], c->last_error);
        /* Since GEOS 3.9 the tree copies the envelope; the geometry can go. */
        GEOSSTRtree_insert_r(h, ix->tree, env, GEO_JOIN_COMMON_ITEM(i));
        GEOSGeom_destroy_r(h, env);
    }
    /* Force the lazy build now: after it, queries only read the tree. */
    GEOSGeometry *probe = GEOSGeom_createPointFromXY_r(h, 0.0, 0.0);
    if (!probe)
        return fr_error_oom_while(err, "building the index of layer '%s'", l->name);
    GEOSSTRtree_query_r(h, ix->tree, probe, parcel_index_ignore, NULL);
    GEOSGeom_destroy_r(h, probe);
    return FR_OK;
}

fr_status geo_parcel_index_alloc(const geo_layer *parcels, geo_parcel_index **out, fr_error *err)
{
    *out = NULL;
    if (parcels->kind != GEO_GEOM_POLYGON && parcels->kind != GEO_GEOM_POINT) /* homes may be points */
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s' is neither a polygon nor a point layer", parcels->name);
    if (parcels->count > (size_t)INT32_MAX - 1)
        return fr_error_set(err, FR_E_INPUT, "layer '%s' (%s): %zu features, more than %d",
                            parcels->name, parcels->source, parcels->count, INT32_MAX - 1);
    geo_parcel_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return fr_error_oom_while(err, "indexing layer '%s'", parcels->name);
    ix->parcels = parcels;
    int n = omp_get_max_threads();
    if (n < 1)
        n = 1;
    ix->slot = calloc((size_t)n, sizeof *ix->slot);
    if (!ix->slot) {
        free(ix);
        return fr_error_oom_while(err, "indexing layer '%s'", parcels->name);
    }
    for (int t = 0; t < n; t++) {
        fr_status st = geo_geos_ctx_init(&ix->slot[t].ctx, err);
        if (st != FR_OK) {
            geo_parcel_index_free(ix);
            return st;
        }
        ix->nthreads = t + 1;
    }
    *out = ix;
    return FR_OK;
}

fr_status geo_parcel_index_new(const geo_layer *parcels, geo_parcel_index **out, fr_error *err)
{
    geo_parcel_index *ix = NULL;
    fr_status st = geo_parcel_index_alloc(parcels, &ix, err);
    if (st == FR_OK)
        st = geo_parcel_index_build_tree(ix, &ix->slot[0].ctx, err);
    if (st != FR_OK) {
        geo_parcel_index_free(ix);
        *out = NULL;
        return st;
    }
    *out = ix;
    return FR_OK;
}

void geo_parcel_index_free(geo_parcel_index *ix)
{
    if (!ix)
        return;
    if (ix->tree)
        GEOSSTRtree_destroy_r(ix->slot[0].ctx.h, ix->tree);
    for (int t = 0; t < ix->nthreads; t++)
        geo_geos_ctx_finish(&ix->slot[t].ctx);
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
