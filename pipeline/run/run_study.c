/*
 * run_study.c — the study area in the run (see geo/read/study_area.h): parcels
 * far from the others are rejected before they can choose the working CRS,
 * and point records far from the parcels are rejected as
 * outside_study_area, or lonlat_swapped when swapping their x and y would
 * put them among the parcels.  A layer where most points look swapped
 * gets a warning naming the likely config slip.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "run_internal.h"

fr_status run_study_parcels(run_ctx *ctx, fr_error *err)
{
    geo_layer *p = ctx->parcels;
    if (p->count == 0)
        return FR_OK;
    double cx, cy, hx, hy;
    fr_status st = geo_median_centre(p, &cx, &cy, err);
    if (st == FR_OK)
        st = geo_study_half_sides(p->srs_wkt, cx, cy, ctx->cfg.join.study_area_km * 1000.0, &hx, &hy, err);
    size_t removed = 0;
    if (st == FR_OK)
        st = geo_study_area_filter(p, cx, cy, hx, hy, ctx->cfg.join.study_area_km, &ctx->rejects, &removed, err);
    fr_layer_counts *c = run_counts(ctx, LAYER_PARCELS);
    c->rejected_read += removed;
    c->kept -= removed;
    return st;
}

/* The parcels' centre and extent in the working CRS, once. */
static fr_status study_ready(run_ctx *ctx, fr_error *err)
{
    if (ctx->study.ready)
        return FR_OK;
    geo_layer *p = ctx->parcels;
    fr_status st = geo_median_centre(p, &ctx->study.cx, &ctx->study.cy, err);
    if (st != FR_OK)
        return st;
    double *e = ctx->study.extent;
    /* on every thread: min and max are the same in any order (the extent
     * is only compared with, so a zero's sign cannot show) */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    const long long n = (long long)p->count;
#pragma omp parallel for reduction(min : x0, y0) reduction(max : x1, y1)
    for (long long i = 0; i < n; i++) {
        const double *b = &p->bbox[4 * i];
        if (isnan(b[0]))
            continue;
        x0 = fmin(x0, b[0]);
        y0 = fmin(y0, b[1]);
        x1 = fmax(x1, b[2]);
        y1 = fmax(y1, b[3]);
    }
    e[0] = x0, e[1] = y0, e[2] = x1, e[3] = y1;
    double tol = ctx->cfg.join.tolerance_m;
    e[0] -= tol;
    e[1] -= tol;
    e[2] += tol;
    e[3] += tol;
    ctx->study.half_m = ctx->cfg.join.study_area_km * 1000.0;
    ctx->study.ready = 1;
    return FR_OK;
}

fr_status run_study_points(run_ctx *ctx, geo_layer *l, size_t counts_index, const geo_source_points *src,
                           fr_error *err)
{
    if (l->kind != GEO_GEOM_POINT || l->count == 0)
        return FR_OK;
    fr_status st = study_ready(ctx, err);
    if (st != FR_OK)
        return st;
    size_t located = 0;
    const long long n = (long long)l->count;
#pragma omp parallel for reduction(+ : located)
    for (long long i = 0; i < n; i++)
        located += !isnan(l->bbox[4 * i]);
    size_t removed = 0, swapped = 0;
    st = geo_study_area_points(l, src, ctx->study.cx, ctx->study.cy, ctx->study.half_m, ctx->cfg.join.study_area_km,
                               ctx->study.extent, &ctx->rejects, &removed, &swapped, err);
    fr_layer_counts *c = run_counts(ctx, counts_index);
    c->rejected_read += removed;
    c->kept -= removed;
    if (st == FR_OK && swapped > 0 && swapped * 2 > located)
        fr_log_event(ctx->log, FR_LOG_WARNING, "lonlat_swapped",
                     "%zu of %zu located records of layer %s look like longitude and latitude swapped; check "
                     "geometry.x and geometry.y (or crs) of layers.%s",
                     swapped, located, l->name, l->name);
    return st;
}

fr_status run_no_parcels_error(run_ctx *ctx, fr_error *err)
{
    const fr_layer_counts *c = run_counts(ctx, LAYER_PARCELS);
    const cfg_layer *pl = &ctx->cfg.layers.parcels;
    const char *label = pl->source_label ? pl->source_label : pl->source;
    if (c->read == 0)
        return fr_error_set(err, FR_E_INPUT, "%s: layer parcels is empty (0 features%s)", label,
                            pl->where ? " match layers.parcels.where" : "");
    /* reasons by count, in order of first appearance; and the first detail */
    char reasons[512] = "";
    size_t used = 0;
    const char *first = NULL;
    const geo_rejects *r = &ctx->rejects;
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->items[i].layer, "parcels"))
            continue;
        if (!first)
            first = r->items[i].detail;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(r->items[j].layer, "parcels") && !strcmp(r->items[j].reason, r->items[i].reason);
        if (seen)
            continue;
        size_t n = geo_rejects_count(r, "parcels", r->items[i].reason);
        int w = snprintf(reasons + used, sizeof reasons - used, "%s%zu %s", used ? ", " : "", n, r->items[i].reason);
        if (w < 0 || (size_t)w >= sizeof reasons - used)
            break;
        used += (size_t)w;
    }
    return fr_error_set(err, FR_E_INPUT, "%s: layer parcels has no usable feature: %zu read, all rejected (%s); first: %.400s",
                        label, c->read, reasons, first ? first : "?");
}
