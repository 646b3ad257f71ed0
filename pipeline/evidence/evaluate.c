/*
 * evaluate.c — `firerisk evaluate` (see evaluate.h): the layers read and
 * joined as `run` does, the visits and fires of each home as sorted dates,
 * one scoring of every home per cohort month (the features as of its first
 * day), the units of models/evidence/effect.c, and the files.
 *
 * A cohort is a calendar month of the period.  Its visited homes are the
 * homes whose first completed visit of the period falls in it, counted from
 * the visit; its comparison homes are the homes with no completed visit in
 * the 365 days before the month's first day nor in the 365 days from it,
 * counted from the first day.  Both are placed in a stratum: cohort x risk
 * decile (as of the first day) x zone (the first of layers.zones, else the
 * block group, else none).
 */
#include "evaluate.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dates.h"
#include "effect.h"
#include "run_internal.h"
#include "strbuf.h"

#define YEAR FR_EVALUATE_FOLLOW_UP_DAYS

/* The dates of each parcel's records, sorted (compressed rows). */
typedef struct {
    size_t *off; /* n + 1 */
    int32_t *date;
} dated;

static void dated_free(dated *d)
{
    free(d->off);
    free(d->date);
}

static int cmp_date(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

/* keep(k) decides which records of l count; parcel_of(k) < 0: unmatched. */
typedef struct {
    const geo_layer *l;
    const geo_match *match;
    const uint8_t *fire;      /* incidents: only the qualifying fires */
    const run_ctx *ctx;       /* visits: only the completed ones (outcome) */
} record_source;

static int record_counts(const record_source *s, size_t k)
{
    if (!s->l || s->match[k].parcel < 0)
        return 0;
    if (s->fire && !s->fire[k])
        return 0;
    if (s->ctx) {
        int oc = geo_layer_find_column(s->l, "outcome");
        if (oc >= 0 && run_visit_outcome_failed(s->ctx, s->l->cols[oc].str[k]) == 1)
            return 0;
    }
    return s->l->cols[geo_layer_find_column(s->l, "date")].date[k] != GEO_DATE_MISSING;
}

static fr_status dated_build(size_t n, const record_source *src, size_t nsrc, dated *d, fr_error *err)
{
    d->off = calloc(n + 2, sizeof *d->off);
    if (!d->off)
        return fr_error_oom_while(err, "indexing the visits and fires");
    for (size_t q = 0; q < nsrc; q++)
        for (size_t k = 0; src[q].l && k < src[q].l->count; k++)
            if (record_counts(&src[q], k))
                d->off[src[q].match[k].parcel + 2]++;
    for (size_t i = 0; i < n; i++)
        d->off[i + 2] += d->off[i + 1];
    d->date = malloc((d->off[n + 1] ? d->off[n + 1] : 1) * sizeof *d->date);
    if (!d->date)
        return fr_error_oom_while(err, "indexing the visits and fires");
    for (size_t q = 0; q < nsrc; q++) {
        if (!src[q].l)
            continue;
        const int32_t *date = src[q].l->cols[geo_layer_find_column(src[q].l, "date")].date;
        for (size_t k = 0; k < src[q].l->count; k++)
            if (record_counts(&src[q], k))
                d->date[d->off[src[q].match[k].parcel + 1]++] = date[k];
    }
    for (size_t i = 0; i < n; i++)
        qsort(d->date + d->off[i], d->off[i + 1] - d->off[i], sizeof *d->date, cmp_date);
    return FR_OK;
}

/* Records of parcel i dated in [lo, hi). */
static uint32_t count_in(const dated *d, size_t i, int32_t lo, int32_t hi)
{
    uint32_t c = 0;
    for (size_t k = d->off[i]; k < d->off[i + 1]; k++)
        c += d->date[k] >= lo && d->date[k] < hi;
    return c;
}

/* The first record of parcel i dated in [lo, hi), or GEO_DATE_MISSING. */
static int32_t first_in(const dated *d, size_t i, int32_t lo, int32_t hi)
{
    for (size_t k = d->off[i]; k < d->off[i + 1]; k++)
        if (d->date[k] >= lo && d->date[k] < hi)
            return d->date[k];
    return GEO_DATE_MISSING;
}

static int month_index(int32_t day)
{
    int y, m, dd;
    fr_civil_from_days(day, &y, &m, &dd);
    return y * 12 + (m - 1);
}

static int32_t month_start(int index)
{
    return fr_days_from_civil(index / 12, index % 12 + 1, 1);
}

/* Every home scored as of day d (the features as of d; the model of the
 * config: the points index or score.model_file). */
static fr_status score_as_of(run_ctx *ctx, int32_t d, fr_error *err)
{
    fr_status st = run_features_as_of(ctx, d, err);
    model_points_result_free(&ctx->points);
    if (st != FR_OK)
        return st;
    if (run_uses_model_file(ctx))
        return run_score_model_file(ctx, err);
    return model_points_score(&ctx->feats, ctx->terms, ctx->nterms, &ctx->points, err);
}

typedef struct {
    model_effect_unit *u;
    size_t n, cap;
} unit_list;

static int unit_add(unit_list *l, model_effect_unit u)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        model_effect_unit *g = realloc(l->u, cap * sizeof *g);
        if (!g)
            return -1;
        l->u = g;
        l->cap = cap;
    }
    l->u[l->n++] = u;
    return 0;
}

