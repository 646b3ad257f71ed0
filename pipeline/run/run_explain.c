/*
 * run_explain.c — `firerisk explain` (see parcel_explain.h).
 *
 * One JSON document is built for every parcel asked for; the text form is
 * rendered from that same document, so the two always say the same thing.
 */
#include "parcel_explain.h"

#include <json-c/json.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "explain.h"
#include "model_file.h"
#include "poly_distance.h"
#include "rank.h"
#include "run_extras.h"
#include "run_internal.h"
#include "strbuf.h"

#define REASON_TEXT 120

void run_reason_phrase(const run_ctx *ctx, const char *feature, double value, int year, char *buf, size_t size)
{
    int inverted = 0;
    for (size_t t = 0; t < ctx->nterms; t++)
        if (!strcmp(ctx->terms[t].feature, feature))
            inverted = ctx->terms[t].invert;
    model_explain(feature, value, year, ctx->cfg.join.radius_m, inverted, buf, size);
}

static json_object *num_or_null(double v)
{
    return isnan(v) ? NULL : json_object_new_double(v);
}

static json_object *date_or_null(int32_t d)
{
    char buf[16];
    if (d == GEO_DATE_MISSING)
        return NULL;
    fr_format_date(d, buf);
    return json_object_new_string(buf);
}

static json_object *text_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

/* ---- the records behind the counts ------------------------------------- */

/* One record of a point layer: its ids, date, and how it found the parcel. */
static json_object *record_json(const geo_layer *l, const geo_match *m, size_t k)
{
    json_object *o = json_object_new_object();
    int rc = geo_layer_find_column(l, "record_id"), dc = geo_layer_find_column(l, "date");
    json_object_object_add(o, "record_id", text_or_null(rc >= 0 ? l->cols[rc].str[k] : NULL));
    json_object_object_add(o, "fid", json_object_new_int64(l->fid[k]));
    json_object_object_add(o, "date", date_or_null(dc >= 0 ? l->cols[dc].date[k] : GEO_DATE_MISSING));
    json_object_object_add(o, "method", json_object_new_string(geo_match_method_name(m[k].method)));
    char conf[16];
    snprintf(conf, sizeof conf, "%.3f", m[k].confidence);
    json_object_object_add(o, "confidence", json_object_new_double_s(atof(conf), conf));
    return o;
}

/* The windows a dated record counts in ("1y 3y 5y"), or "" when none. */
static const char *windows_of(const model_windows *w, int32_t date)
{
    int b = model_windows_bucket(w, date);
    return b == 0 ? "1y 3y 5y" : b == 1 ? "3y 5y" : b == 2 ? "5y" : "";
}

