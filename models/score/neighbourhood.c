/*
 * neighbourhood.c — fires and calls within several radii and a decayed
 * kernel of fires (see neighbourhood.h).
 *
 * The grid's cell is a quarter of the largest reach (the largest radius or
 * 3 times the largest bandwidth); a parcel visits the cells that come
 * within that reach of it (about 2.3 times fewer points than 3 x 3 cells
 * of the whole reach).  A fire's decay weight is worked out once per cutoff,
 * not once per parcel near it.  Only the incidents
 * of the past 5 years before as_of are put in the grid: that is all any
 * column counts, and it keeps the work of an early cutoff small.
 */
#include "neighbourhood.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

size_t model_neighbourhood_names(const model_scales *s, char names[][32])
{
    size_t k = 0;
    for (size_t r = 0; r < s->nradii; r++)
        snprintf(names[k++], 32, "fires_%.0fm_5y", s->radii_m[r]);
    for (size_t r = 0; r < s->nradii; r++)
        snprintf(names[k++], 32, "calls_%.0fm_3y", s->radii_m[r]);
    for (size_t b = 0; b < s->nbandwidths; b++)
        snprintf(names[k++], 32, "fire_kernel_%.0fm", s->bandwidths_m[b]);
    return k;
}

/* A uniform grid of cells over the plane, and the points of one kind packed
 * in cell order: the points of cell c are [start[c], start[c + 1]) of x, y
 * (and w), in incident index order within a cell.  Packed rather than
 * indexed: a parcel reads each cell's points as one contiguous run, which
 * stays in cache when the next parcel (visited in cell order) reads it
 * again; through an index array the reads scattered over every incident
 * array, and at 5M parcels they fell out of cache. */
typedef struct {
    double x0, y0, cell;
    long nx, ny;
    size_t *start;
    double *x, *y, *w; /* w: decay weight, or NULL */
} packed_grid;

static long cell_of(double v, double v0, double cell, long n)
{
    long c = (long)floor((v - v0) / cell);
    return c < 0 ? 0 : c >= n ? n - 1 : c;
}

static size_t cell_index(const packed_grid *g, double x, double y)
{
    return (size_t)(cell_of(y, g->y0, g->cell, g->ny) * g->nx + cell_of(x, g->x0, g->cell, g->nx));
}

/* The grid's cells: `cell` wide from the lower-left of the points k with
 * use[k] != 0. */
static fr_status grid_shape(packed_grid *g, const model_incident_points *p, const uint8_t *use, double cell,
                            fr_error *err)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    size_t m = 0;
    for (size_t k = 0; k < p->n; k++) {
        if (!use[k])
            continue;
        m++;
        minx = fmin(minx, p->x[k]);
        miny = fmin(miny, p->y[k]);
        maxx = fmax(maxx, p->x[k]);
        maxy = fmax(maxy, p->y[k]);
    }
    g->cell = cell;
    g->x0 = m ? minx : 0;
    g->y0 = m ? miny : 0;
    g->nx = m ? (long)floor((maxx - minx) / cell) + 1 : 1;
    g->ny = m ? (long)floor((maxy - miny) / cell) + 1 : 1;
    if ((double)g->nx * (double)g->ny > 5e7) /* points spread over a continent: coarser cells */
        return fr_error_set(err, FR_E_INPUT, "the incidents spread over %.0f x %.0f km: too wide for the "
                            "neighbourhood grid", (maxx - minx) / 1000, (maxy - miny) / 1000);
    return FR_OK;
}

/* Packs the points k with use[k] == kind (and their weight w[k], when w)
 * into the shaped grid g; a counting sort keeps index order within a cell. */
static fr_status grid_pack(packed_grid *g, const model_incident_points *p, const uint8_t *use, uint8_t kind,
                           const double *w, fr_error *err)
{
    size_t ncell = (size_t)(g->nx * g->ny), m = 0;
    g->start = calloc(ncell + 1, sizeof *g->start);
    if (!g->start)
        return fr_error_oom_while(err, "building the neighbourhood grid");
    for (size_t k = 0; k < p->n; k++)
        if (use[k] & kind) {
            g->start[cell_index(g, p->x[k], p->y[k]) + 1]++;
            m++;
        }
    for (size_t c = 0; c < ncell; c++)
        g->start[c + 1] += g->start[c];
    size_t *fill = malloc((ncell ? ncell : 1) * sizeof *fill);
    g->x = malloc((m ? m : 1) * sizeof *g->x);
    g->y = malloc((m ? m : 1) * sizeof *g->y);
    g->w = w ? malloc((m ? m : 1) * sizeof *g->w) : NULL;
    if (!fill || !g->x || !g->y || (w && !g->w)) {
        free(fill);
        return fr_error_oom_while(err, "building the neighbourhood grid");
    }
    memcpy(fill, g->start, ncell * sizeof *fill);
    for (size_t k = 0; k < p->n; k++)
        if (use[k] & kind) {
            size_t q = fill[cell_index(g, p->x[k], p->y[k])]++;
            g->x[q] = p->x[k];
            g->y[q] = p->y[k];
            if (w)
                g->w[q] = w[k];
        }
    free(fill);
    return FR_OK;
}

