/*
 * join_repr.c — geo_representative_points (join.h): one point guaranteed
 * inside each parcel (GEOSPointOnSurface_r), which zone assignment, station
 * distance and the lon/lat of the target list use instead of the polygon.
 *
 * A centroid can fall outside a concave parcel (an L or U shape) and land
 * in the neighbour's zone; a point on surface cannot.  A home given as a
 * point (geo_read_spec.points_allowed) is its own representative point.
 * The point is GEOS' own, computed on the flat arrays where that is
 * certain (interior_point.h) and asked of GEOS otherwise.  One GEOS context
 * per thread, created up front; each parcel's point is written to its own
 * slot.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "geos_build.h"
#include "interior_point.h"
#include "join.h"
#include "join_common.h"
#include "parcel_index.h"

fr_status geo_representative_point(geo_geos_ctx *c, const geo_layer *l, size_t i, double *x, double *y,
                                   fr_error *err)
{
    *x = NAN;
    *y = NAN;
    if (l->kind == GEO_GEOM_POINT) { /* a home given as a point stands there */
        *x = l->x[i];
        *y = l->y[i];
        return FR_OK;
    }
    if (geo_interior_point(l, i, x, y))
        return FR_OK;
    GEOSGeometry *poly;
    fr_status st = geo_geos_build_polygon(c, l, i, &poly, err);
    if (st != FR_OK || !poly)
        return st;
    GEOSGeometry *p = GEOSPointOnSurface_r(c->h, poly);
    GEOSGeom_destroy_r(c->h, poly);
    if (!p || !GEOSGeomGetX_r(c->h, p, x) || !GEOSGeomGetY_r(c->h, p, y)) {
        if (p)
            GEOSGeom_destroy_r(c->h, p);
        *x = *y = NAN;
        return fr_error_set(err, FR_E_INPUT,
                            "layer '%s' (%s) feature fid %lld: GEOS found no point on the surface: %s",
                            l->name, l->source, (long long)l->fid[i], c->last_error);
    }
    GEOSGeom_destroy_r(c->h, p);
    return FR_OK;
}

fr_status geo_representative_points(const geo_layer *parcels, double *rx, double *ry,
                                    fr_error *err)
{
    if (parcels->kind != GEO_GEOM_POLYGON && parcels->kind != GEO_GEOM_POINT)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s' is neither a polygon nor a point layer", parcels->name);
    int nt = omp_get_max_threads();
    if (nt < 1)
        nt = 1;
    geo_geos_ctx *ctx;
    fr_status st = geo_geos_ctx_array_new(nt, &ctx, err);
    if (st != FR_OK)
        return st;
    geo_join_common_err *errs = calloc((size_t)nt, sizeof *errs);
    if (!errs) {
        geo_geos_ctx_array_free(ctx, nt);
        return fr_error_oom_while(err, "for representative points");
    }
    const long long n = (long long)parcels->count;
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num();
        geo_join_common_err_init(&errs[tid]);
#pragma omp for schedule(dynamic, 1024)
        for (long long i = 0; i < n; i++) {
            fr_error e;
            if (geo_representative_point(&ctx[tid], parcels, (size_t)i, &rx[i], &ry[i], &e) != FR_OK)
                geo_join_common_err_keep(&errs[tid], (size_t)i, &e);
        }
    }
    st = geo_join_common_err_merge(errs, nt, err);
    free(errs);
    geo_geos_ctx_array_free(ctx, nt);
    return st;
}
