/*
 * run_checks.c — the quality gates of `firerisk run` (checks: in the
 * config, docs/OPERATIONS.md).
 *
 * The atomic swap protects the outputs from a crash, not from a bad night:
 * half the parcels exported, an inspections export that stopped in
 * spring, ids typed differently from the parcels', a battalion layer in the
 * wrong CRS.  Each of these reads and ranks without an error and would
 * publish a wrong target list with exit 0.  So before publishing, the run
 * is judged against absolute limits and against the last published run's
 * manifest (the run_manifest.json in the output directory); a check beyond
 * its limit holds the run (exit 6, outputs left in the staging directory)
 * unless --accept, and one past half its limit is a warning event.
 *
 * Judged after the counts are final and before the outputs are written, so
 * that run_summary.txt and report.html say what was found.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dates.h"
#include "log.h"
#include "manifest.h"
#include "run_internal.h"

static void add_note(fr_check_note *list, size_t *n, const char *name, const char *fmt, va_list ap)
{
    if (*n >= FR_MAX_CHECK_NOTES)
        return;
    snprintf(list[*n].name, sizeof list[*n].name, "%s", name);
    vsnprintf(list[*n].text, sizeof list[*n].text, fmt, ap);
    (*n)++;
}

/* Records a check beyond its limit (failed) or past half of it (notable). */
static void __attribute__((format(printf, 4, 5))) judge(fr_check_results *r, int failed, const char *name,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (failed)
        add_note(r->failed, &r->nfailed, name, fmt, ap);
    else
        add_note(r->notable, &r->nnotable, name, fmt, ap);
    va_end(ap);
}

static double share_pct(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* An integer at a path of keys in the previous manifest, or -1. */
static long long prev_int(json_object *m, const char *a, const char *b, const char *c, const char *d)
{
    const char *keys[] = {a, b, c, d};
    json_object *o = m;
    for (int i = 0; i < 4 && keys[i]; i++)
        if (!o || !json_object_object_get_ex(o, keys[i], &o))
            return -1;
    return o && json_object_is_type(o, json_type_int) ? (long long)json_object_get_int64(o) : -1;
}

/* The last published run's manifest, or NULL (none yet, or unreadable:
 * then only the absolute limits apply, and the summary says so). */
static json_object *previous_manifest(const run_ctx *ctx)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", run_guard_out_path(ctx), FR_MANIFEST_NAME);
    json_object *m = json_object_from_file(path);
    if (m && !json_object_is_type(m, json_type_object)) {
        json_object_put(m);
        m = NULL;
    }
    return m;
}

static void check_parcels(const cfg_checks *k, const fr_layer_counts *c, json_object *prev, fr_check_results *r)
{
    long long before = prev ? prev_int(prev, "counts", c->name, "used", NULL) : -1;
    if (before <= 0)
        return;
    double change = 100.0 * ((double)c->used - (double)before) / (double)before;
    if (fabs(change) > k->max_parcel_change_pct / 2)
        judge(r, fabs(change) > k->max_parcel_change_pct, "parcel_count",
              "%zu parcels used, %lld in the last published run (%+.1f%%, limit %g%%)", c->used, before, change,
              k->max_parcel_change_pct);
}

static void check_rejects(const cfg_checks *k, const fr_layer_counts *c, json_object *prev, fr_check_results *r)
{
    if (!c->read)
        return;
    char name[64];
    snprintf(name, sizeof name, "reject_share:%s", c->name);
    double share = share_pct(c->rejected, c->read);
    if (share > k->max_reject_share_pct / 2)
        judge(r, share > k->max_reject_share_pct, name,
              "%s: %zu of %zu records rejected (%.1f%%, limit %g%%; rejects.csv says why)", c->name, c->rejected,
              c->read, share, k->max_reject_share_pct);
    long long pread = prev ? prev_int(prev, "counts", c->name, "read", "records") : -1;
    long long prej = prev ? prev_int(prev, "counts", c->name, "rejected", NULL) : -1;
    if (pread <= 0 || prej < 0)
        return;
    double rise = share - share_pct((size_t)prej, (size_t)pread);
    snprintf(name, sizeof name, "reject_share_rise:%s", c->name);
    if (rise > k->max_reject_share_rise_pts / 2)
        judge(r, rise > k->max_reject_share_rise_pts, name,
              "%s: rejected share %.1f%%, %.1f%% in the last published run (+%.1f points, limit %g)", c->name, share,
              share_pct((size_t)prej, (size_t)pread), rise, k->max_reject_share_rise_pts);
}

