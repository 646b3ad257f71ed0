/*
 * run.c — `firerisk run` orchestration: the stages in order, their timing,
 * and the accounting of every record (see run.h).
 */
#include "run.h"

#include <ctype.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "dates.h"
#include "explain.h"
#include "log.h"
#include "rank.h"
#include "progress.h"
#include "run_internal.h"

/* Leading NFIRS code of an incident type text ("111", "111 - Building
 * fire"), or -1. */
static int nfirs_code(const char *s)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    int v = 0, n = 0;
    while (isdigit((unsigned char)*s) && n < 4) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    return v;
}

/* Matches a point layer to parcels and rejects what stays unmatched
 * (run_match.c). */
static fr_status match_layer(run_ctx *ctx, geo_layer *l, size_t counts_index, geo_match **out, fr_error *err)
{
    return run_match_layer(ctx, l, counts_index, out, err);
}

/* Which incidents are qualifying fires, and which inspections failed. */
static fr_status classify_records(run_ctx *ctx, fr_error *err)
{
    if (ctx->inc) {
        geo_layer *l = ctx->inc;
        ctx->inc_is_fire = malloc(l->count ? l->count : 1);
        if (!ctx->inc_is_fire)
            return fr_error_oom(err);
        int tcol = geo_layer_find_column(l, "incident_type");
#pragma omp parallel for schedule(static) /* each record on its own */
        for (size_t k = 0; k < l->count; k++) {
            if (tcol < 0) { /* no type mapped: every record is a fire (e.g. a fire-only export) */
                ctx->inc_is_fire[k] = 1;
                continue;
            }
            int code = nfirs_code(l->cols[tcol].str[k]);
            int fire = 0;
            for (size_t r = 0; r < ctx->cfg.features.nfire_codes && code >= 0; r++)
                fire |= code >= ctx->cfg.features.fire_codes[r].lo && code <= ctx->cfg.features.fire_codes[r].hi;
            ctx->inc_is_fire[k] = (uint8_t)fire;
        }
    }
    if (ctx->insp) {
        geo_layer *l = ctx->insp;
        ctx->insp_failed = malloc(l->count ? l->count : 1);
        if (!ctx->insp_failed)
            return fr_error_oom(err);
        int rcol = geo_layer_find_column(l, "result"), vcol = geo_layer_find_column(l, "violations");
#pragma omp parallel for schedule(static) /* each record on its own: 0.1 s of one thread at 2.5M */
        for (size_t k = 0; k < l->count; k++) {
            const char *res = rcol >= 0 ? l->cols[rcol].str[k] : NULL;
            double v = vcol >= 0 ? l->cols[vcol].num[k] : NAN;
            int8_t failed = -1;
            if (res) {
                failed = 0;
                for (size_t f = 0; f < ctx->cfg.features.nfail_values; f++)
                    if (!strcasecmp(res, ctx->cfg.features.fail_values[f]))
                        failed = 1;
            } else if (!isnan(v)) {
                failed = v > 0;
            }
            ctx->insp_failed[k] = failed;
        }
    }
    return FR_OK;
}

/* Fires within the radius of each parcel, by window.  An incident matched
 * only by parcel id is placed at its parcel's representative point. */
static fr_status neighbourhood_counts(run_ctx *ctx, fr_error *err)
{
    geo_layer *l = ctx->inc;
    size_t n = ctx->parcels->count;
    geo_layer *pts = geo_layer_new("incidents", l->source, l->source_layer, GEO_GEOM_POINT);
    int8_t *bucket = malloc(l->count ? l->count : 1);
    ctx->near = calloc(n ? n * MODEL_WINDOW_BUCKETS : 1, sizeof *ctx->near);
    fr_status st = (!pts || !bucket || !ctx->near) ? fr_error_oom(err) : FR_OK;
    int dcol = geo_layer_find_column(l, "date");
    const model_windows win = model_windows_at(ctx->as_of);
    for (size_t k = 0; k < l->count && st == FR_OK; k++) {
        if ((st = geo_layer_add_feature(pts, l->fid[k], NULL, err)) != FR_OK)
            break;
        const geo_match *m = &ctx->inc_match[k];
        bucket[k] = -1;
        if (m->parcel < 0 || !ctx->inc_is_fire[k])
            continue;
        double x = l->kind == GEO_GEOM_POINT ? l->x[k] : NAN, y = l->kind == GEO_GEOM_POINT ? l->y[k] : NAN;
        if (isnan(x)) {
            x = ctx->rx[m->parcel];
            y = ctx->ry[m->parcel];
        }
        geo_layer_set_point(pts, x, y);
        bucket[k] = (int8_t)model_windows_bucket(&win, l->cols[dcol].date[k]);
    }
    if (st == FR_OK)
        st = geo_count_within_rows(ctx->pix, pts, bucket, MODEL_WINDOW_BUCKETS, ctx->cfg.join.radius_m,
                                   ctx->rows_only, ctx->near, err);
    geo_layer_free(pts);
    free(bucket);
    return st;
}

