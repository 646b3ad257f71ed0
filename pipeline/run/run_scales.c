/*
 * run_scales.c — the inputs of the neighbourhood history at several scales
 * (models/score/neighbourhood.h): the config's radii and bandwidths, and
 * every matched incident as a point (see run_internal.h).
 */
#include "run_internal.h"

#include <math.h>
#include <stdlib.h>

fr_status run_scales_input(const run_ctx *ctx, model_scales *s, model_incident_points *pts, double **xy,
                           fr_error *err)
{
    const cfg_features *f = &ctx->cfg.features;
    *s = (model_scales){.nradii = f->nhistory_radii_m, .nbandwidths = f->nkernel_bandwidths_m,
                        .half_life_days = f->kernel_half_life_days};
    for (size_t r = 0; r < s->nradii; r++)
        s->radii_m[r] = strtod(f->history_radii_m[r], NULL); /* checked by the loader */
    for (size_t b = 0; b < s->nbandwidths; b++)
        s->bandwidths_m[b] = strtod(f->kernel_bandwidths_m[b], NULL);
    *xy = NULL;
    *pts = (model_incident_points){0};
    const geo_layer *l = ctx->inc;
    if (!l)
        return FR_OK;
    size_t n = l->count;
    *xy = malloc((n ? 2 * n : 1) * sizeof **xy);
    if (!*xy)
        return fr_error_oom(err);
    double *x = *xy, *y = *xy + n;
    /* As fires_near_*: matched incidents only; one matched by parcel id
     * alone stands at its parcel's representative point. */
    for (size_t k = 0; k < n; k++) {
        int32_t p = ctx->inc_match[k].parcel;
        x[k] = y[k] = NAN;
        if (p < 0)
            continue;
        x[k] = l->kind == GEO_GEOM_POINT ? l->x[k] : NAN;
        y[k] = l->kind == GEO_GEOM_POINT ? l->y[k] : NAN;
        if (isnan(x[k]) || isnan(y[k])) {
            x[k] = ctx->rx[p];
            y[k] = ctx->ry[p];
        }
    }
    *pts = (model_incident_points){.n = n, .x = x, .y = y,
                                   .date = l->cols[geo_layer_find_column(l, "date")].date,
                                   .is_fire = ctx->inc_is_fire};
    return FR_OK;
}
