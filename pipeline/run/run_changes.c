/*
 * run_changes.c — the reasons of changes.csv (pipeline/report/changes_why.c)
 * from the run: the features as of the previous run's date (its as_of, read
 * from the run_manifest.json it left in the output directory) recomputed on
 * tonight's data, beside tonight's; the revisit rule; the capacity zone.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "run_extras.h"

/* The previous run's as_of, from the run_manifest.json it left in the
 * output directory (ctx->previous), read once: the decision to release the
 * features' inputs early (run_changes_need_then) and the changes' "then"
 * (run_changes_explain) must rest on the same answer. */
static void run_changes_previous(run_ctx *ctx)
{
    if (ctx->previous.read)
        return;
    ctx->previous.read = 1;
    char path[4200];
    snprintf(path, sizeof path, "%s/run_manifest.json", ctx->out_dir);
    json_object *m = json_object_from_file(path), *v = NULL;
    ctx->previous.found = m && json_object_object_get_ex(m, "as_of", &v) &&
                          fr_parse_date(json_object_get_string(v), "%Y-%m-%d", &ctx->previous.day) == 0;
    if (ctx->previous.found)
        fr_format_date(ctx->previous.day, ctx->previous.text);
    json_object_put(m);
}

int run_changes_need_then(run_ctx *ctx)
{
    run_changes_previous(ctx);
    return ctx->previous.found && ctx->previous.day != ctx->as_of;
}

/* The feature table as of another date into *out (the caller frees), the
 * run's own table and neighbourhood counts left as they were.  Only the
 * rows of ch's parcels are read (changes_why.c), so the features and the
 * neighbourhood counts are made for those rows only (rows_only: the rest
 * zero, their pages never touched).  The whole table was the nightly run's
 * largest cost beyond the default run's: at 5M parcels 2.8 s of the write
 * stage and 580 MB of new memory for a few changed rows (docs/PROFILE.md,
 * stop 36). */
static fr_status features_then(run_ctx *ctx, int32_t day, const fr_changes *ch, model_features *out, fr_error *err)
{
    if (ctx->feature_inputs_released) /* a wrong "then" must not be written quietly */
        return fr_error_set(err, FR_E_INTERNAL,
                            "the features as of %s are needed for changes.csv, but their inputs were released",
                            ctx->previous.text);
    size_t n = ctx->parcels->count;
    uint8_t *rows = calloc(n ? n : 1, 1);
    if (!rows)
        return fr_error_oom_while(err, "explaining the changes");
    for (size_t k = 0; k < ch->count; k++)
        if (ch->items[k].parcel >= 0)
            rows[ch->items[k].parcel] = 1;
    model_features now = ctx->feats;
    uint32_t *near = ctx->near;
    int32_t as_of = ctx->as_of;
    memset(&ctx->feats, 0, sizeof ctx->feats);
    ctx->near = NULL;
    ctx->rows_only = rows;
    fr_status st = run_features_as_of(ctx, day, err);
    *out = ctx->feats;
    if (st != FR_OK)
        model_features_free(out);
    ctx->feats = now;
    free(ctx->near);
    ctx->near = near;
    ctx->as_of = as_of;
    ctx->rows_only = NULL;
    free(rows);
    return st;
}

fr_status run_changes_explain(run_ctx *ctx, const size_t *rows, size_t nrows, fr_changes *ch, fr_error *err)
{
    size_t n = ctx->parcels->count, nf = ctx->feats.nfeatures;
    fr_changes_context x = {
        .nparcels = n, .nfeatures = nf, .names = (const char *const *)ctx->feats.names, .now = ctx->feats.values,
        .last_visit = ctx->visit.last_visit, .last_failed = ctx->visit.last_failed,
        .held_back = ctx->visit.held_back, .revisit_after_days = ctx->cfg.targets.revisit_after_days,
        .failed_revisit_days = ctx->cfg.targets.failed_revisit_days, .as_of = ctx->as_of, .rank = ctx->rank,
        .last_listed_rank = nrows ? ctx->rank[rows[nrows - 1]] : 0,
        .list_full = (long)nrows >= ctx->cfg.output.target_list_size,
    };
    double *weight = calloc(nf ? nf : 1, sizeof *weight), *cap = calloc(nf ? nf : 1, sizeof *cap);
    const char **label = NULL;
    model_features then = {0};
    fr_status st = weight && cap ? FR_OK : fr_error_oom(err);
    for (size_t f = 0; st == FR_OK && f < nf; f++)
        for (size_t t = 0; t < ctx->nterms && !run_uses_model_file(ctx); t++)
            if (!strcmp(ctx->terms[t].feature, ctx->feats.names[f]) && ctx->terms[t].cap > 0) {
                weight[f] = ctx->terms[t].weight;
                cap[f] = ctx->terms[t].cap;
            }
    x.term_weight = weight;
    x.term_cap = cap;
    run_changes_previous(ctx);
    if (st == FR_OK && ch->had_previous && ch->count && ctx->previous.found) {
        memcpy(x.previous_as_of, ctx->previous.text, sizeof x.previous_as_of);
        if (ctx->previous.day == ctx->as_of)
            x.before = ctx->feats.values;
        else if ((st = features_then(ctx, ctx->previous.day, ch, &then, err)) == FR_OK && then.nfeatures == nf)
            x.before = then.values;
    }
    const cfg_capacity *o = &ctx->cfg.output.capacity_per_zone;
    for (size_t z = 0; st == FR_OK && o->zone && z < ctx->cfg.layers.nzones; z++) {
        if (strcmp(ctx->cfg.layers.zones[z].role, o->zone))
            continue;
        if (!(label = malloc((n ? n : 1) * sizeof *label))) {
            st = fr_error_oom(err);
            break;
        }
        for (size_t i = 0; i < n; i++)
            label[i] = ctx->zone_of[z][i] >= 0 ? ctx->zones[z]->cols[0].str[ctx->zone_of[z][i]] : NULL;
        x.zone_label = label;
        x.zone_name = o->zone;
    }
    if (st == FR_OK)
        st = fr_changes_explain(ch, &x, err);
    model_features_free(&then);
    free(weight);
    free(cap);
    free(label);
    return st;
}