static json_object *records_json(const run_ctx *ctx, size_t i)
{
    json_object *o = json_object_new_object();
    const model_windows w = model_windows_at(ctx->as_of);
    if (ctx->inc) {
        const geo_layer *l = ctx->inc;
        json_object *own = json_object_new_array(), *near = json_object_new_array();
        const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
        int tc = geo_layer_find_column(l, "incident_type");
        for (size_t k = 0; k < l->count; k++) {
            const geo_match *m = &ctx->inc_match[k];
            if (m->parcel < 0 || date[k] >= ctx->as_of)
                continue;
            if ((size_t)m->parcel == i) {
                json_object *r = record_json(l, ctx->inc_match, k);
                json_object_object_add(r, "incident_type", text_or_null(tc >= 0 ? l->cols[tc].str[k] : NULL));
                json_object_object_add(r, "fire", json_object_new_boolean(ctx->inc_is_fire[k]));
                json_object_object_add(r, "windows", json_object_new_string(windows_of(&w, date[k])));
                json_object_array_add(own, r);
            }
            if (!ctx->inc_is_fire[k] || model_windows_bucket(&w, date[k]) < 0)
                continue;
            /* placed as the neighbourhood counts place it (run.c) */
            double x = l->kind == GEO_GEOM_POINT ? l->x[k] : NAN, y = l->kind == GEO_GEOM_POINT ? l->y[k] : NAN;
            if (isnan(x)) {
                x = ctx->rx[m->parcel];
                y = ctx->ry[m->parcel];
            }
            if (!geo_poly_distance_within(ctx->parcels, i, x, y, ctx->cfg.join.radius_m))
                continue;
            json_object *r = record_json(l, ctx->inc_match, k);
            char dist[32];
            snprintf(dist, sizeof dist, "%.1f", geo_poly_distance_point(ctx->parcels, i, x, y));
            json_object_object_add(r, "distance_m", json_object_new_double_s(atof(dist), dist));
            json_object_object_add(r, "windows", json_object_new_string(windows_of(&w, date[k])));
            json_object_array_add(near, r);
        }
        json_object_object_add(o, "incidents_on_parcel", own);
        json_object_object_add(o, "fires_within_radius", near);
    }
    if (ctx->insp) {
        const geo_layer *l = ctx->insp;
        json_object *a = json_object_new_array();
        const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
        int vc = geo_layer_find_column(l, "violations"), rc = geo_layer_find_column(l, "result");
        for (size_t k = 0; k < l->count; k++) {
            if (ctx->insp_match[k].parcel != (int32_t)i || date[k] >= ctx->as_of)
                continue;
            json_object *r = record_json(l, ctx->insp_match, k);
            json_object_object_add(r, "result", text_or_null(rc >= 0 ? l->cols[rc].str[k] : NULL));
            json_object_object_add(r, "failed", ctx->insp_failed[k] < 0 ? NULL
                                                                         : json_object_new_boolean(ctx->insp_failed[k]));
            json_object_object_add(r, "violations", vc >= 0 ? num_or_null(l->cols[vc].num[k]) : NULL);
            json_object_array_add(a, r);
        }
        json_object_object_add(o, "inspections", a);
    }
    if (ctx->visits) {
        const geo_layer *l = ctx->visits;
        json_object *a = json_object_new_array();
        const int32_t *date = l->cols[geo_layer_find_column(l, "date")].date;
        int oc = geo_layer_find_column(l, "outcome");
        for (size_t k = 0; k < l->count; k++) {
            if (ctx->visit_match[k].parcel != (int32_t)i || date[k] > ctx->as_of)
                continue;
            json_object *r = record_json(l, ctx->visit_match, k);
            json_object_object_add(r, "outcome", text_or_null(oc >= 0 ? l->cols[oc].str[k] : NULL));
            json_object_array_add(a, r);
        }
        json_object_object_add(o, "visits", a);
    }
    return o;
}

/* ---- the revisit rule -------------------------------------------------- */

static json_object *visit_rule_json(const run_ctx *ctx, size_t i)
{
    json_object *o = json_object_new_object();
    const run_visit_rule *v = &ctx->visit;
    const cfg_targets *t = &ctx->cfg.targets;
    char text[200];
    json_object_object_add(o, "revisit_after_days", json_object_new_int(t->revisit_after_days));
    json_object_object_add(o, "failed_revisit_days", json_object_new_int(t->failed_revisit_days));
    if (v->last_visit[i] == GEO_DATE_MISSING) {
        json_object_object_add(o, "last_visit", NULL);
        json_object_object_add(o, "held_back", json_object_new_boolean(0));
        json_object_object_add(o, "decision", json_object_new_string("due: no visit on record"));
        return o;
    }
    int window = v->last_failed[i] ? t->failed_revisit_days : t->revisit_after_days;
    int32_t days = ctx->as_of - v->last_visit[i];
    json_object_object_add(o, "last_visit", date_or_null(v->last_visit[i]));
    json_object_object_add(o, "outcome", json_object_new_string(v->last_failed[i] ? "failed" : "completed"));
    int64_t r = v->last_record[i];
    const geo_layer *l = r >= 0 ? ctx->insp : ctx->visits;
    size_t k = r >= 0 ? (size_t)r : (size_t)(-r - 1);
    json_object_object_add(o, "source", json_object_new_string(r >= 0 ? "inspections" : "visits"));
    json_object *rec = record_json(l, r >= 0 ? ctx->insp_match : ctx->visit_match, k);
    json_object_object_add(o, "record", rec);
    json_object_object_add(o, "days_since", json_object_new_int(days));
    json_object_object_add(o, "window_days", json_object_new_int(window));
    json_object_object_add(o, "held_back", json_object_new_boolean(v->held_back[i]));
    char due[16];
    fr_format_date(v->last_visit[i] + window, due);
    if (v->held_back[i])
        snprintf(text, sizeof text, "held back: %s visit %d days ago, within %d days; due again on %s",
                 v->last_failed[i] ? "failed" : "completed", days, window, due);
    else
        snprintf(text, sizeof text, "due: last visit (%s) %d days ago, the window is %d days",
                 v->last_failed[i] ? "failed" : "completed", days, window);
    json_object_object_add(o, "decision", json_object_new_string(text));
    return o;
}