static void grid_free(packed_grid *g)
{
    free(g->start);
    free(g->x);
    free(g->y);
    free(g->w);
}

/* The parcels in the order of their cell of g (missing points first), so
 * that neighbouring parcels, which read the same cells, run one after the
 * other.  Returns NULL when out of memory. */
static uint32_t *parcels_in_cell_order(const packed_grid *g, const double *px, const double *py, size_t n)
{
    size_t ncell = (size_t)(g->nx * g->ny);
    size_t *start = calloc(ncell + 2, sizeof *start);
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!start || !order) {
        free(start);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        start[(isnan(px[i]) || isnan(py[i]) ? 0 : cell_index(g, px[i], py[i]) + 1) + 1]++;
    for (size_t c = 0; c <= ncell; c++)
        start[c + 1] += start[c];
    for (size_t i = 0; i < n; i++)
        order[start[isnan(px[i]) || isnan(py[i]) ? 0 : cell_index(g, px[i], py[i]) + 1]++] = (uint32_t)i;
    free(start);
    return order;
}

/* The span of cells (cell = reach / SPAN) a parcel visits on each side of
 * its own; a cell is read only when some point of it comes within reach
 * (about 2.3 times fewer points than 3 x 3 cells of the whole reach). */
#define SPAN 4

/* The distance from v to the interval [lo, lo + cell]. */
static double gap(double v, double lo, double cell)
{
    return v < lo ? lo - v : v > lo + cell ? v - lo - cell : 0;
}

enum { USE_FIRE = 1, USE_CALL = 2 };

typedef struct {
    size_t nr, nb;
    double r2[MODEL_MAX_SCALES], inv2b2[MODEL_MAX_SCALES], lim2[MODEL_MAX_SCALES];
} scale_limits;

/* The cells of g with some point within reach of (x, y), cell row by cell
 * row, into cells (room for (2 SPAN + 1)^2); returns their count. */
static size_t cells_within(const packed_grid *g, double reach2, double x, double y, size_t *cells)
{
    double fx = floor((x - g->x0) / g->cell), fy = floor((y - g->y0) / g->cell);
    if (fx < -SPAN || fy < -SPAN || fx > (double)g->nx + SPAN || fy > (double)g->ny + SPAN)
        return 0; /* far outside every cell (and no long overflows) */
    long cx = (long)fx, cy = (long)fy;
    size_t n = 0;
    for (long yy = cy - SPAN > 0 ? cy - SPAN : 0; yy <= cy + SPAN && yy < g->ny; yy++) {
        double dy0 = gap(y, g->y0 + (double)yy * g->cell, g->cell);
        if (dy0 * dy0 > reach2)
            continue;
        for (long xx = cx - SPAN > 0 ? cx - SPAN : 0; xx <= cx + SPAN && xx < g->nx; xx++) {
            double dx0 = gap(x, g->x0 + (double)xx * g->cell, g->cell);
            if (dx0 * dx0 + dy0 * dy0 <= reach2)
                cells[n++] = (size_t)(yy * g->nx + xx);
        }
    }
    return n;
}

/* Fires within each radius, and the kernel of each bandwidth, of the point
 * (x, y): every fire within reach, cell row by cell row and in index order
 * within a cell, as the sums have always run (the same bits). */
static void fires_near(const packed_grid *g, const scale_limits *L, double reach2, double x, double y,
                       double *fires, double *kern)
{
    size_t cells[(2 * SPAN + 1) * (2 * SPAN + 1)], ncells = cells_within(g, reach2, x, y, cells);
    for (size_t k = 0; k < ncells; k++)
        for (size_t q = g->start[cells[k]]; q < g->start[cells[k] + 1]; q++) {
            double dx = g->x[q] - x, dy = g->y[q] - y, d2 = dx * dx + dy * dy;
            if (d2 > reach2)
                continue;
            for (size_t r = 0; r < L->nr; r++)
                fires[r] += d2 <= L->r2[r];
            for (size_t b = 0; b < L->nb; b++)
                if (d2 <= L->lim2[b])
                    kern[b] += exp(-d2 * L->inv2b2[b]) * g->w[q];
        }
}