static void check_methods(const cfg_checks *k, const fr_layer_counts *c, json_object *prev, fr_check_results *r)
{
    static const char *const keys[] = {"by_id", "by_id_normalised", "by_address", "by_address_near", "by_contains",
                                       "by_nearest"};
    const size_t now[] = {c->by_id, c->by_id_normalised, c->by_address, c->by_address_near, c->by_contains,
                          c->by_nearest};
    long long pkept = prev ? prev_int(prev, "counts", c->name, "read", "kept") : -1;
    if (pkept <= 0 || !c->kept)
        return;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        long long before = prev_int(prev, "counts", c->name, "join", keys[i]);
        if (before < 0)
            continue;
        double was = share_pct((size_t)before, (size_t)pkept), is = share_pct(now[i], c->kept);
        char name[64];
        snprintf(name, sizeof name, "match_rate:%s:%s", c->name, keys[i] + 3);
        if (was - is > k->max_match_rate_drop_pts / 2)
            judge(r, was - is > k->max_match_rate_drop_pts, name,
                  "%s matched %s: %.1f%% of kept records, %.1f%% in the last published run (-%.1f points, limit %g)",
                  c->name, keys[i], is, was, was - is, k->max_match_rate_drop_pts);
    }
}

/* Records of l that carry a non-empty parcel id. */
static size_t records_with_id(const geo_layer *l)
{
    int col = geo_layer_find_column(l, "parcel_id");
    size_t n = 0;
    for (size_t i = 0; col >= 0 && i < l->count; i++)
        n += l->cols[col].str[i] && l->cols[col].str[i][0];
    return n;
}

static void check_ids(const cfg_checks *k, const geo_layer *l, const fr_layer_counts *c, fr_check_results *r)
{
    size_t with_id = records_with_id(l);
    if (!k->ids_must_match || !with_id || c->by_id + c->by_id_normalised > 0)
        return;
    char name[64];
    snprintf(name, sizeof name, "ids_unmatched:%s", c->name);
    judge(r, 1, name,
          "%s: %zu records carry a parcel id and none matches a parcel's, even normalised (the wrong field "
          "mapped, or ids written differently from the parcels')",
          c->name, with_id);
}

/* The newest record's age at as_of, for a dated layer, judged against the
 * layer's own pace: a silence is alarming only when the layer's records of
 * the year before its newest one make it improbable.  A city's incident
 * export with dozens of calls a week that went quiet 45 days ago has
 * stopped; a small town's, or a small synthetic city's, with a fire call
 * every few weeks can be quiet that long by chance, and holding every such
 * night would teach the operator to --accept without looking.  Under a
 * Poisson rate r (records a day over that year), no record in `age` days has
 * probability exp(-r age): the check fails past the limit only when the
 * expected count r age is at least DATA_AGE_MIN_EXPECTED (a silence of
 * probability under 1%); a stale layer too sparse to tell is a warning. */
#define DATA_AGE_MIN_EXPECTED 5.0
static void check_age(const run_ctx *ctx, const cfg_checks *k, const geo_layer *l, fr_check_results *r)
{
    int col = geo_layer_find_column(l, "date");
    if (col < 0 || l->cols[col].type != GEO_COL_DATE || !l->count)
        return;
    int32_t newest = FR_DATE_MISSING;
    for (size_t i = 0; i < l->count; i++) {
        int32_t d = l->cols[col].date[i];
        if (d != FR_DATE_MISSING && d <= ctx->as_of && (newest == FR_DATE_MISSING || d > newest))
            newest = d;
    }
    if (newest == FR_DATE_MISSING)
        return;
    size_t year = 0; /* records in the 365 days up to the newest */
    for (size_t i = 0; i < l->count; i++) {
        int32_t d = l->cols[col].date[i];
        year += d != FR_DATE_MISSING && d <= newest && d > newest - 365;
    }
    long age = (long)ctx->as_of - newest;
    double expected = (double)year / 365.0 * (double)age;
    char name[64], day[11];
    snprintf(name, sizeof name, "data_age:%s", l->name);
    fr_format_date(newest, day);
    int stale = age > k->max_data_age_days, telling = expected >= DATA_AGE_MIN_EXPECTED;
    if (stale && !telling)
        judge(r, 0, name,
              "%s: the newest record is of %s, %ld days before as_of %s (limit %d days), but with %zu records in "
              "the year before it a silence that long is not unusual (%.1f expected)",
              l->name, day, age, ctx->sum->as_of, k->max_data_age_days, year, expected);
    else if (telling && age > k->max_data_age_days / 2)
        judge(r, stale, name,
              "%s: the newest record is of %s, %ld days before as_of %s (limit %d days; %zu records in the year "
              "before it, so %.1f were expected since: has the export stopped?)",
              l->name, day, age, ctx->sum->as_of, k->max_data_age_days, year, expected);
}

