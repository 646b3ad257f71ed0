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

typedef struct {
    double x0, y0, cell;
    long nx, ny;
    size_t *start;  /* nx * ny + 1: the points of cell c are order[start[c] .. start[c + 1]) */
    uint32_t *order;
} grid;

static long cell_of(double v, double v0, double cell, long n)
{
    long c = (long)floor((v - v0) / cell);
    return c < 0 ? 0 : c >= n ? n - 1 : c;
}

/* The grid of the points k with use[k]; counting sort keeps them in index
 * order within a cell. */
static fr_status grid_build(grid *g, const model_incident_points *p, const uint8_t *use, double cell, fr_error *err)
{
    memset(g, 0, sizeof *g);
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
    size_t ncell = (size_t)(g->nx * g->ny);
    g->start = calloc(ncell + 1, sizeof *g->start);
    g->order = malloc((m ? m : 1) * sizeof *g->order);
    if (!g->start || !g->order)
        return fr_error_oom_while(err, "building the neighbourhood grid");
    for (size_t k = 0; k < p->n; k++)
        if (use[k])
            g->start[cell_of(p->y[k], g->y0, cell, g->ny) * g->nx + cell_of(p->x[k], g->x0, cell, g->nx) + 1]++;
    for (size_t c = 0; c < ncell; c++)
        g->start[c + 1] += g->start[c];
    size_t *fill = malloc((ncell ? ncell : 1) * sizeof *fill);
    if (!fill)
        return fr_error_oom_while(err, "building the neighbourhood grid");
    memcpy(fill, g->start, ncell * sizeof *fill);
    for (size_t k = 0; k < p->n; k++)
        if (use[k])
            g->order[fill[cell_of(p->y[k], g->y0, cell, g->ny) * g->nx + cell_of(p->x[k], g->x0, cell, g->nx)]++] =
                (uint32_t)k;
    free(fill);
    return FR_OK;
}

static void grid_free(grid *g)
{
    free(g->start);
    free(g->order);
}

fr_status model_neighbourhood_fill(const model_scales *s, const double *px, const double *py, size_t nparcels,
                                   const model_incident_points *inc, int32_t as_of, double *const *cols,
                                   fr_error *err)
{
    size_t nr = s->nradii, nb = s->nbandwidths;
    if (nr + nb == 0)
        return FR_OK;
    double reach = 0;
    for (size_t r = 0; r < nr; r++)
        reach = fmax(reach, s->radii_m[r]);
    for (size_t b = 0; b < nb; b++)
        reach = fmax(reach, 3 * s->bandwidths_m[b]);
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
        use[k] = !isnan(inc->x[k]) && !isnan(inc->y[k]) && d != FR_DATE_MISSING && d < as_of &&
                 d >= (inc->is_fire[k] ? past5 : past3);
        wdecay[k] = use[k] ? exp(-decay * (double)(as_of - d)) : 0;
    }
    grid g;
    const int span = 4; /* cells of reach / span */
    fr_status st = grid_build(&g, inc, use, reach / span, err);
    free(use);
    if (st != FR_OK) {
        grid_free(&g);
        free(wdecay);
        return st;
    }
    double reach2 = reach * reach;
    double r2[MODEL_MAX_SCALES], inv2b2[MODEL_MAX_SCALES], lim2[MODEL_MAX_SCALES];
    for (size_t r = 0; r < nr; r++)
        r2[r] = s->radii_m[r] * s->radii_m[r];
    for (size_t b = 0; b < nb; b++) {
        inv2b2[b] = 1 / (2 * s->bandwidths_m[b] * s->bandwidths_m[b]);
        lim2[b] = 9 * s->bandwidths_m[b] * s->bandwidths_m[b];
    }
#pragma omp parallel for schedule(dynamic, 1024)
    for (size_t i = 0; i < nparcels; i++) {
        double fires[MODEL_MAX_SCALES] = {0}, calls[MODEL_MAX_SCALES] = {0}, kern[MODEL_MAX_SCALES] = {0};
        int missing = isnan(px[i]) || isnan(py[i]);
        long cx = missing ? 0 : (long)floor((px[i] - g.x0) / g.cell), cy = missing ? 0 : (long)floor((py[i] - g.y0) / g.cell);
        for (long yy = cy - span; !missing && yy <= cy + span; yy++) {
            if (yy < 0 || yy >= g.ny)
                continue;
            /* the nearest point of the cell row, then of each cell: skip cells beyond the reach */
            double y0 = g.y0 + (double)yy * g.cell, dy0 = py[i] < y0 ? y0 - py[i] : py[i] > y0 + g.cell ? py[i] - y0 - g.cell : 0;
            for (long xx = cx - span; xx <= cx + span; xx++) {
                if (xx < 0 || xx >= g.nx)
                    continue;
                double x0 = g.x0 + (double)xx * g.cell,
                       dx0 = px[i] < x0 ? x0 - px[i] : px[i] > x0 + g.cell ? px[i] - x0 - g.cell : 0;
                if (dx0 * dx0 + dy0 * dy0 > reach2)
                    continue;
                size_t c = (size_t)(yy * g.nx + xx);
                for (size_t q = g.start[c]; q < g.start[c + 1]; q++) {
                    uint32_t k = g.order[q];
                    double dx = inc->x[k] - px[i], dy = inc->y[k] - py[i], d2 = dx * dx + dy * dy;
                    if (d2 > reach2)
                        continue;
                    int32_t d = inc->date[k];
                    if (d >= past3)
                        for (size_t r = 0; r < nr; r++)
                            calls[r] += d2 <= r2[r];
                    if (!inc->is_fire[k])
                        continue;
                    for (size_t r = 0; r < nr; r++)
                        fires[r] += d2 <= r2[r];
                    for (size_t b = 0; b < nb; b++)
                        if (d2 <= lim2[b])
                            kern[b] += exp(-d2 * inv2b2[b]) * wdecay[k];
                }
            }
        }
        for (size_t r = 0; r < nr; r++) {
            cols[r][i] = missing ? NAN : fires[r];
            cols[nr + r][i] = missing ? NAN : calls[r];
        }
        for (size_t b = 0; b < nb; b++)
            cols[2 * nr + b][i] = missing ? NAN : kern[b];
    }
    grid_free(&g);
    free(wdecay);
    return FR_OK;
}