/* Calls within each radius of the point (x, y): counts, in any order. */
static void calls_near(const packed_grid *g, const scale_limits *L, double reach2, double x, double y, double *calls)
{
    size_t cells[(2 * SPAN + 1) * (2 * SPAN + 1)], ncells = cells_within(g, reach2, x, y, cells);
    for (size_t k = 0; k < ncells; k++)
        for (size_t q = g->start[cells[k]]; q < g->start[cells[k] + 1]; q++) {
            double dx = g->x[q] - x, dy = g->y[q] - y, d2 = dx * dx + dy * dy;
            for (size_t r = 0; r < L->nr; r++)
                calls[r] += d2 <= L->r2[r];
        }
}

fr_status model_neighbourhood_fill(const model_scales *s, const double *px, const double *py, size_t nparcels,
                                   const model_incident_points *inc, int32_t as_of, double *const *cols,
                                   fr_error *err)
{
    size_t nr = s->nradii, nb = s->nbandwidths;
    if (nr + nb == 0)
        return FR_OK;
    scale_limits L = {.nr = nr, .nb = nb};
    double rmax = 0, reach = 0;
    for (size_t r = 0; r < nr; r++) {
        rmax = fmax(rmax, s->radii_m[r]);
        L.r2[r] = s->radii_m[r] * s->radii_m[r];
    }
    for (size_t b = 0; b < nb; b++) {
        reach = fmax(reach, 3 * s->bandwidths_m[b]);
        L.inv2b2[b] = 1 / (2 * s->bandwidths_m[b] * s->bandwidths_m[b]);
        L.lim2[b] = 9 * s->bandwidths_m[b] * s->bandwidths_m[b];
    }
    reach = fmax(reach, rmax);
    int32_t past5 = fr_days_minus_years(as_of, 5), past3 = fr_days_minus_years(as_of, 3);
    uint8_t *use = malloc(inc->n ? inc->n : 1);
    double *wdecay = malloc((inc->n ? inc->n : 1) * sizeof *wdecay);
    if (!use || !wdecay) {
        free(use);
        free(wdecay);
        return fr_error_oom(err);
    }
    double decay = log(2) / s->half_life_days;
    for (size_t k = 0; k < inc->n; k++) {
        int32_t d = inc->date[k];
        int dated = !isnan(inc->x[k]) && !isnan(inc->y[k]) && d != FR_DATE_MISSING && d < as_of;
        use[k] = (uint8_t)((dated && inc->is_fire[k] && d >= past5 ? USE_FIRE : 0) |
                           (dated && d >= past3 ? USE_CALL : 0));
        wdecay[k] = use[k] & USE_FIRE ? exp(-decay * (double)(as_of - d)) : 0;
    }
    /* The fires' grid has the cells it always had (a quarter of the reach,
     * from the lower-left of every fire and call), so each kernel sums its
     * terms in the same order as before: the same bits.  The calls are only
     * counted, to the largest radius, in a grid of their own. */
    packed_grid fg = {0}, cg = {0};
    fr_status st = grid_shape(&fg, inc, use, reach / SPAN, err);
    if (st == FR_OK)
        st = grid_pack(&fg, inc, use, USE_FIRE, wdecay, err);
    if (st == FR_OK && nr) {
        uint8_t *calls_only = use; /* the calls' grid starts at the calls' own lower-left */
        for (size_t k = 0; k < inc->n; k++)
            calls_only[k] &= USE_CALL;
        st = grid_shape(&cg, inc, calls_only, rmax / SPAN, err);
        if (st == FR_OK)
            st = grid_pack(&cg, inc, calls_only, USE_CALL, NULL, err);
    }
    free(use);
    free(wdecay);
    uint32_t *order = st == FR_OK ? parcels_in_cell_order(&fg, px, py, nparcels) : NULL;
    if (st == FR_OK && !order)
        st = fr_error_oom(err);
    if (st != FR_OK) {
        grid_free(&fg);
        grid_free(&cg);
        return st;
    }
    double reach2 = reach * reach, rmax2 = rmax * rmax;
#pragma omp parallel for schedule(dynamic, 256)
    for (size_t j = 0; j < nparcels; j++) {
        size_t i = order[j];
        double fires[MODEL_MAX_SCALES] = {0}, calls[MODEL_MAX_SCALES] = {0}, kern[MODEL_MAX_SCALES] = {0};
        int missing = isnan(px[i]) || isnan(py[i]);
        if (!missing) {
            fires_near(&fg, &L, reach2, px[i], py[i], fires, kern);
            if (nr)
                calls_near(&cg, &L, rmax2, px[i], py[i], calls);
        }
        for (size_t r = 0; r < nr; r++) {
            cols[r][i] = missing ? NAN : fires[r];
            cols[nr + r][i] = missing ? NAN : calls[r];
        }
        for (size_t b = 0; b < nb; b++)
            cols[2 * nr + b][i] = missing ? NAN : kern[b];
    }
    free(order);
    grid_free(&fg);
    grid_free(&cg);
    return FR_OK;
}