typedef struct {
    int32_t from, to, data_end;    /* period (inclusive) and the last qualifying fire */
    size_t visits, visited_homes, cohorts;
    const char *zone_layer;        /* what "same zone" means here */
    const char *visit_records;     /* visits, inspections or both */
    model_effect fx;
} evaluation;

/* The units of every cohort. */
static fr_status build_units(run_ctx *ctx, const dated *visits, const dated *fires, evaluation *ev,
                             unit_list *units, fr_error *err)
{
    size_t n = ctx->parcels->count;
    const int32_t *zone_of = NULL;
    size_t nz = 0;
    if (ctx->cfg.layers.nzones && ctx->zone_of) {
        zone_of = ctx->zone_of[0];
        nz = ctx->zones[0]->count;
        ev->zone_layer = ctx->cfg.layers.zones[0].role;
    } else if (ctx->bg_of) {
        zone_of = ctx->bg_of;
        nz = ctx->bgs->count;
        ev->zone_layer = "block_groups";
    } else
        ev->zone_layer = "none";
    int m0 = month_index(ev->from), m1 = month_index(ev->to);
    ev->cohorts = (size_t)(m1 - m0 + 1);
    int32_t *first = malloc((n ? n : 1) * sizeof *first);
    uint8_t *decile = malloc(n ? n : 1);
    uint32_t *zero = calloc(10 * (nz + 1), sizeof *zero);
    if (!first || !decile || !zero) {
        free(first);
        free(decile);
        free(zero);
        return fr_error_oom_while(err, "evaluating the visits");
    }
    for (size_t i = 0; i < n; i++) {
        first[i] = first_in(visits, i, ev->from, ev->to + 1);
        ev->visited_homes += first[i] != GEO_DATE_MISSING;
        ev->visits += count_in(visits, i, ev->from, ev->to + 1);
    }
    fr_status st = FR_OK;
    for (int c = m0; c <= m1 && st == FR_OK; c++) {
        int32_t d = month_start(c);
        st = score_as_of(ctx, d, err);
        if (st == FR_OK)
            st = model_deciles(ctx->points.score, n, decile, err);
        if (st != FR_OK)
            break;
        memset(zero, 0, 10 * (nz + 1) * sizeof *zero);
        uint64_t base = (uint64_t)(c - m0) * 10 * (nz + 1);
        for (size_t i = 0; i < n && st == FR_OK; i++) {
            size_t z = zone_of && zone_of[i] >= 0 ? (size_t)zone_of[i] + 1 : 0;
            size_t cell = (size_t)decile[i] * (nz + 1) + z;
            model_effect_unit u = {.stratum = base + cell, .homes = 1};
            if (first[i] != GEO_DATE_MISSING && month_index(first[i]) == c) {
                u.treated = 1;
                u.fires = count_in(fires, i, first[i], first[i] + YEAR);
                u.fires_before = count_in(fires, i, first[i] - YEAR, first[i]);
            } else if (first_in(visits, i, d - YEAR, d + YEAR) == GEO_DATE_MISSING) {
                u.fires = count_in(fires, i, d, d + YEAR);
                if (!u.fires) {
                    zero[cell]++;
                    continue;
                }
            } else
                continue;
            if (unit_add(units, u) != 0)
                st = fr_error_oom_while(err, "evaluating the visits");
        }
        for (size_t cell = 0; cell < 10 * (nz + 1) && st == FR_OK; cell++)
            if (zero[cell] && unit_add(units, (model_effect_unit){.stratum = base + cell, .homes = zero[cell]}) != 0)
                st = fr_error_oom_while(err, "evaluating the visits");
    }
    free(first);
    free(decile);
    free(zero);
    return st;
}

