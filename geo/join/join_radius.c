/*
 * join_radius.c — geo_count_within (join.h): for every parcel, the points
 * within radius_m of its polygon (ST_DWithin), counted per bucket.
 *
 * Why not GEOS here: with 1M parcels and ~80 candidate points each, a GEOS
 * point and polygon per candidate pair would be tens of millions of
 * allocations.  Instead:
 *   1. the points are bucketed once into a uniform grid (counting sort, one
 *      contiguous run of points per cell, rows of cells contiguous too);
 *   2. each parcel visits the cells within the radius of its envelope, one
 *      contiguous run per grid row (shorter runs above and below the
 *      envelope, where the grown envelope has round corners);
 *   3. a point farther than the radius from the envelope is rejected, a
 *      point within the radius of the envelope's farthest corner is accepted
 *      (the polygon lies inside its envelope), and only the rest get the
 *      exact point-to-polygon distance on the flat arrays (poly_distance.c,
 *      checked against GEOSDistance_r in the unit tests).
 * The quick tests keep a relative margin so that every case near the radius
 * is decided by the exact distance.
 *
 * Each parcel's counts are computed by one thread into its own row, so the
 * result is the same at any thread count.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "parcel_index.h"
#include "poly_distance.h"

typedef struct {
    double minx, miny, cell, inv_cell;
    size_t nx, ny;
    size_t *start;  /* nx * ny + 1 offsets into the arrays below */
    double *x, *y;
    int8_t *b;
} radius_grid;

static void radius_grid_free(radius_grid *g)
{
    free(g->start);
    free(g->x);
    free(g->y);
    free(g->b);
}

static inline size_t radius_cell_of(const radius_grid *g, double v, double min, size_t n)
{
    double c = (v - min) * g->inv_cell; /* truncation = floor for c >= 0 */
    if (!(c >= 0.0))
        return 0;
    if (c >= (double)n)
        return n - 1;
    return (size_t)c;
}

/* Cell side as a fraction of the radius: smaller cells make a parcel scan
 * fewer points outside the radius but more (shorter) runs; a quarter was the
 * fastest on scripts/bench_join.c (1M parcels, 240k points, 250 m). */
#ifndef RADIUS_CELL_FRACTION
#define RADIUS_CELL_FRACTION 0.25
#endif

/* Buckets the usable points (finite, bucket >= 0) into a grid of cells of
 * about RADIUS_CELL_FRACTION * radius. */
static fr_status radius_grid_build(radius_grid *g, const geo_layer *pts, const int8_t *bucket,
                                   double radius, fr_error *err)
{
    memset(g, 0, sizeof *g);
    size_t n = 0;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    if (pts->kind == GEO_GEOM_POINT)
        for (size_t k = 0; k < pts->count; k++) {
            double x = pts->x[k], y = pts->y[k];
            if ((bucket && bucket[k] < 0) || !isfinite(x) || !isfinite(y))
                continue;
            n++;
            if (x < minx) minx = x;
            if (y < miny) miny = y;
            if (x > maxx) maxx = x;
            if (y > maxy) maxy = y;
        }
    if (n == 0) {
        g->nx = g->ny = 1;
        g->cell = g->inv_cell = 1.0;
        g->start = calloc(2, sizeof *g->start);
        if (!g->start)
            return fr_error_oom_while(err, "bucketing layer '%s'", pts->name);
        return FR_OK;
    }
    double w = maxx - minx, h = maxy - miny;
    double cell = radius * RADIUS_CELL_FRACTION;
    if (!(cell > 0.0)) /* radius 0: about one point per cell */
        cell = sqrt((w * h > 0.0 ? w * h : (w + h) * (w + h)) / (double)n);
    if (!(cell > 0.0))
        cell = 1.0;
    /* At most ~4 cells per point (and never a size_t overflow). */
    double limit = 4.0 * (double)n + 1024.0;
    while ((floor(w / cell) + 1.0) * (floor(h / cell) + 1.0) > limit)
        cell *= 1.5;
    g->minx = minx;
    g->miny = miny;
    g->cell = cell;
    g->inv_cell = 1.0 / cell;
    g->nx = (size_t)floor(w / cell) + 1;
    g->ny = (size_t)floor(h / cell) + 1;
    size_t ncells = g->nx * g->ny;

    g->start = calloc(ncells + 1, sizeof *g->start);
    g->x = malloc(n * sizeof *g->x);
    g->y = malloc(n * sizeof *g->y);
    g->b = malloc(n * sizeof *g->b);
    size_t *cellof = malloc(pts->count * sizeof *cellof);
    if (!g->start || !g->x || !g->y || !g->b || !cellof) {
        free(cellof);
        radius_grid_free(g);
        return fr_error_oom_while(err, "bucketing layer '%s'", pts->name);
    }
    for (size_t k = 0; k < pts->count; k++) {
        double x = pts->x[k], y = pts->y[k];
        if ((bucket && bucket[k] < 0) || !isfinite(x) || !isfinite(y)) {
            cellof[k] = SIZE_MAX;
            continue;
        }
        size_t c = radius_cell_of(g, y, g->miny, g->ny) * g->nx + radius_cell_of(g, x, g->minx, g->nx);
        cellof[k] = c;
        g->start[c + 1]++;
    }
    for (size_t c = 0; c < ncells; c++)
        g->start[c + 1] += g->start[c];
    size_t *fill = malloc(ncells * sizeof *fill);
    if (!fill) {
        free(cellof);
        radius_grid_free(g);
        return fr_error_oom_while(err, "bucketing layer '%s'", pts->name);
    }
    memcpy(fill, g->start, ncells * sizeof *fill);
    for (size_t k = 0; k < pts->count; k++) {
        if (cellof[k] == SIZE_MAX)
            continue;
        size_t at = fill[cellof[k]]++;
        g->x[at] = pts->x[k];
        g->y[at] = pts->y[k];
        g->b[at] = bucket ? bucket[k] : 0;
    }
    free(fill);
    free(cellof);
    return FR_OK;
}

