/*
 * run_plausible.c — feature values that cannot be right for their kind (a
 * block group with 1,588,216 housing units, a building of 90 million sq
 * ft): counted per feature for the summary and the report, so that a wrong
 * column or unit in a source is seen before crews are sent by it.  The
 * values are kept (models/score/explain.h: model_feature_range).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "run_internal.h"

typedef struct {
    size_t bad;
    double worst, lo, hi;
    const char *unit;
} column_check;

/* One column's values outside [lo, hi]: how many, and the farthest (the
 * first of the farthest, in parcel order). */
static void check_column(const double *v, size_t n, column_check *c)
{
    c->bad = 0;
    c->worst = NAN;
    double wdist = -1;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]) || (v[i] >= c->lo && v[i] <= c->hi))
            continue;
        c->bad++;
        double dist = v[i] < c->lo ? c->lo - v[i] : v[i] - c->hi;
        if (dist > wdist) {
            c->worst = v[i];
            wdist = dist;
        }
    }
}

void run_check_plausible(run_ctx *ctx)
{
    const model_features *f = &ctx->feats;
    size_t n = f->nparcels, used = 0;
    char *out = ctx->sum->implausible;
    size_t size = sizeof ctx->sum->implausible;
    out[0] = '\0';
    column_check *c = calloc(f->nfeatures ? f->nfeatures : 1, sizeof *c);
    if (!c) { /* a summary line lost, not the run: say so where the line would be */
        snprintf(out, size, "  (not checked: out of memory)\n");
        return;
    }
    /* a column a thread: one pass over the table (0.3 s of one thread at
     * 5M parcels), each column's verdict the same at any thread count */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t k = 0; k < f->nfeatures; k++)
        if (model_feature_range(f->names[k], &c[k].lo, &c[k].hi, &c[k].unit))
            check_column(f->values + k * n, n, &c[k]);
    for (size_t k = 0; k < f->nfeatures; k++) {
        if (!c[k].bad)
            continue;
        int w = snprintf(out + used, size - used, "  %-22s %zu parcel%s outside %g to %g %s (e.g. %.10g)\n",
                         f->names[k], c[k].bad, c[k].bad == 1 ? "" : "s", c[k].lo, c[k].hi, c[k].unit, c[k].worst);
        if (w < 0 || (size_t)w >= size - used) {
            out[used] = '\0';
            break;
        }
        used += (size_t)w;
        ctx->sum->implausible_features++;
    }
    free(c);
}