/* ---- the files --------------------------------------------------------------- */

static const char *const caveats[] = {
    "An observational comparison, not a trial: the department chose whom to visit. Comparing homes of the same "
    "risk decile (scored as of the first day of the visit's month) and the same zone removes the differences the "
    "score sees; differences it does not see (a crew's judgement, who opens the door) remain and can bias the "
    "estimate either way.",
    "A visited home is counted once, from its first completed visit in the period. Homes with a completed visit "
    "in the 365 days before a cohort month's first day, or in the 365 days from it, are not comparison homes for "
    "that month. Failed visits (targets.failed_outcomes) are not visits.",
    "A prevented fire cannot be seen, only estimated: fires prevented = the fires the comparison homes' rates "
    "predict for the visited homes - the fires the visited homes had.",
    "The intervals are 95% percentile intervals of a stratified bootstrap of the homes (fixed seed): they cover "
    "the sampling noise, not the bias of an observational comparison.",
    "The before/after rates compare the visited homes with themselves; homes are often visited because of a "
    "recent fire, so the rate before is inflated (regression to the mean): read them as context, not as the effect.",
    "The naive comparison (every visited home against every unvisited one, no matching) is shown to make the "
    "point: visits go to riskier homes, so it is biased against the visits.",
};
#define NCAVEATS (sizeof caveats / sizeof caveats[0])

/* The text of b written to path (b is emptied). */
static fr_status write_text(fr_strbuf *b, const char *path, fr_error *err)
{
    char *s = fr_sb_take(b);
    if (!s)
        return fr_error_oom_while(err, "writing %s", path);
    fr_status st = fr_write_text_file(path, s, err);
    free(s);
    return st;
}

static json_object *jnum(double v)
{
    if (!isfinite(v))
        return NULL;
    char buf[32];
    snprintf(buf, sizeof buf, "%.6g", v);
    return json_object_new_double_s(v, buf);
}

static json_object *jinterval(const model_interval *iv)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "estimate", jnum(iv->estimate));
    json_object_object_add(o, "ci95_low", jnum(iv->lo));
    json_object_object_add(o, "ci95_high", jnum(iv->hi));
    return o;
}