/* Block-group attributes become context columns "bg_<name>". */
static fr_status block_group_context(run_ctx *ctx, fr_error *err)
{
    size_t n = ctx->parcels->count;
    geo_layer *b = ctx->bgs;
    ctx->bg_of = malloc((n ? n : 1) * sizeof *ctx->bg_of);
    if (!ctx->bg_of)
        return fr_error_oom(err);
    fr_status st = geo_assign_zones(ctx->rx, ctx->ry, n, b, ctx->bg_of, err);
    if (st != FR_OK)
        return st;
    ctx->context_names = calloc(b->ncols ? b->ncols : 1, sizeof *ctx->context_names);
    ctx->context_values = calloc(b->ncols ? b->ncols : 1, sizeof *ctx->context_values);
    if (!ctx->context_names || !ctx->context_values)
        return fr_error_oom(err);
    for (size_t c = 0; c < b->ncols; c++) {
        if (b->cols[c].type != GEO_COL_NUMBER || !strncmp(b->cols[c].name, "attr:", 5))
            continue; /* attr:<field>: features.block_group_* (run_attributes.c) */
        size_t len = strlen(b->cols[c].name) + 4;
        char *name = malloc(len);
        double *v = malloc((n ? n : 1) * sizeof *v);
        if (!name || !v) {
            free(name);
            free(v);
            return fr_error_oom(err);
        }
        snprintf(name, len, "bg_%s", b->cols[c].name);
        for (size_t i = 0; i < n; i++)
            v[i] = ctx->bg_of[i] >= 0 ? b->cols[c].num[ctx->bg_of[i]] : NAN;
        ctx->context_names[ctx->ncontext] = name;
        ctx->context_values[ctx->ncontext] = v;
        ctx->ncontext++;
    }
    return FR_OK;
}

static fr_status stage_join(run_ctx *ctx, fr_error *err)
{
    size_t n = ctx->parcels->count;
    fr_status st = FR_OK;
    ctx->rx = malloc((n ? n : 1) * sizeof *ctx->rx);
    ctx->ry = malloc((n ? n : 1) * sizeof *ctx->ry);
    if (!ctx->rx || !ctx->ry)
        st = fr_error_oom(err);
    /* The spatial index, the id index (duplicates were rejected at read)
     * and the representative points, built side by side. */
    run_ids_for_join(ctx);
    if (st == FR_OK)
        st = geo_parcel_prepare(ctx->parcels, geo_layer_find_column(ctx->parcels, "parcel_id"), &ctx->pix,
                                &ctx->ids, ctx->rx, ctx->ry, err);
    if (st == FR_OK && ctx->insp)
        st = match_layer(ctx, ctx->insp, LAYER_INSPECTIONS, &ctx->insp_match, err);
    if (st == FR_OK && ctx->inc)
        st = match_layer(ctx, ctx->inc, LAYER_INCIDENTS, &ctx->inc_match, err);
    if (st == FR_OK && ctx->visits)
        st = match_layer(ctx, ctx->visits, LAYER_VISITS, &ctx->visit_match, err);
    /* the id index served the key joins above only: the changes (write
     * stage) find the few ids they ask for by a scan (geo_id_find_many) */
    geo_id_index_free(ctx->ids);
    ctx->ids = NULL;
    if (st == FR_OK)
        st = classify_records(ctx, err);
    if (st == FR_OK && ctx->inc)
        st = neighbourhood_counts(ctx, err);
    if (st == FR_OK && ctx->stations) {
        ctx->station_dist = malloc((n ? n : 1) * sizeof *ctx->station_dist);
        int32_t *idx = malloc((n ? n : 1) * sizeof *idx);
        if (!ctx->station_dist || !idx)
            st = fr_error_oom(err);
        if (st == FR_OK)
            st = geo_nearest_target(ctx->rx, ctx->ry, n, ctx->stations, ctx->station_dist, idx, err);
        free(idx);
    }
    if (st == FR_OK && ctx->bgs)
        st = block_group_context(ctx, err);
    if (st == FR_OK)
        st = run_attribute_context(ctx, err);
    if (st == FR_OK)
        st = run_locations(ctx, err);
    if (st == FR_OK && ctx->cfg.layers.nzones) {
        ctx->zone_of = calloc(ctx->cfg.layers.nzones, sizeof *ctx->zone_of);
        if (!ctx->zone_of)
            st = fr_error_oom(err);
        for (size_t z = 0; z < ctx->cfg.layers.nzones && st == FR_OK; z++) {
            ctx->zone_of[z] = malloc((n ? n : 1) * sizeof *ctx->zone_of[z]);
            if (!ctx->zone_of[z])
                st = fr_error_oom(err);
            else
                st = geo_assign_zones(ctx->rx, ctx->ry, n, ctx->zones[z], ctx->zone_of[z], err);
        }
    }
    return st;
}

