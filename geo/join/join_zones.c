/*
 * join_zones.c — geo_assign_zones (join.h): the zone polygon (block group,
 * battalion, ...) containing each representative point.
 *
 * Zones are few but large (hundreds of vertices), and each is asked about
 * many points, so each is prepared (GEOSPrepare_r: an indexed
 * point-in-area locator).  Prepared geometries are not thread-safe, so
 * every thread has its own, in its own GEOS context (contexts created up
 * front on this thread); the tree over the zone envelopes (box_tree.h) is
 * built once and only read, by every thread.  A thread builds
 * and prepares a zone only when one of its points first needs it.
 * GEOSPreparedIntersects_r counts a point on a zone's boundary as inside;
 * candidates are tested in ascending index, so overlaps and shared borders
 * go to the lowest index.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "box_tree.h"
#include "geos_build.h"
#include "join.h"
#include "join_common.h"

typedef struct {
    geo_geos_ctx *ctx;
    const geo_layer *zones;
    const geo_box_tree *tree;
    GEOSGeometry **geom;                /* built lazily, per zone */
    const GEOSPreparedGeometry **prep;  /* prepared lazily, per zone */
    geo_join_common_cands cands;
} zones_thread;

static fr_status zones_thread_init(zones_thread *t, geo_geos_ctx *ctx, const geo_layer *z,
                                   const geo_box_tree *tree, fr_error *err)
{
    t->ctx = ctx;
    t->zones = z;
    t->tree = tree;
    size_t n = z->count ? z->count : 1;
    t->geom = calloc(n, sizeof *t->geom);
    t->prep = calloc(n, sizeof *t->prep);
    if (!t->geom || !t->prep)
        return fr_error_oom_while(err, "indexing layer '%s'", z->name);
    return FR_OK;
}

static void zones_thread_free(zones_thread *t)
{
    GEOSContextHandle_t h = t->ctx ? t->ctx->h : NULL;
    if (t->prep)
        for (size_t i = 0; i < t->zones->count; i++)
            if (t->prep[i])
                GEOSPreparedGeom_destroy_r(h, t->prep[i]);
    if (t->geom)
        for (size_t i = 0; i < t->zones->count; i++)
            if (t->geom[i])
                GEOSGeom_destroy_r(h, t->geom[i]);
    free(t->geom);
    free(t->prep);
    geo_join_common_cands_free(&t->cands);
}

/* The prepared zone z of this thread, building it on first use.  A failure
 * leaves nothing cached, so every point that needs the zone fails with the
 * same message and the error kept (lowest point) is the same at any thread
 * count. */
static fr_status zones_prepared(zones_thread *t, int32_t z, const GEOSPreparedGeometry **out,
                                fr_error *err)
{
    *out = t->prep[z];
    if (*out)
        return FR_OK;
    fr_status st = geo_geos_build_polygon(t->ctx, t->zones, (size_t)z, &t->geom[z], err);
    if (st != FR_OK || !t->geom[z])
        return st; /* no geometry: contains nothing (and never indexed) */
    t->prep[z] = GEOSPrepare_r(t->ctx->h, t->geom[z]);
    if (!t->prep[z]) {
        GEOSGeom_destroy_r(t->ctx->h, t->geom[z]);
        t->geom[z] = NULL;
        return fr_error_set(err, FR_E_INPUT,
                            "layer '%s' (%s) feature fid %lld: GEOS could not prepare it: %s",
                            t->zones->name, t->zones->source, (long long)t->zones->fid[z],
                            t->ctx->last_error);
    }
    *out = t->prep[z];
    return FR_OK;
}

static fr_status zones_one(zones_thread *t, double x, double y, int32_t *zone, fr_error *err)
{
    *zone = -1;
    if (!isfinite(x) || !isfinite(y))
        return FR_OK;
    GEOSGeometry *pt;
    fr_status st = geo_geos_build_point(t->ctx, x, y, &pt, err);
    if (st != FR_OK)
        return st;
    t->cands.n = 0;
    geo_box_tree_query(t->tree, x, y, x, y, geo_join_common_collect_item, &t->cands);
    if (t->cands.oom)
        st = fr_error_oom_while(err, "querying layer '%s'", t->zones->name);
    geo_join_common_cands_sort(&t->cands);
    for (size_t k = 0; st == FR_OK && k < t->cands.n; k++) {
        int32_t z = t->cands.v[k];
        const GEOSPreparedGeometry *pg;
        st = zones_prepared(t, z, &pg, err);
        if (st != FR_OK || !pg)
            continue;
        char hit = GEOSPreparedIntersects_r(t->ctx->h, pg, pt);
        if (hit == 2)
            st = fr_error_set(err, FR_E_INPUT,
                              "layer '%s' (%s) feature fid %lld: GEOS point-in-polygon failed: %s",
                              t->zones->name, t->zones->source, (long long)t->zones->fid[z],
                              t->ctx->last_error);
        else if (hit) {
            *zone = z;
            break;
        }
    }
    GEOSGeom_destroy_r(t->ctx->h, pt);
    return st;
}

fr_status geo_assign_zones(const double *rx, const double *ry, size_t n, const geo_layer *zones,
                           int32_t *zone, fr_error *err)
{
    if (zones->kind != GEO_GEOM_POLYGON)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s' is not a polygon layer", zones->name);
    if (zones->count > (size_t)INT32_MAX - 1)
        return fr_error_set(err, FR_E_INPUT, "layer '%s': too many features", zones->name);
    int nt = omp_get_max_threads();
    if (nt < 1)
        nt = 1;
    geo_box_tree *tree = NULL;
    fr_status st = geo_box_tree_build(zones->bbox, zones->count, &tree, err);
    if (st != FR_OK) {
        fr_error_prefix(err, "indexing layer '%s' (%s)", zones->name, zones->source);
        return st;
    }
    geo_geos_ctx *ctx;
    st = geo_geos_ctx_array_new(nt, &ctx, err);
    if (st != FR_OK) {
        geo_box_tree_free(tree);
        return st;
    }
    zones_thread *th = calloc((size_t)nt, sizeof *th);
    geo_join_common_err *errs = calloc((size_t)nt, sizeof *errs);
    if (!th || !errs) {
        free(th);
        free(errs);
        geo_geos_ctx_array_free(ctx, nt);
        geo_box_tree_free(tree);
        return fr_error_oom_while(err, "assigning zones of layer '%s'",
                            zones->name);
    }
    const long long nn = (long long)n;
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num();
        zones_thread *t = &th[tid];
        geo_join_common_err_init(&errs[tid]);
        fr_error e;
        int ok = zones_thread_init(t, &ctx[tid], zones, tree, &e) == FR_OK;
        if (!ok)
            geo_join_common_err_keep(&errs[tid], 0, &e);
#pragma omp for schedule(dynamic, 1024)
        for (long long i = 0; i < nn; i++) {
            if (!ok) {
                zone[i] = -1;
                continue;
            }
            if (zones_one(t, rx[i], ry[i], &zone[i], &e) != FR_OK)
                geo_join_common_err_keep(&errs[tid], (size_t)i, &e);
        }
        zones_thread_free(t);
    }
    st = geo_join_common_err_merge(errs, nt, err);
    free(th);
    free(errs);
    geo_geos_ctx_array_free(ctx, nt);
    geo_box_tree_free(tree);
    return st;
}