static fr_status write_json(const run_ctx *ctx, const evaluation *ev, int incomplete, const char *path, fr_error *err)
{
    const model_effect *f = &ev->fx;
    char from[11], to[11], end[11];
    fr_format_date(ev->from, from);
    fr_format_date(ev->to, to);
    fr_format_date(ev->data_end, end);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "config", json_object_new_string(ctx->cfg.path));
    json_object_object_add(o, "from", json_object_new_string(from));
    json_object_object_add(o, "to", json_object_new_string(to));
    json_object_object_add(o, "fires_data_end", json_object_new_string(end));
    json_object_object_add(o, "follow_up_days", json_object_new_int(YEAR));
    json_object_object_add(o, "follow_up_complete", json_object_new_boolean(!incomplete));
    json_object_object_add(o, "matched_on", json_object_new_string("cohort month x risk decile x zone"));
    json_object_object_add(o, "zone_layer", json_object_new_string(ev->zone_layer));
    json_object_object_add(o, "visit_records", json_object_new_string(ev->visit_records));
    json_object_object_add(o, "model", json_object_new_string(ctx->cfg.score.model));
    json_object_object_add(o, "cohorts", json_object_new_int64((int64_t)ev->cohorts));
    json_object_object_add(o, "visits", json_object_new_int64((int64_t)ev->visits));
    json_object_object_add(o, "visited_homes", json_object_new_int64((int64_t)f->treated));
    json_object_object_add(o, "visited_homes_matched", json_object_new_int64((int64_t)f->treated_matched));
    json_object_object_add(o, "comparison_homes", json_object_new_int64((int64_t)f->controls));
    json_object_object_add(o, "comparison_homes_matched", json_object_new_int64((int64_t)f->controls_matched));
    json_object_object_add(o, "strata_matched", json_object_new_int64((int64_t)f->strata_matched));
    json_object_object_add(o, "fires_visited", jnum(f->fires_treated));
    json_object_object_add(o, "fires_expected", jnum(f->fires_expected));
    json_object_object_add(o, "rate_visited_per_1000", jinterval(&f->rate_treated));
    json_object_object_add(o, "rate_comparison_per_1000", jinterval(&f->rate_control));
    json_object_object_add(o, "difference_per_1000", jinterval(&f->difference));
    json_object_object_add(o, "ratio", jinterval(&f->ratio));
    json_object_object_add(o, "reduction", jinterval(&f->reduction));
    json_object_object_add(o, "fires_prevented", jinterval(&f->prevented));
    json_object *naive = json_object_new_object();
    json_object_object_add(naive, "rate_visited_per_1000", jnum(f->naive_rate_treated));
    json_object_object_add(naive, "rate_unvisited_per_1000", jnum(f->naive_rate_control));
    json_object_object_add(naive, "ratio", jnum(f->naive_ratio));
    json_object_object_add(o, "naive", naive);
    json_object *ba = json_object_new_object();
    json_object_object_add(ba, "rate_before_per_1000", jnum(f->rate_before));
    json_object_object_add(ba, "rate_after_per_1000", jnum(f->rate_after));
    json_object_object_add(o, "before_after", ba);
    json_object *bs = json_object_new_object();
    json_object_object_add(bs, "replicates", json_object_new_int(f->replicates));
    json_object_object_add(bs, "seed", json_object_new_int64(FR_EVALUATE_SEED));
    json_object_object_add(bs, "method", json_object_new_string("stratified Poisson bootstrap, percentile intervals"));
    json_object_object_add(o, "bootstrap", bs);
    json_object *cv = json_object_new_array();
    for (size_t k = 0; k < NCAVEATS; k++)
        json_object_array_add(cv, json_object_new_string(caveats[k]));
    if (incomplete)
        json_object_array_add(cv, json_object_new_string("The fires end before the 12 months after the last "
                                                         "visits of the period: their follow-up is short on "
                                                         "both sides of the comparison."));
    json_object_object_add(o, "caveats", cv);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    fr_strbuf b = {0};
    fr_sb_printf(&b, "%s\n", text);
    json_object_put(o);
    return write_text(&b, path, err);
}

static void row(fr_strbuf *b, const char *what, const model_interval *iv, int decimals)
{
    fr_sb_printf(b, "<tr><td>%s</td><td class=\"num\">%.*f</td><td class=\"num\">%.*f to %.*f</td></tr>\n", what,
                 decimals, iv->estimate, decimals, iv->lo, decimals, iv->hi);
}