/* ---- the terms of the score ------------------------------------------- */

static fr_status points_terms(const run_ctx *ctx, size_t i, json_object *o, fr_error *err)
{
    model_points_term_value *v = calloc(ctx->nterms ? ctx->nterms : 1, sizeof *v);
    if (!v)
        return fr_error_oom(err);
    double total = 0, sum = 0;
    fr_status st = model_points_explain(&ctx->feats, ctx->terms, ctx->nterms, i, v, &total, err);
    json_object *a = json_object_new_array();
    for (size_t t = 0; st == FR_OK && t < ctx->nterms; t++) {
        const model_points_term *term = &ctx->terms[t];
        json_object *e = json_object_new_object();
        json_object_object_add(e, "feature", json_object_new_string(term->feature));
        json_object_object_add(e, "value", num_or_null(v[t].value));
        json_object_object_add(e, "weight", json_object_new_double(term->weight));
        json_object_object_add(e, "cap", json_object_new_double(term->cap));
        json_object_object_add(e, "invert", json_object_new_boolean(term->invert));
        json_object_object_add(e, "in_score", json_object_new_boolean(v[t].used));
        json_object_object_add(e, "scaled", json_object_new_double(v[t].scaled));
        json_object_object_add(e, "points", json_object_new_double(v[t].points));
        json_object_object_add(e, "contribution", json_object_new_double(v[t].contribution));
        json_object_array_add(a, e);
        sum += v[t].contribution;
    }
    json_object_object_add(o, "terms", a);
    json_object_object_add(o, "total_weight", json_object_new_double(total));
    json_object_object_add(o, "terms_sum", json_object_new_double(sum));
    free(v);
    return st;
}

static fr_status model_terms(const run_ctx *ctx, const model_trained *m, size_t i, json_object *o, fr_error *err)
{
    size_t nf = model_trained_nfeatures(m), n = ctx->parcels->count;
    double *x = malloc((nf ? nf : 1) * sizeof *x), *c = malloc((nf ? nf : 1) * sizeof *c);
    if (!x || !c) {
        free(x);
        free(c);
        return fr_error_oom(err);
    }
    for (size_t j = 0; j < nf; j++) {
        int col = model_features_find(&ctx->feats, model_trained_feature(m, j));
        x[j] = col >= 0 ? ctx->feats.values[(size_t)col * n + i] : NAN; /* every one exists: scoring checked */
    }
    double bias = 0, raw = model_trained_raw_terms(m, x, c, &bias), sum = bias;
    json_object *a = json_object_new_array();
    for (size_t j = 0; j < nf; j++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "feature", json_object_new_string(model_trained_feature(m, j)));
        json_object_object_add(e, "value", num_or_null(x[j]));
        json_object_object_add(e, "contribution", json_object_new_double(c[j]));
        json_object_array_add(a, e);
        sum += c[j];
    }
    json_object_object_add(o, "terms", a);
    json_object_object_add(o, "bias", json_object_new_double(bias));
    json_object_object_add(o, "log_odds", json_object_new_double(raw));
    json_object_object_add(o, "terms_sum", json_object_new_double(sum));
    json_object_object_add(o, "score_from_terms", json_object_new_double(1.0 / (1.0 + exp(-sum))));
    free(x);
    free(c);
    return FR_OK;
}

/* ---- one parcel -------------------------------------------------------- */

