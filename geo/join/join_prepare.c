/*
 * join_prepare.c — geo_parcel_prepare (join.h): the parcel index, the id
 * index and the representative points, built in one parallel region.
 *
 * Why together: the tree build (box_tree.h; GEOS' STRtree took ~0.7 s at a
 * million parcels) and the id hash (~0.2 s) are each one thread's work,
 * while the representative points (GEOSPointOnSurface, ~0.9 s) split
 * across threads.  Built one after
 * the other, the two serial builds kept the second core idle for most of a
 * second (issue 7's profile).  Here one thread builds the tree and another
 * the id index while the rest take chunks of the points; whoever finishes
 * joins the points loop (dynamic schedule).  Every result is written to its
 * own place (the tree, the id index, rx[i], ry[i]), so nothing depends on
 * which thread did what.
 */
#include <omp.h>
#include <stdlib.h>

#include "join.h"
#include "join_common.h"
#include "parcel_index.h"

fr_status geo_parcel_prepare(const geo_layer *parcels, int id_col, geo_parcel_index **out_ix,
                             geo_id_index **out_ids, double *rx, double *ry, fr_error *err)
{
    *out_ix = NULL;
    geo_id_index *ids = NULL;
    if (out_ids) { /* the exact index of the duplicates check, or NULL */
        ids = *out_ids;
        *out_ids = NULL;
    }
    geo_parcel_index *ix;
    fr_status st = geo_parcel_index_alloc(parcels, &ix, err);
    if (st != FR_OK) {
        geo_id_index_free(ids);
        return st;
    }
    int nt = ix->nthreads;
    geo_join_common_err *errs = calloc((size_t)nt, sizeof *errs);
    if (!errs) {
        geo_id_index_free(ids);
        geo_parcel_index_free(ix);
        return fr_error_oom_while(err, "indexing layer '%s'", parcels->name);
    }
    fr_status st_tree = FR_OK, st_ids = FR_OK;
    fr_error err_tree, err_ids;
    const long long n = (long long)parcels->count;
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num();
        geo_join_common_err_init(&errs[tid]);
#pragma omp single nowait
        st_tree = geo_parcel_index_build_tree(ix, &err_tree);
#pragma omp single nowait
        if (out_ids) /* the caller rejected duplicates already */
            st_ids = geo_id_index_complete(&ids, parcels, id_col, &err_ids);
#pragma omp for schedule(dynamic, 1024)
        for (long long i = 0; i < n; i++) {
            fr_error e;
            if (geo_representative_point(&ix->slot[tid].ctx, parcels, (size_t)i, &rx[i], &ry[i], &e) != FR_OK)
                geo_join_common_err_keep(&errs[tid], (size_t)i, &e);
        }
    }
    st = geo_join_common_err_merge(errs, nt, err);
    free(errs);
    if (st == FR_OK && st_tree != FR_OK) {
        st = st_tree;
        if (err)
            *err = err_tree;
    }
    if (st == FR_OK && st_ids != FR_OK) {
        st = st_ids;
        if (err)
            *err = err_ids;
    }
    if (st != FR_OK) {
        geo_id_index_free(ids);
        geo_parcel_index_free(ix);
        return st;
    }
    *out_ix = ix;
    if (out_ids)
        *out_ids = ids;
    return FR_OK;
}
