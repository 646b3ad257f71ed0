/*
 * parcel_index.c — the GEOS contexts and the shared tree over the parcel
 * envelopes (geo_parcel_index_* in join.h; layout and why one tree serves
 * every thread in parcel_index.h).
 */
#include "parcel_index.h"

#include <omp.h>
#include <stdlib.h>

fr_status geo_parcel_index_build_tree(geo_parcel_index *ix, fr_error *err)
{
    const geo_layer *l = ix->parcels;
    fr_status st = geo_box_tree_build(l->bbox, l->count, &ix->tree, err);
    if (st != FR_OK)
        fr_error_prefix(err, "indexing layer '%s' (%s)", l->name, l->source);
    return st;
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
        st = geo_parcel_index_build_tree(ix, err);
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
    geo_box_tree_free(ix->tree);
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
