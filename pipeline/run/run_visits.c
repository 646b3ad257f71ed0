/*
 * run_visits.c — who is due a visit.  The target list is what crews hold:
 * a home they inspected or visited (smoke-alarm install, home safety
 * visit) a few weeks ago should not be on it again.  The last visit of
 * each parcel is the latest matched inspection or `layers.visits` record
 * dated on or before as_of; a home whose last visit is fewer than
 * targets.revisit_after_days before as_of (targets.failed_revisit_days
 * when that visit failed) is held back: it keeps its rank and score in the
 * map layers, and the list fills from further down the ranking.  When
 * several visits share the last date and one failed, the failed one
 * decides (the home is due sooner).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rank.h"
#include "run_internal.h"

int run_visit_outcome_failed(const run_ctx *ctx, const char *outcome)
{
    if (!outcome)
        return 0;
    const cfg_targets *t = &ctx->cfg.targets;
    for (size_t k = 0; k < t->nfailed_outcomes; k++)
        if (!strcasecmp(outcome, t->failed_outcomes[k]))
            return 1;
    for (size_t k = 0; k < t->ndone_outcomes; k++)
        if (!strcasecmp(outcome, t->done_outcomes[k]))
            return 0;
    return -1;
}

fr_status run_visits_check_outcomes(run_ctx *ctx, fr_error *err)
{
    geo_layer *l = ctx->visits;
    int oc = geo_layer_find_column(l, "outcome");
    if (oc < 0 || l->count == 0)
        return FR_OK;
    unsigned char *keep = malloc(l->count);
    if (!keep)
        return fr_error_oom_while(err, "checking the outcomes of %s", l->name);
    size_t removed = 0;
    fr_status st = FR_OK;
    for (size_t k = 0; k < l->count && st == FR_OK; k++) {
        const char *o = l->cols[oc].str[k];
        keep[k] = 1;
        if (!o) {
            keep[k] = 0;
            if (geo_rejects_add(&ctx->rejects, l->name, l->fid[k], l->cols[oc].source_name, "missing_value",
                                "%s, layer '%s', feature %lld, field %s: the visit has no outcome", l->source,
                                l->source_layer ? l->source_layer : "", (long long)l->fid[k],
                                l->cols[oc].source_name) != FR_OK || run_tag_reject(ctx, l, k) != FR_OK)
                st = fr_error_oom(err);
        } else if (run_visit_outcome_failed(ctx, o) < 0) {
            keep[k] = 0;
            if (geo_rejects_add(&ctx->rejects, l->name, l->fid[k], l->cols[oc].source_name, "unknown_outcome",
                                "%s, layer '%s', feature %lld, field %s: outcome '%.100s' is in neither "
                                "targets.done_outcomes nor targets.failed_outcomes",
                                l->source, l->source_layer ? l->source_layer : "", (long long)l->fid[k],
                                l->cols[oc].source_name, o) != FR_OK || run_tag_reject(ctx, l, k) != FR_OK)
                st = fr_error_oom(err);
        }
        removed += !keep[k];
    }
    if (st == FR_OK && removed) {
        geo_layer_compact(l, keep);
        fr_layer_counts *c = run_counts(ctx, LAYER_VISITS);
        c->rejected_read += removed;
        c->kept -= removed;
    }
    free(keep);
    return st;
}

/* A later visit replaces the last one; on the same date a failed one wins. */
static void consider(run_visit_rule *v, size_t parcel, int32_t date, int failed, int64_t record)
{
    int32_t last = v->last_visit[parcel];
    if (last == GEO_DATE_MISSING || date > last || (date == last && failed && !v->last_failed[parcel])) {
        v->last_visit[parcel] = date;
        v->last_failed[parcel] = (uint8_t)(failed > 0);
        v->last_record[parcel] = record;
    }
}

