/*
 * run_colocated.c — which homes share a location (see run_internal.h).
 *
 * Apartments and condos are often delivered as one record per unit stacked
 * on one point or one footprint (a real city: 13,330 homes on 8,323
 * points); nothing told a model how many homes share a location, and a fire
 * in the building counted for one unit only.  Homes whose representative
 * points agree to the centimetre share a location number; the feature
 * table turns it into homes_at_location and fires_location_5y.
 */
#include "run_internal.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "psort.h"

typedef struct {
    double x, y;
    uint32_t i;
} located;

static int by_point(const void *a, const void *b)
{
    const located *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

fr_status run_locations(run_ctx *ctx, fr_error *err)
{
    size_t n = ctx->parcels->count;
    ctx->location = malloc((n ? n : 1) * sizeof *ctx->location);
    located *l = malloc((n ? n : 1) * sizeof *l);
    if (!ctx->location || !l) {
        free(l);
        return fr_error_oom(err);
    }
    /* The homes with a point, in parcel order, filled on every thread (new
     * pages: at 5M parcels 0.25 s of one thread clearing them while the
     * other idled): each thread counts its part, then writes it after the
     * parts before it. */
    int nth = omp_get_max_threads();
    size_t *part = calloc((size_t)nth + 1, sizeof *part), m = 0;
    if (!part) {
        free(l);
        return fr_error_oom(err);
    }
#pragma omp parallel num_threads(nth)
    {
        size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
        size_t lo = n * t / nt, hi = n * (t + 1) / nt, c = 0;
        for (size_t i = lo; i < hi; i++) {
            ctx->location[i] = -1;
            c += !isnan(ctx->rx[i]) && !isnan(ctx->ry[i]);
        }
        part[t + 1] = c;
#pragma omp barrier
#pragma omp single
        for (size_t k = 1; k <= nt; k++)
            part[k] += part[k - 1];
        size_t o = part[t];
        for (size_t i = lo; i < hi; i++)
            if (!isnan(ctx->rx[i]) && !isnan(ctx->ry[i]))
                l[o++] = (located){round(ctx->rx[i] * 100), round(ctx->ry[i] * 100), (uint32_t)i};
#pragma omp single
        m = part[nt];
    }
    free(part);
    /* on every thread (by_point is a total order: the same result at any
     * count); one thread's qsort of 1M points was ~0.2 s the other idled */
    fr_status st = fr_sort_parallel(l, m, sizeof *l, by_point, err);
    if (st != FR_OK) {
        free(l);
        return st;
    }
    int32_t next = -1;
    for (size_t k = 0; k < m; k++) {
        if (k == 0 || l[k].x != l[k - 1].x || l[k].y != l[k - 1].y)
            next++;
        ctx->location[l[k].i] = next;
    }
    free(l);
    return FR_OK;
}