static fr_status parcel_json(const run_ctx *ctx, const model_trained *m, const int32_t *list_rank, size_t i,
                             json_object **out, fr_error *err)
{
    const geo_layer *p = ctx->parcels;
    size_t n = p->count;
    json_object *o = json_object_new_object();
    *out = o;
    int ac = geo_layer_find_column(p, "address");
    json_object_object_add(o, "parcel_id", json_object_new_string(p->cols[geo_layer_find_column(p, "parcel_id")].str[i]));
    json_object_object_add(o, "address", text_or_null(ac >= 0 ? p->cols[ac].str[i] : NULL));
    json_object_object_add(o, "as_of", date_or_null(ctx->as_of));
    json_object_object_add(o, "rank", json_object_new_int(ctx->rank[i]));
    json_object_object_add(o, "of", json_object_new_int64((int64_t)n));
    json_object_object_add(o, "score", json_object_new_double(ctx->points.score[i]));
    json_object_object_add(o, "tier", json_object_new_string(model_tier_name((model_tier)ctx->tier[i])));
    json_object_object_add(o, "on_list", json_object_new_boolean(list_rank[i] > 0));
    json_object_object_add(o, "list_rank", list_rank[i] > 0 ? json_object_new_int(list_rank[i]) : NULL);
    for (size_t z = 0; z < ctx->cfg.layers.nzones; z++) {
        int32_t f = ctx->zone_of[z][i];
        json_object_object_add(o, ctx->cfg.layers.zones[z].role,
                               text_or_null(f >= 0 ? ctx->zones[z]->cols[0].str[f] : NULL));
    }
    int y, mo, d;
    fr_civil_from_days(ctx->as_of, &y, &mo, &d);
    json_object *feats = json_object_new_array();
    for (size_t k = 0; k < ctx->feats.nfeatures; k++) {
        const char *name = ctx->feats.names[k];
        double v = ctx->feats.values[k * n + i];
        char reason[REASON_TEXT];
        run_reason_phrase(ctx, name, v, y, reason, sizeof reason);
        json_object *e = json_object_new_object();
        json_object_object_add(e, "name", json_object_new_string(name));
        json_object_object_add(e, "value", num_or_null(v));
        json_object_object_add(e, "reason", json_object_new_string(reason));
        json_object_array_add(feats, e);
    }
    json_object_object_add(o, "features", feats);
    json_object_object_add(o, "model", json_object_new_string(ctx->cfg.score.model));
    fr_status st = m ? model_terms(ctx, m, i, o, err) : points_terms(ctx, i, o, err);
    json_object_object_add(o, "records", records_json(ctx, i));
    json_object_object_add(o, "visit_rule", visit_rule_json(ctx, i));
    return st;
}

/* ---- text -------------------------------------------------------------- */

static const char *str_of(json_object *o, const char *key)
{
    json_object *v = json_object_object_get(o, key);
    return v ? json_object_get_string(v) : "";
}

static void put_value(fr_strbuf *b, json_object *v)
{
    if (!v)
        fr_sb_puts(b, "missing");
    else
        fr_sb_printf(b, "%.10g", json_object_get_double(v));
}

static void text_records(fr_strbuf *b, json_object *recs, const char *key, const char *title)
{
    json_object *a = json_object_object_get(recs, key);
    if (!a)
        return;
    size_t n = json_object_array_length(a);
    fr_sb_printf(b, "  %s: %zu\n", title, n);
    for (size_t k = 0; k < n; k++) {
        json_object *r = json_object_array_get_idx(a, k);
        fr_sb_printf(b, "    %s  record %s (fid %s)  %s", str_of(r, "date"),
                     json_object_object_get(r, "record_id") ? str_of(r, "record_id") : "-", str_of(r, "fid"),
                     str_of(r, "method"));
        static const char *const extra[] = {"incident_type", "result", "outcome", "windows", "distance_m"};
        for (size_t e = 0; e < sizeof extra / sizeof extra[0]; e++) {
            json_object *v = json_object_object_get(r, extra[e]);
            if (v && json_object_get_string(v)[0])
                fr_sb_printf(b, "  %s %s", extra[e], json_object_get_string(v));
        }
        json_object *fire = json_object_object_get(r, "fire");
        if (fire)
            fr_sb_puts(b, json_object_get_boolean(fire) ? "  fire" : "  not a fire");
        fr_sb_puts(b, "\n");
    }
}

