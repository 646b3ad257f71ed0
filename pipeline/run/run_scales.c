/*
 * run_scales.c — the inputs of the neighbourhood history at several scales
 * (models/score/neighbourhood.h): the config's radii and bandwidths, and
 * every matched incident as a point; and whether a run needs them at all
 * (see run_internal.h).
 */
#include "run_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_file.h"

/* The scales of the config's features section. */
static void scales_of(const cfg_features *f, model_scales *s)
{
    *s = (model_scales){.nradii = f->nhistory_radii_m, .nbandwidths = f->nkernel_bandwidths_m,
                        .half_life_days = f->kernel_half_life_days};
    for (size_t r = 0; r < s->nradii; r++)
        s->radii_m[r] = strtod(f->history_radii_m[r], NULL); /* checked by the loader */
    for (size_t b = 0; b < s->nbandwidths; b++)
        s->bandwidths_m[b] = strtod(f->kernel_bandwidths_m[b], NULL);
}

fr_status run_scales_input(const run_ctx *ctx, model_scales *s, model_incident_points *pts, double **xy,
                           fr_error *err)
{
    scales_of(&ctx->cfg.features, s);
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

/* Whether name is one of the columns of the scales s. */
static int names_a_scale(const model_scales *s, const char *name)
{
    char names[3 * MODEL_MAX_SCALES][32];
    size_t k = model_neighbourhood_names(s, names);
    for (size_t c = 0; c < k; c++)
        if (!strcmp(names[c], name))
            return 1;
    return 0;
}

int run_scales_needed(const run_ctx *ctx)
{
    const fr_config *cfg = &ctx->cfg;
    if (!strcmp(cfg->output.neighbourhood_fields, "always"))
        return 1;
    model_scales s;
    scales_of(&cfg->features, &s);
    if (s.nradii + s.nbandwidths == 0)
        return 0;
    if (run_uses_model_file(ctx)) {
        model_trained m;
        fr_error err;
        if (!cfg->score.model_file || model_file_read(cfg->score.model_file, &m, &err) != FR_OK)
            return 1;
        int used = 0;
        for (size_t j = 0; j < model_trained_nfeatures(&m) && !used; j++)
            used = names_a_scale(&s, model_trained_feature(&m, j));
        model_trained_free(&m);
        return used;
    }
    for (size_t t = 0; t < cfg->score.nweights; t++)
        if (names_a_scale(&s, cfg->score.weights[t].feature))
            return 1;
    return 0;
}