static fr_status write_html(const evaluation *ev, int incomplete, const char *path, fr_error *err)
{
    const model_effect *f = &ev->fx;
    char from[11], to[11];
    fr_format_date(ev->from, from);
    fr_format_date(ev->to, to);
    fr_strbuf b = {0};
    fr_sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>firerisk evaluate: do the visits prevent fires?</title>\n<style>\n"
                   "body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em}"
                   "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
                   ".num{text-align:right}.caveat{background:#fff6d5;padding:.5em 1em}\n</style>\n</head>\n<body>\n");
    fr_sb_printf(&b, "<h2>Do the visits prevent fires?</h2>\n<p>Homes visited (%s) from %s to %s (%zu visited homes, "
                     "%zu compared) against comparable homes not visited (%zu): same risk decile as of the first "
                     "day of the visit's month, same zone (%s). Fires in the 12 months after.</p>\n",
                 ev->visit_records, from, to, f->treated, f->treated_matched, f->controls_matched, ev->zone_layer);
    fr_sb_puts(&b, "<table>\n<tr><th></th><th>estimate</th><th>95% interval</th></tr>\n");
    row(&b, "fires per 1,000 visited homes", &f->rate_treated, 2);
    row(&b, "fires per 1,000 comparable homes not visited", &f->rate_control, 2);
    row(&b, "difference per 1,000 homes", &f->difference, 2);
    row(&b, "ratio (visited / not visited)", &f->ratio, 3);
    row(&b, "share of fires prevented (1 - ratio)", &f->reduction, 3);
    row(&b, "fires prevented", &f->prevented, 1);
    fr_sb_puts(&b, "</table>\n");
    fr_sb_printf(&b, "<p>Naive comparison (no matching): %.2f fires per 1,000 visited homes against %.2f per "
                     "1,000 unvisited homes (ratio %.3f). Before and after, the visited homes: %.2f fires per "
                     "1,000 in the 12 months before their visit, %.2f after.</p>\n",
                 f->naive_rate_treated, f->naive_rate_control, f->naive_ratio, f->rate_before, f->rate_after);
    fr_sb_puts(&b, "<div class=\"caveat\"><h3>Read with care</h3>\n<ul>\n");
    for (size_t k = 0; k < NCAVEATS; k++) {
        fr_sb_puts(&b, "<li>");
        fr_sb_xml(&b, caveats[k]);
        fr_sb_puts(&b, "</li>\n");
    }
    if (incomplete)
        fr_sb_puts(&b, "<li>The fires end before the 12 months after the last visits of the period: their "
                       "follow-up is short on both sides of the comparison.</li>\n");
    fr_sb_printf(&b, "</ul></div>\n<p>Bootstrap: %d replicates, seed %u.</p>\n</body>\n</html>\n", f->replicates,
                 FR_EVALUATE_SEED);
    return write_text(&b, path, err);
}

static void text_report(const evaluation *ev, const char *dir, char **report)
{
    const model_effect *f = &ev->fx;
    char from[11], to[11];
    fr_format_date(ev->from, from);
    fr_format_date(ev->to, to);
    fr_strbuf b = {0};
    fr_sb_printf(&b, "firerisk evaluate  %s .. %s, %zu visits (%s), %zu visited homes (%zu matched), %zu comparison homes "
                     "(matched on cohort month x risk decile x %s)\n",
                 from, to, ev->visits, ev->visit_records, f->treated, f->treated_matched, f->controls_matched,
                 ev->zone_layer);
    const model_interval *iv[] = {&f->rate_treated, &f->rate_control, &f->difference, &f->ratio, &f->reduction,
                                  &f->prevented};
    static const char *const names[] = {"fires per 1,000 visited", "fires per 1,000 not visited",
                                        "difference per 1,000", "ratio", "share prevented", "fires prevented"};
    for (size_t k = 0; k < 6; k++)
        fr_sb_printf(&b, "  %-28s %9.3f   95%% CI %9.3f .. %9.3f\n", names[k], iv[k]->estimate, iv[k]->lo, iv[k]->hi);
    fr_sb_printf(&b, "  naive (no matching): %.3f vs %.3f per 1,000 (ratio %.3f)\n", f->naive_rate_treated,
                 f->naive_rate_control, f->naive_ratio);
    fr_sb_printf(&b, "  visited homes before / after: %.3f / %.3f per 1,000\n", f->rate_before, f->rate_after);
    fr_sb_printf(&b, "  an observational comparison: see the caveats in %s/evaluation.html\n", dir);
    *report = fr_sb_take(&b);
}

