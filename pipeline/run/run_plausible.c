/*
 * run_plausible.c — feature values that cannot be right for their kind (a
 * block group with 1,588,216 housing units, a building of 90 million sq
 * ft): counted per feature for the summary and the report, so that a wrong
 * column or unit in a source is seen before crews are sent by it.  The
 * values are kept (models/score/explain.h: model_feature_range).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"
#include "run_internal.h"

void run_check_plausible(run_ctx *ctx)
{
    const model_features *f = &ctx->feats;
    size_t n = f->nparcels, used = 0;
    char *out = ctx->sum->implausible;
    size_t size = sizeof ctx->sum->implausible;
    out[0] = '\0';
    for (size_t k = 0; k < f->nfeatures; k++) {
        double lo, hi;
        const char *unit;
        if (!model_feature_range(f->names[k], &lo, &hi, &unit))
            continue;
        const double *v = f->values + k * n;
        size_t bad = 0;
        double worst = NAN;
        for (size_t i = 0; i < n; i++) {
            if (isnan(v[i]) || (v[i] >= lo && v[i] <= hi))
                continue;
            bad++;
            double dist = v[i] < lo ? lo - v[i] : v[i] - hi, wdist = isnan(worst) ? -1 : worst < lo ? lo - worst : worst - hi;
            if (dist > wdist)
                worst = v[i];
        }
        if (!bad)
            continue;
        int w = snprintf(out + used, size - used, "  %-22s %zu parcel%s outside %g to %g %s (e.g. %.10g)\n",
                         f->names[k], bad, bad == 1 ? "" : "s", lo, hi, unit, worst);
        if (w < 0 || (size_t)w >= size - used) {
            out[used] = '\0';
            break;
        }
        used += (size_t)w;
        ctx->sum->implausible_features++;
    }
}