static inline double radius_max(double a, double b)
{
    return a > b ? a : b; /* maxsd; fmax() is a libm call without -ffast-math */
}

/* Counts of parcel i into row[0 .. nbuckets). */
static void radius_count_parcel(const radius_grid *g, const geo_layer *l, size_t i, double r,
                                uint32_t *restrict row)
{
    const double *bbp = &l->bbox[4 * i];
    const double bx0 = bbp[0], by0 = bbp[1], bx1 = bbp[2], by1 = bbp[3];
    if (isnan(bx0) || !geo_layer_has_geometry(l, i)) /* a point home: its envelope is the point */
        return;
    const double *restrict gx = g->x, *restrict gy = g->y;
    const int8_t *restrict gb = g->b;
    const double r2 = r * r;
    /* Margins: quick decisions only well clear of the radius. */
    const double reject2 = r2 * (1.0 + 1e-9) + 1e-18;
    const double accept2 = r2 * (1.0 - 1e-9);
    const double reach = r * (1.0 + 1e-9) + 1e-9;
    size_t cy0 = radius_cell_of(g, by0 - reach, g->miny, g->ny);
    size_t cy1 = radius_cell_of(g, by1 + reach, g->miny, g->ny);
    for (size_t cy = cy0; cy <= cy1; cy++) {
        /* Only the part of this row of cells within reach of the envelope:
         * the grown envelope has round corners, so rows above and below the
         * envelope need a narrower run of cells. */
        double y0 = g->miny + (double)cy * g->cell, y1 = y0 + g->cell;
        double dy = radius_max(radius_max(by0 - y1, y0 - by1), 0.0);
        double wx = dy > 0.0 ? sqrt(radius_max(reach * reach - dy * dy, 0.0)) : reach;
        size_t cx0 = radius_cell_of(g, bx0 - wx, g->minx, g->nx);
        size_t cx1 = radius_cell_of(g, bx1 + wx, g->minx, g->nx);
        size_t from = g->start[cy * g->nx + cx0], to = g->start[cy * g->nx + cx1 + 1];
        for (size_t k = from; k < to; k++) {
            double x = gx[k], y = gy[k];
            double dx = radius_max(radius_max(bx0 - x, x - bx1), 0.0);
            double dyp = radius_max(radius_max(by0 - y, y - by1), 0.0);
            double fx = radius_max(x - bx0, bx1 - x), fy = radius_max(y - by0, by1 - y);
            /* Branch-free on the common outcomes (which are spatially random,
             * so branches on them mispredict); only the band between the
             * envelope and its farthest corner takes the exact test. */
            unsigned near = dx * dx + dyp * dyp <= reject2;
            unsigned sure = fx * fx + fy * fy <= accept2;
            unsigned hit = near & sure;
            if (near > sure)
                hit = (unsigned)geo_poly_distance_within(l, i, x, y, r);
            row[gb[k]] += hit;
        }
    }
}

fr_status geo_count_within(const geo_parcel_index *ix, const geo_layer *points,
                           const int8_t *bucket, int nbuckets, double radius_m,
                           uint32_t *counts, fr_error *err)
{
    return geo_count_within_rows(ix, points, bucket, nbuckets, radius_m, NULL, counts, err);
}

fr_status geo_count_within_rows(const geo_parcel_index *ix, const geo_layer *points,
                                const int8_t *bucket, int nbuckets, double radius_m,
                                const uint8_t *only, uint32_t *counts, fr_error *err)
{
    const geo_layer *parcels = ix->parcels;
    if (nbuckets < 1)
        return fr_error_set(err, FR_E_INTERNAL, "count within: %d buckets", nbuckets);
    if (!(radius_m >= 0.0) || isinf(radius_m))
        return fr_error_set(err, FR_E_INTERNAL, "count within: invalid radius %g", radius_m);
    if (points->kind == GEO_GEOM_POLYGON)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': counting needs points, not polygons",
                            points->name);
    if (bucket)
        for (size_t k = 0; k < points->count; k++)
            if (bucket[k] < -1 || bucket[k] >= nbuckets)
                return fr_error_set(err, FR_E_INTERNAL,
                                    "layer '%s' feature fid %lld: bucket %d outside [-1, %d)",
                                    points->name, (long long)points->fid[k], bucket[k], nbuckets);

    radius_grid g;
    fr_status st = radius_grid_build(&g, points, bucket, radius_m, err);
    if (st != FR_OK)
        return st;
    const long long n = (long long)parcels->count;
    const size_t nb = (size_t)nbuckets;
#pragma omp parallel for num_threads(omp_get_max_threads()) schedule(dynamic, 512)
    for (long long i = 0; i < n; i++) {
        if (only && !only[i])
            continue;
        uint32_t *row = &counts[(size_t)i * nb];
        memset(row, 0, nb * sizeof *row);
        if (g.x)
            radius_count_parcel(&g, parcels, (size_t)i, radius_m, row);
    }
    radius_grid_free(&g);
    return FR_OK;
}