/* ---- the command ------------------------------------------------------------ */

static fr_status parse_day(const char *text, const char *option, int32_t *out, fr_error *err)
{
    if (fr_parse_date(text, "%Y-%m-%d", out) != 0)
        return fr_error_set(err, FR_E_USAGE, "%s '%s' is not a date YYYY-MM-DD", option, text);
    return FR_OK;
}

static fr_status open_city(run_ctx *ctx, const fr_evaluate_options *opt, fr_error *err)
{
    fr_status st = fr_config_load(opt->config_path, &ctx->cfg, err);
    if (st != FR_OK)
        return st;
    if (!ctx->cfg.layers.incidents.present)
        return fr_error_set(err, FR_E_CONFIG, "%s: evaluate needs layers.incidents (the fires it compares)",
                            opt->config_path);
    if (!ctx->cfg.layers.inspections.present && !ctx->cfg.layers.visits.present)
        return fr_error_set(err, FR_E_CONFIG,
                            "%s: evaluate needs layers.visits or layers.inspections (the visits it judges)",
                            opt->config_path);
    ctx->as_of = ctx->cfg.as_of_set ? ctx->cfg.as_of : fr_today_utc();
    fr_format_date(ctx->as_of, ctx->sum->as_of);
    st = run_read_inputs(ctx, err);
    if (st == FR_OK)
        st = run_join(ctx, err);
    const cfg_weight *w = ctx->cfg.score.weights;
    ctx->nterms = ctx->cfg.score.nweights;
    if (st == FR_OK && !(ctx->terms = calloc(ctx->nterms ? ctx->nterms : 1, sizeof *ctx->terms)))
        st = fr_error_oom(err);
    for (size_t t = 0; st == FR_OK && t < ctx->nterms; t++)
        ctx->terms[t] = (model_points_term){w[t].feature, w[t].weight, w[t].cap, w[t].invert};
    return st;
}