static const double *parcel_number(const geo_layer *p, const char *name)
{
    int c = geo_layer_find_column(p, name);
    return c >= 0 ? p->cols[c].num : NULL;
}

static fr_status stage_features(run_ctx *ctx, fr_error *err)
{
    geo_layer *p = ctx->parcels;
    size_t ninsp = ctx->insp ? ctx->insp->count : 0, ninc = ctx->inc ? ctx->inc->count : 0;
    int32_t *insp_parcel = malloc((ninsp ? ninsp : 1) * sizeof *insp_parcel);
    int32_t *inc_parcel = malloc((ninc ? ninc : 1) * sizeof *inc_parcel);
    if (!insp_parcel || !inc_parcel) {
        free(insp_parcel);
        free(inc_parcel);
        return fr_error_oom(err);
    }
#pragma omp parallel for schedule(static) /* new pages: touched on every thread */
    for (size_t k = 0; k < ninsp; k++)
        insp_parcel[k] = ctx->insp_match[k].parcel;
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < ninc; k++)
        inc_parcel[k] = ctx->inc_match[k].parcel;
    model_feature_input in = {
        .nparcels = p->count, .as_of = ctx->as_of,
        .year_built = parcel_number(p, "year_built"), .building_sqft = parcel_number(p, "building_sqft"),
        .units = parcel_number(p, "units"), .assessed_value = parcel_number(p, "assessed_value"),
        .vacant = parcel_number(p, "vacant"), .owner_occupied = parcel_number(p, "owner_occupied"),
        .ninsp = ninsp, .insp_parcel = insp_parcel,
        .insp_date = ctx->insp ? ctx->insp->cols[geo_layer_find_column(ctx->insp, "date")].date : NULL,
        .insp_failed = ctx->insp_failed,
        .insp_violations = ctx->insp ? parcel_number(ctx->insp, "violations") : NULL,
        .has_inspections = ctx->insp != NULL,
        .ninc = ninc, .inc_parcel = inc_parcel,
        .inc_date = ctx->inc ? ctx->inc->cols[geo_layer_find_column(ctx->inc, "date")].date : NULL,
        .inc_is_fire = ctx->inc_is_fire, .has_incidents = ctx->inc != NULL,
        .near_counts = ctx->near, .station_dist_m = ctx->station_dist,
        .ncontext = ctx->ncontext, .context_names = (const char *const *)ctx->context_names,
        .context_values = (const double *const *)ctx->context_values,
    };
    run_spread spread; /* a record at a building's address counts for every home there */
    model_scales scales;
    double *inc_xy = NULL;
    fr_status st = run_building_spread(ctx, &in, &spread, err);
    if (st == FR_OK && !ctx->skip_scales)
        st = run_scales_input(ctx, &scales, &in.inc_points, &inc_xy, err);
    in.scales = ctx->skip_scales ? NULL : &scales;
    in.parcel_x = ctx->rx;
    in.parcel_y = ctx->ry;
    in.location = ctx->location;
    in.scales_only = ctx->feature_rows;
    in.rows_only = ctx->rows_only;
    if (st == FR_OK)
        st = model_features_build(&in, &ctx->feats, err);
    run_spread_free(&spread);
    free(inc_xy);
    free(insp_parcel);
    free(inc_parcel);
    return st;
}