static void text_parcel(fr_strbuf *b, json_object *o)
{
    fr_sb_printf(b, "parcel %s", str_of(o, "parcel_id"));
    if (json_object_object_get(o, "address"))
        fr_sb_printf(b, "  %s", str_of(o, "address"));
    fr_sb_printf(b, "\n  as of %s: rank %s of %s, score %.6f, tier %s, ", str_of(o, "as_of"), str_of(o, "rank"),
                 str_of(o, "of"), json_object_get_double(json_object_object_get(o, "score")), str_of(o, "tier"));
    if (json_object_object_get(o, "list_rank"))
        fr_sb_printf(b, "target list row %s\n", str_of(o, "list_rank"));
    else
        fr_sb_puts(b, "not on the target list\n");
    json_object *vr = json_object_object_get(o, "visit_rule");
    fr_sb_printf(b, "  revisit rule: %s\n", str_of(vr, "decision"));
    fr_sb_puts(b, "features:\n");
    json_object *f = json_object_object_get(o, "features");
    for (size_t k = 0; k < json_object_array_length(f); k++) {
        json_object *e = json_object_array_get_idx(f, k);
        fr_sb_printf(b, "  %-22s ", str_of(e, "name"));
        put_value(b, json_object_object_get(e, "value"));
        fr_sb_printf(b, "  (%s)\n", str_of(e, "reason"));
    }
    json_object *t = json_object_object_get(o, "terms");
    int points = !strcmp(str_of(o, "model"), "points");
    if (points)
        fr_sb_printf(b, "terms (points index: weight x scaled value / %g, the sum of the weights in use):\n",
                     json_object_get_double(json_object_object_get(o, "total_weight")));
    else
        fr_sb_printf(b, "terms (%s, log-odds: %s):\n", str_of(o, "model"),
                     !strcmp(str_of(o, "model"), "logistic") ? "coefficient x standardised value"
                                                              : "path contributions of the trees");
    for (size_t k = 0; k < json_object_array_length(t); k++) {
        json_object *e = json_object_array_get_idx(t, k);
        fr_sb_printf(b, "  %-22s value ", str_of(e, "feature"));
        put_value(b, json_object_object_get(e, "value"));
        if (points) {
            if (!json_object_get_boolean(json_object_object_get(e, "in_score"))) {
                fr_sb_puts(b, "  not in the score (no such feature in the data)\n");
                continue;
            }
            fr_sb_printf(b, "  %g x %.6f = %.6f points  -> %+.9f\n",
                         json_object_get_double(json_object_object_get(e, "weight")),
                         json_object_get_double(json_object_object_get(e, "scaled")),
                         json_object_get_double(json_object_object_get(e, "points")),
                         json_object_get_double(json_object_object_get(e, "contribution")));
        } else {
            fr_sb_printf(b, "  -> %+.9f\n", json_object_get_double(json_object_object_get(e, "contribution")));
        }
    }
    if (points)
        fr_sb_printf(b, "  sum of the terms %.9f = score %.9f\n",
                     json_object_get_double(json_object_object_get(o, "terms_sum")),
                     json_object_get_double(json_object_object_get(o, "score")));
    else
        fr_sb_printf(b, "  bias %+.9f; bias + terms = log-odds %.9f; 1 / (1 + exp(-log-odds)) = %.9f = score %.9f\n",
                     json_object_get_double(json_object_object_get(o, "bias")),
                     json_object_get_double(json_object_object_get(o, "terms_sum")),
                     json_object_get_double(json_object_object_get(o, "score_from_terms")),
                     json_object_get_double(json_object_object_get(o, "score")));
    fr_sb_puts(b, "records:\n");
    json_object *r = json_object_object_get(o, "records");
    text_records(b, r, "incidents_on_parcel", "incidents on the parcel");
    text_records(b, r, "fires_within_radius", "fires within the radius, past 5 years");
    text_records(b, r, "inspections", "inspections");
    text_records(b, r, "visits", "visits");
}

/* ---- the command ------------------------------------------------------- */