fr_status fr_evaluate(const fr_evaluate_options *opt, char **report, fr_error *err)
{
    *report = NULL;
    if (opt->threads > 0)
        omp_set_num_threads(opt->threads);
    fr_run_summary sum;
    memset(&sum, 0, sizeof sum);
    run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.sum = &sum;
    evaluation ev;
    memset(&ev, 0, sizeof ev);
    dated visits = {0}, fires = {0};
    unit_list units = {0};
    fr_status st = open_city(&ctx, opt, err);
    size_t n = st == FR_OK ? ctx.parcels->count : 0;
    const char *which = opt->visits ? opt->visits : ctx.visits ? "visits" : "inspections";
    if (st == FR_OK && strcmp(which, "visits") && strcmp(which, "inspections") && strcmp(which, "both"))
        st = fr_error_set(err, FR_E_USAGE, "--visits '%s': expected visits, inspections or both", which);
    if (st == FR_OK && strcmp(which, "inspections") && !ctx.visits)
        st = fr_error_set(err, FR_E_CONFIG, "%s: --visits %s needs layers.visits", opt->config_path, which);
    if (st == FR_OK && strcmp(which, "visits") && !ctx.insp)
        st = fr_error_set(err, FR_E_CONFIG, "%s: --visits %s needs layers.inspections", opt->config_path, which);
    ev.visit_records = which;
    if (st == FR_OK) {
        int use_insp = strcmp(which, "visits") != 0, use_visits = strcmp(which, "inspections") != 0;
        record_source vs[2] = {{use_insp ? ctx.insp : NULL, ctx.insp_match, NULL, NULL},
                               {use_visits ? ctx.visits : NULL, ctx.visit_match, NULL, &ctx}};
        record_source fs[1] = {{ctx.inc, ctx.inc_match, ctx.inc_is_fire, NULL}};
        st = dated_build(n, vs, 2, &visits, err);
        if (st == FR_OK)
            st = dated_build(n, fs, 1, &fires, err);
    }
    if (st == FR_OK) {
        ev.data_end = GEO_DATE_MISSING;
        for (size_t k = 0; k < fires.off[n]; k++)
            if (ev.data_end == GEO_DATE_MISSING || fires.date[k] > ev.data_end)
                ev.data_end = fires.date[k];
        if (ev.data_end == GEO_DATE_MISSING)
            st = fr_error_set(err, FR_E_INPUT, "%s: no qualifying fire matched to a home: nothing to compare the "
                              "visits on", opt->config_path);
    }
    if (st == FR_OK) {
        ev.to = ev.data_end - YEAR;
        if (opt->to)
            st = parse_day(opt->to, "--to", &ev.to, err);
        ev.from = ev.to - (YEAR - 1);
        if (st == FR_OK && opt->from)
            st = parse_day(opt->from, "--from", &ev.from, err);
        if (st == FR_OK && ev.from > ev.to)
            st = fr_error_set(err, FR_E_USAGE, "--from %s is after --to %s", opt->from ? opt->from : "",
                              opt->to ? opt->to : "");
    }
    char from[11] = "", to[11] = "", end[11] = "";
    fr_format_date(ev.from, from);
    fr_format_date(ev.to, to);
    fr_format_date(ev.data_end, end);
    if (st == FR_OK) {
        size_t nv = 0, nf = 0;
        for (size_t k = 0; k < visits.off[n]; k++)
            nv += visits.date[k] >= ev.from && visits.date[k] <= ev.to;
        for (size_t k = 0; k < fires.off[n]; k++)
            nf += fires.date[k] >= ev.from && fires.date[k] < ev.to + 1 + YEAR;
        if (!nv)
            st = fr_error_set(err, FR_E_INPUT,
                              "no visit (inspection or completed visit matched to a home) from %s to %s: nothing "
                              "to evaluate (choose the period with --from and --to)", from, to);
        else if (!nf)
            st = fr_error_set(err, FR_E_INPUT,
                              "no qualifying fire in the 12 months after the visits of %s to %s (the fires matched "
                              "to homes end on %s): nothing to compare the visits on", from, to, end);
    }
    if (st == FR_OK)
        st = build_units(&ctx, &visits, &fires, &ev, &units, err);
    if (st == FR_OK)
        st = model_effect_estimate(units.u, units.n, FR_EVALUATE_REPLICATES, FR_EVALUATE_SEED, &ev.fx, err);
    const char *dir = opt->out_dir ? opt->out_dir : ctx.cfg.output.dir ? ctx.cfg.output.dir : "out";
    if (st == FR_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = fr_error_set(err, FR_E_OUTPUT, "%s: cannot create the output directory: %s", dir, strerror(errno));
    int incomplete = st == FR_OK && ev.to + YEAR > ev.data_end;
    char path[4200];
    if (st == FR_OK) {
        snprintf(path, sizeof path, "%s/evaluation.json", dir);
        st = write_json(&ctx, &ev, incomplete, path, err);
    }
    if (st == FR_OK) {
        snprintf(path, sizeof path, "%s/evaluation.html", dir);
        st = write_html(&ev, incomplete, path, err);
    }
    if (st == FR_OK) {
        text_report(&ev, dir, report);
        if (!*report)
            st = fr_error_oom(err);
    }
    free(units.u);
    dated_free(&visits);
    dated_free(&fires);
    run_ctx_free(&ctx);
    return st;
}