static fr_status stage_score(run_ctx *ctx, fr_error *err)
{
    const fr_config *cfg = &ctx->cfg;
    const cfg_weight *w = cfg->score.weights;
    ctx->nterms = cfg->score.nweights;
    ctx->terms = calloc(ctx->nterms, sizeof *ctx->terms);
    if (!ctx->terms)
        return fr_error_oom(err);
    for (size_t t = 0; t < ctx->nterms; t++)
        ctx->terms[t] = (model_points_term){w[t].feature, w[t].weight, w[t].cap, w[t].invert};
    /* score.model logistic or gbdt: the model file (pipeline/run/score_model.c). */
    fr_status st = run_uses_model_file(ctx) ? run_score_model_file(ctx, err)
                                            : model_points_score(&ctx->feats, ctx->terms, ctx->nterms, &ctx->points, err);
    if (st != FR_OK)
        return st;
    run_describe_model(ctx);
    char *s = ctx->sum->skipped_terms;
    size_t size = sizeof ctx->sum->skipped_terms, used = 0;
    for (size_t k = 0; k < ctx->points.nskipped && used + 2 < size; k++) {
        int n = snprintf(s + used, size - used, "%s%s", k ? ", " : "", ctx->terms[ctx->points.skipped[k]].feature);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    size_t n = ctx->parcels->count;
    ctx->order = malloc((n ? n : 1) * sizeof *ctx->order);
    ctx->rank = malloc((n ? n : 1) * sizeof *ctx->rank);
    ctx->tier = malloc(n ? n : 1);
    if (!ctx->order || !ctx->rank || !ctx->tier)
        return fr_error_oom(err);
    /* who is due a visit, and the ranking whose ties it helps order (run_visits.c) */
    return run_visits_rank(ctx, err);
}

/* A stage begins: the progress line (on a terminal) and, in a JSON log, a
 * stage_started event, which QGIS's Processing provider turns into its
 * progress bar.  The text log stays as it was. */
static void stage_begins(const fr_run_options *opt, const char *name, int index)
{
    fr_progress_stage(opt->progress, name, index, FR_STAGE_COUNT);
    if (opt->log && opt->log->format == FR_LOG_JSON)
        fr_log_event(opt->log, FR_LOG_INFO, "stage_started", "%s (%d/%d)", name, index, FR_STAGE_COUNT);
}

/* Totals per layer and the most frequent reject reasons, for the summary. */
void run_account(run_ctx *ctx)
{
    fr_run_summary *s = ctx->sum;
    for (size_t k = 0; k < s->nlayers; k++) {
        fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        c->rejected = geo_rejects_count(&ctx->rejects, c->name, NULL);
        c->used = c->by_id + c->by_id_normalised + c->by_address + c->by_address_near + c->by_contains +
                  c->by_nearest;
        if (!c->joined)
            c->used = c->kept;
    }
    s->total_rejects = ctx->rejects.count;
    /* reason counts: few distinct (layer, reason) pairs, so a quadratic scan is fine */
    char *out = s->reject_reasons;
    size_t size = sizeof s->reject_reasons, used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ctx->rejects.count; i++) {
        const geo_reject *r = &ctx->rejects.items[i];
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(ctx->rejects.items[j].layer, r->layer) && !strcmp(ctx->rejects.items[j].reason, r->reason);
        if (seen)
            continue;
        size_t n = 0;
        for (size_t j = i; j < ctx->rejects.count; j++)
            n += !strcmp(ctx->rejects.items[j].layer, r->layer) && !strcmp(ctx->rejects.items[j].reason, r->reason);
        int w = snprintf(out + used, size - used, "  %-14s %-26s %zu\n", r->layer, r->reason, n);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

void run_ctx_free(run_ctx *ctx)
{
    /* the guard last: the previous outputs' removal (begun at the commit,
     * waited for by run_guard_free) goes on while the rest is freed */
    free(ctx->working_wkt);
    free(ctx->out_dir);
    geo_layer_free(ctx->parcels);
    geo_layer_free(ctx->insp);
    geo_layer_free(ctx->inc);
    geo_layer_free(ctx->stations);
    geo_layer_free(ctx->bgs);
    geo_layer_free(ctx->addrlist);
    geo_address_index_free(ctx->known);
    geo_layer_free(ctx->visits);
    for (size_t z = 0; ctx->zones && z < ctx->cfg.layers.nzones; z++)
        geo_layer_free(ctx->zones[z]);
    free(ctx->zones);
    if (ctx->zone_of)
        for (size_t z = 0; z < ctx->cfg.layers.nzones; z++)
            free(ctx->zone_of[z]);
    free(ctx->zone_of);
    geo_rejects_clear(&ctx->rejects);
    geo_rejects_clear(&ctx->warnings);
    geo_id_index_free(ctx->ids);
    geo_id_index_free(ctx->ids_exact);
    geo_address_index_free(ctx->addr);
    geo_parcel_index_free(ctx->pix);
    free(ctx->insp_match);
    free(ctx->inc_match);
    free(ctx->visit_match);
    run_visit_rule_free(&ctx->visit);
    free(ctx->list_rank);
    free(ctx->inc_is_fire);
    free(ctx->insp_failed);
    free(ctx->rx);
    free(ctx->ry);
    free(ctx->near);
    free(ctx->station_dist);
    free(ctx->bg_of);
    free(ctx->location);
    for (size_t c = 0; c < ctx->ncontext; c++) {
        free(ctx->context_names[c]);
        free(ctx->context_values[c]);
    }
    free(ctx->context_names);
    free(ctx->context_values);
    model_features_free(&ctx->feats);
    model_points_result_free(&ctx->points);
    free(ctx->terms);
    free(ctx->order);
    free(ctx->rank);
    free(ctx->tier);
    run_guard_free(ctx);
    fr_config_free(&ctx->cfg);
}

fr_status run_ctx_open(run_ctx *ctx, const fr_run_options *opt, fr_run_summary *summary, fr_error *err)
{
    memset(summary, 0, sizeof *summary);
    memset(ctx, 0, sizeof *ctx);
    ctx->sum = summary;
    ctx->opt = opt;
    ctx->log = opt->log;
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);
    return fr_config_load(opt->config_path, &ctx->cfg, err);
}

fr_status fr_run(const fr_run_options *opt, fr_run_summary *summary, fr_error *err)
{
    run_ctx ctx;
    fr_status st = run_ctx_open(&ctx, opt, summary, err);
    if (st != FR_OK)
        return st;
    ctx.as_of = ctx.cfg.as_of_set ? ctx.cfg.as_of : fr_today_utc();
    if (opt->as_of && fr_parse_date(opt->as_of, "%Y-%m-%d", &ctx.as_of) != 0) {
        run_ctx_free(&ctx);
        return fr_error_set(err, FR_E_USAGE, "--as-of '%s' is not a date YYYY-MM-DD", opt->as_of);
    }
    fr_format_date(ctx.as_of, summary->as_of);
    const char *out = opt->out_dir ? opt->out_dir : ctx.cfg.output.dir ? ctx.cfg.output.dir : "out";
    ctx.out_dir = strdup(out);
    snprintf(summary->out_dir, sizeof summary->out_dir, "%s", out);
    if (!ctx.out_dir) {
        run_ctx_free(&ctx);
        return fr_error_oom(err);
    }
    st = run_guard_begin(&ctx, err);
    if (st != FR_OK) {
        run_ctx_free(&ctx);
        return st;
    }
    double t0 = fr_clock_seconds();
    stage_begins(opt, "read", 1);
    st = run_read_inputs(&ctx, err);
    run_guard_after_read(&ctx);
    double t1 = fr_clock_seconds();
    summary->seconds[FR_STAGE_READ] = t1 - t0;
    if (st == FR_OK) {
        stage_begins(opt, "join", 2);
        st = stage_join(&ctx, err);
    }
    double t2 = fr_clock_seconds();
    summary->seconds[FR_STAGE_JOIN] = t2 - t1;
    if (st == FR_OK) {
        stage_begins(opt, "features", 3);
        ctx.skip_scales = !run_scales_needed(&ctx); /* output.neighbourhood_fields */
        st = stage_features(&ctx, err);
        if (st == FR_OK)
            run_check_plausible(&ctx); /* values no source of their kind should have (run_plausible.c) */
        /* The features' inputs go now unless changes.csv will recompute
         * the features as of the previous run's day: the score stage's
         * arrays then take their pages instead of new ones (at 5M parcels
         * about 0.6 GB; clearing new pages was most of the score stage's
         * CPU time: docs/PROFILE.md, stop 37). */
        if (st == FR_OK && !run_changes_need_then(&ctx))
            run_release_feature_inputs(&ctx);
    }
    double t3 = fr_clock_seconds();
    summary->seconds[FR_STAGE_FEATURES] = t3 - t2;
    if (st == FR_OK) {
        stage_begins(opt, "score", 4);
        st = stage_score(&ctx, err);
    }
    double t4 = fr_clock_seconds();
    summary->seconds[FR_STAGE_SCORE] = t4 - t3;
    if (st == FR_OK) {
        run_account(&ctx);
        st = run_checks_judge(&ctx, err); /* before writing: the summary and report explain them */
        summary->checks.accepted = summary->checks.nfailed && opt->accept;
    }
    if (st == FR_OK) {
        stage_begins(opt, "write", 5);
        st = run_write_outputs(&ctx, err); /* the named GeoPackage or PostGIS tables too */
    }
    if (st != FR_OK) /* on success the write stage timed itself up to run_summary.txt (run_outputs.c) */
        summary->seconds[FR_STAGE_WRITE] = fr_clock_seconds() - t4;
    fr_progress_stage(opt->progress, NULL, 0, 0); /* publishing is quick: no bar under its notes */
    if (st == FR_OK && summary->checks.nfailed && !opt->accept)
        st = run_checks_hold(&ctx, err);
    else if (st == FR_OK)
        st = run_guard_publish(&ctx, err);
    run_ctx_free(&ctx);
    return st;
}

/* The stages before scoring, for `train` and `backtest` (pipeline/train/train.c,
 * pipeline/train/backtest.c): the join of `run`, and its features at any date. */
fr_status run_join(run_ctx *ctx, fr_error *err)
{
    return stage_join(ctx, err);
}

fr_status run_features_and_score(run_ctx *ctx, fr_error *err)
{
    fr_status st = stage_features(ctx, err);
    return st == FR_OK ? stage_score(ctx, err) : st;
}

void run_release_feature_inputs(run_ctx *ctx)
{
    ctx->feature_inputs_released = 1;
    /* The parcels' spatial index (its packed R-tree, ~105 MB at 5M
     * parcels, and the threads' GEOS contexts) and its input, the
     * envelopes (the writers fold the few they need: geo_layer_envelope). */
    geo_parcel_index_free(ctx->pix);
    ctx->pix = NULL;
    geo_layer_drop_envelopes(ctx->parcels);
    /* The points of the record layers: from here on their records are read
     * for their ids, dates and matches only (matches.csv, the report). */
    geo_layer_drop_points(ctx->insp);
    geo_layer_drop_points(ctx->inc);
    geo_layer_drop_points(ctx->visits);
    /* The parcels' number fields (year_built, units, ... and attr:
     * fields): the feature tables copied them.  Their texts stay (ids,
     * addresses, land use are output fields). */
    geo_layer_drop_numbers(ctx->parcels);
    free(ctx->near);
    free(ctx->station_dist);
    free(ctx->location);
    ctx->near = NULL;
    ctx->station_dist = NULL;
    ctx->location = NULL;
    for (size_t c = 0; c < ctx->ncontext; c++) {
        free(ctx->context_values[c]);
        ctx->context_values[c] = NULL;
    }
}

fr_status run_features_as_of(run_ctx *ctx, int32_t as_of, fr_error *err)
{
    ctx->as_of = as_of;
    model_features_free(&ctx->feats);
    if (ctx->inc) {
        free(ctx->near);
        ctx->near = NULL;
        fr_status st = neighbourhood_counts(ctx, err);
        if (st != FR_OK)
            return st;
    }
    return stage_features(ctx, err);
}