/* The stages of run up to the ranking, and the target list's rows. */
static fr_status prepare(run_ctx *ctx, const fr_explain_options *opt, int32_t **list_rank, model_trained *m,
                         int *has_model, fr_error *err)
{
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);
    fr_status st = fr_config_load(opt->config_path, &ctx->cfg, err);
    if (st != FR_OK)
        return st;
    ctx->as_of = ctx->cfg.as_of_set ? ctx->cfg.as_of : fr_today_utc();
    if (opt->as_of && fr_parse_date(opt->as_of, "%Y-%m-%d", &ctx->as_of) != 0)
        return fr_error_set(err, FR_E_USAGE, "--as-of '%s' is not a date YYYY-MM-DD", opt->as_of);
    fr_format_date(ctx->as_of, ctx->sum->as_of);
    st = run_read_inputs(ctx, err);
    if (st == FR_OK)
        st = run_join(ctx, err);
    ctx->skip_scales = !run_scales_needed(ctx); /* the features of `run`'s outputs */
    if (st == FR_OK)
        st = run_features_and_score(ctx, err);
    size_t *rows = NULL, nrows = 0, n = ctx->parcels ? ctx->parcels->count : 0;
    if (st == FR_OK)
        st = run_extras_target_rows(ctx, &rows, &nrows, err);
    if (st == FR_OK && !(*list_rank = calloc(n ? n : 1, sizeof **list_rank)))
        st = fr_error_oom(err);
    for (size_t r = 0; st == FR_OK && r < nrows; r++)
        (*list_rank)[rows[r]] = (int32_t)(r + 1);
    free(rows);
    if (st == FR_OK && run_uses_model_file(ctx)) {
        st = model_file_read(ctx->cfg.score.model_file, m, err);
        *has_model = st == FR_OK;
    }
    return st;
}

fr_status fr_explain(const fr_explain_options *opt, char **out, fr_error *err)
{
    *out = NULL;
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    fr_run_summary *sum = calloc(1, sizeof *sum);
    if (!sum)
        return fr_error_oom(err);
    ctx.sum = sum;
    int32_t *list_rank = NULL;
    model_trained m;
    memset(&m, 0, sizeof m);
    int has_model = 0;
    fr_status st = prepare(&ctx, opt, &list_rank, &m, &has_model, err);
    size_t *which = calloc(opt->nids ? opt->nids : 1, sizeof *which);
    if (st == FR_OK && !which)
        st = fr_error_oom(err);
    long *at = calloc(opt->nids ? opt->nids : 1, sizeof *at); /* the parcel of each id asked */
    if (st == FR_OK && !at)
        st = fr_error_oom(err);
    if (st == FR_OK)
        st = geo_id_find_many(ctx.parcels, geo_layer_find_column(ctx.parcels, "parcel_id"),
                              (const char *const *)opt->ids, opt->nids, at, err);
    for (size_t k = 0; st == FR_OK && k < opt->nids; k++) {
        long i = at[k];
        if (i < 0)
            st = fr_error_set(err, FR_E_USAGE, "parcel id '%s' is not among the %zu parcels of %s", opt->ids[k],
                              ctx.parcels->count, ctx.cfg.layers.parcels.source_label);
        else
            which[k] = (size_t)i;
    }
    json_object *doc = json_object_new_object(), *parcels = json_object_new_array();
    json_object_object_add(doc, "as_of", date_or_null(ctx.as_of));
    json_object_object_add(doc, "config", text_or_null(ctx.cfg.path));
    json_object_object_add(doc, "parcels", parcels);
    for (size_t k = 0; st == FR_OK && k < opt->nids; k++) {
        json_object *p = NULL;
        st = parcel_json(&ctx, has_model ? &m : NULL, list_rank, which[k], &p, err);
        json_object_array_add(parcels, p);
    }
    if (st == FR_OK && opt->json) {
        const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t len = strlen(s);
        if ((*out = malloc(len + 2))) {
            memcpy(*out, s, len);
            memcpy(*out + len, "\n", 2);
        }
    } else if (st == FR_OK) {
        fr_strbuf b = {0};
        for (size_t k = 0; k < json_object_array_length(parcels); k++) {
            if (k)
                fr_sb_puts(&b, "\n");
            text_parcel(&b, json_object_array_get_idx(parcels, k));
        }
        *out = fr_sb_take(&b);
    }
    if (st == FR_OK && !*out)
        st = fr_error_oom_while(err, "explaining");
    json_object_put(doc);
    free(which);
    free(at);
    free(list_rank);
    if (has_model)
        model_trained_free(&m);
    run_ctx_free(&ctx);
    free(sum);
    return st;
}