static void check_zone(const cfg_checks *k, const char *role, const int32_t *zone_of, size_t n, size_t nzones,
                       fr_check_results *r)
{
    size_t inside = 0;
    for (size_t i = 0; zone_of && i < n; i++)
        inside += zone_of[i] >= 0;
    if (!k->zones_must_hold_parcels || inside || !n)
        return;
    char name[64];
    snprintf(name, sizeof name, "empty_zones:%s", role);
    judge(r, 1, name, "%s: no parcel lies in any of its %zu polygons (the wrong CRS, or another city's layer?)",
          role, nzones);
}

fr_status run_checks_judge(run_ctx *ctx, fr_error *err)
{
    (void)err;
    const cfg_checks *k = &ctx->cfg.checks;
    fr_check_results *r = &ctx->sum->checks;
    memset(r, 0, sizeof *r);
    r->enabled = k->enabled;
    if (!k->enabled)
        return FR_OK;
    json_object *prev = previous_manifest(ctx);
    r->compared = prev != NULL;
    check_parcels(k, run_counts(ctx, LAYER_PARCELS), prev, r);
    for (size_t i = 0; i < ctx->sum->nlayers; i++)
        if (ctx->sum->layers[i].present)
            check_rejects(k, &ctx->sum->layers[i], prev, r);
    const geo_layer *dated[2] = {ctx->insp, ctx->inc};
    const size_t index[2] = {LAYER_INSPECTIONS, LAYER_INCIDENTS};
    for (int i = 0; i < 2; i++) {
        if (!dated[i])
            continue;
        check_methods(k, run_counts(ctx, index[i]), prev, r);
        check_ids(k, dated[i], run_counts(ctx, index[i]), r);
        check_age(ctx, k, dated[i], r);
    }
    size_t n = ctx->parcels->count;
    if (ctx->bgs)
        check_zone(k, "block_groups", ctx->bg_of, n, ctx->bgs->count, r);
    for (size_t z = 0; z < ctx->cfg.layers.nzones; z++)
        check_zone(k, ctx->cfg.layers.zones[z].role, ctx->zone_of ? ctx->zone_of[z] : NULL, n, ctx->zones[z]->count,
                   r);
    int32_t today = fr_today_utc();
    if (k->as_of_not_after_today && ctx->as_of > today) {
        char day[11];
        fr_format_date(today, day);
        judge(r, 1, "as_of_future", "as_of %s is after today (%s, UTC): the features would count no future",
              ctx->sum->as_of, day);
    }
    json_object_put(prev);
    for (size_t i = 0; i < r->nnotable; i++)
        fr_log_event(ctx->log, FR_LOG_WARNING, "quality_warning", "quality check %s (below its limit): %s",
                     r->notable[i].name, r->notable[i].text);
    return FR_OK;
}

/* "a, b" (with_figures 0) or "a: figures; b: figures" of the failed checks. */
static void failed_list(const fr_check_results *r, int with_figures, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->nfailed && used + 2 < size; i++) {
        int w = snprintf(out + used, size - used, "%s%s%s%s", i ? (with_figures ? "; " : ", ") : "",
                         r->failed[i].name, with_figures ? ": " : "", with_figures ? r->failed[i].text : "");
        if (w < 0)
            break;
        used += (size_t)w < size - used ? (size_t)w : size - used - 1;
    }
}

fr_status run_checks_hold(run_ctx *ctx, fr_error *err)
{
    const fr_check_results *r = &ctx->sum->checks;
    char names[1024], list[4096];
    failed_list(r, 0, names, sizeof names);
    failed_list(r, 1, list, sizeof list);
    const char *kept = NULL;
    fr_status st = run_guard_hold(ctx, &kept, err);
    if (st != FR_OK)
        return st;
    /* the names first: a long list of figures may be cut, the names are not */
    fr_log_event(ctx->log, FR_LOG_ERROR, "run_held", "%zu quality check(s) failed (%s): %s", r->nfailed, names,
                 list);
    return fr_error_set(err, FR_E_HELD,
                        "run held, outputs not published (the previous ones stay in %s): %s. The new outputs are in "
                        "%s for inspection; publish them anyway with --accept, or adjust checks: in the config",
                        run_guard_out_path(ctx), list, kept);
}