fr_status run_visits_rule(run_ctx *ctx, fr_error *err)
{
    size_t n = ctx->parcels->count, m = n ? n : 1;
    run_visit_rule *v = &ctx->visit;
    v->last_visit = malloc(m * sizeof *v->last_visit);
    v->last_failed = calloc(m, 1);
    v->held_back = calloc(m, 1);
    v->last_record = malloc(m * sizeof *v->last_record);
    if (!v->last_visit || !v->last_failed || !v->held_back || !v->last_record)
        return fr_error_oom_while(err, "applying the revisit rule");
    /* on every thread: at 5M parcels these are 40 MB of pages new to the
     * run, and their first touch on one thread left the other idle */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        v->last_visit[i] = GEO_DATE_MISSING;
        v->last_record[i] = -1;
    }
    if (ctx->insp) {
        const int32_t *date = ctx->insp->cols[geo_layer_find_column(ctx->insp, "date")].date;
        for (size_t k = 0; k < ctx->insp->count; k++)
            if (ctx->insp_match[k].parcel >= 0 && date[k] <= ctx->as_of)
                consider(v, (size_t)ctx->insp_match[k].parcel, date[k], ctx->insp_failed[k] == 1, (int64_t)k);
    }
    if (ctx->visits) {
        const geo_layer *l = ctx->visits;
        const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
        int oc = geo_layer_find_column(l, "outcome");
        for (size_t k = 0; k < l->count; k++)
            if (ctx->visit_match[k].parcel >= 0 && date[k] <= ctx->as_of)
                consider(v, (size_t)ctx->visit_match[k].parcel, date[k],
                         run_visit_outcome_failed(ctx, oc >= 0 ? l->cols[oc].str[k] : NULL) == 1, -(int64_t)k - 1);
    }
    const cfg_targets *t = &ctx->cfg.targets;
    fr_run_summary *s = ctx->sum;
    s->visit_rule = ctx->insp || ctx->visits;
    s->revisit_after_days = t->revisit_after_days;
    s->failed_revisit_days = t->failed_revisit_days;
    for (size_t i = 0; i < n; i++) {
        if (v->last_visit[i] == GEO_DATE_MISSING)
            continue;
        int32_t days = ctx->as_of - v->last_visit[i];
        int window = v->last_failed[i] ? t->failed_revisit_days : t->revisit_after_days;
        v->held_back[i] = days < window;
        s->held_back += v->held_back[i];
        s->held_back_failed += v->held_back[i] && v->last_failed[i];
    }
    return FR_OK;
}

void run_visit_rule_free(run_visit_rule *v)
{
    free(v->last_visit);
    free(v->last_failed);
    free(v->held_back);
    free(v->last_record);
    memset(v, 0, sizeof *v);
}

fr_status run_visits_rank(run_ctx *ctx, fr_error *err)
{
    size_t n = ctx->parcels->count;
    double *since = malloc((n ? n : 1) * sizeof *since);
    if (!since)
        return fr_error_oom(err);
    fr_status st = run_visits_rule(ctx, err);
    model_rank_ties ties = {.nkeys = 0};
    if (st == FR_OK) {
        /* equal scores: more fire history first, then longer since the last visit (never: first) */
#pragma omp parallel for schedule(static) /* new pages: touched on every thread */
        for (size_t i = 0; i < n; i++)
            since[i] = ctx->visit.last_visit[i] == GEO_DATE_MISSING ? INFINITY
                                                                     : (double)(ctx->as_of - ctx->visit.last_visit[i]);
        static const char *const fire_history[] = {"fires_parcel_5y", "fires_near_5y"};
        for (size_t k = 0; k < 2; k++) {
            int c = model_features_find(&ctx->feats, fire_history[k]);
            if (c >= 0)
                ties.key[ties.nkeys++] = ctx->feats.values + (size_t)c * n;
        }
        ties.key[ties.nkeys++] = since;
        int idc = geo_layer_find_column(ctx->parcels, "parcel_id");
        st = model_rank_with_ties(ctx->points.score, &ties, (const char *const *)ctx->parcels->cols[idc].str, n,
                                  ctx->cfg.score.tiers.high, ctx->cfg.score.tiers.medium, ctx->order, ctx->rank,
                                  ctx->tier, err);
    }
    free(since);
    return st;
}
