/*
 * changes_why.c — why each row of changes.csv entered or left the target
 * list (see changes.h).  A supervisor asks "why is this home new tonight"
 * and "why did that one go"; the answers, in the order they are tried:
 *   - it is no longer among the parcels;
 *   - it left because it was visited (the revisit rule holds it back);
 *   - it left because its zone's capacity was full (output.capacity_per_zone);
 *   - it entered because its revisit window has passed since the last run
 *     (held back on the previous run's date by the visit it has now);
 *   - else the features that moved most since the previous run's date
 *     ("fires_parcel_5y 2 -> 1"), recomputed on today's data as of that
 *     date, ordered by how much each moved the points index (a term's
 *     weight x the change of its scaled value), then by relative change;
 *   - else its rank: others moved past it (or it past them).
 */
#include "changes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

#define WHY_FEATURES 3
#define DATE_NONE INT32_MIN

typedef struct {
    size_t feature;
    double points, relative;
} moved;

static int cmp_moved(const void *a, const void *b)
{
    const moved *x = a, *y = b;
    if (x->points != y->points)
        return x->points > y->points ? -1 : 1;
    if (x->relative != y->relative)
        return x->relative > y->relative ? -1 : 1;
    return x->feature < y->feature ? -1 : x->feature > y->feature;
}

static double scaled(double v, double cap)
{
    if (isnan(v))
        return 0;
    double s = v / cap;
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

static void put_number(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "missing");
    else
        snprintf(buf, size, "%.6g", v);
}

/* "f1 a -> b; f2 c -> d" for the features of parcel i that moved; "" when none. */
static void moved_features(const fr_changes_context *x, size_t i, moved *scratch, char *out, size_t size)
{
    size_t n = 0, np = x->nparcels;
    out[0] = '\0';
    if (!x->before)
        return;
    for (size_t f = 0; f < x->nfeatures; f++) {
        double a = x->before[f * np + i], b = x->now[f * np + i];
        if ((isnan(a) && isnan(b)) || a == b)
            continue;
        double pts = x->term_weight[f] > 0 ? x->term_weight[f] * fabs(scaled(b, x->term_cap[f]) - scaled(a, x->term_cap[f]))
                                          : 0;
        double rel = isnan(a) || isnan(b) ? 1 : fabs(b - a) / fmax(fabs(a), 1);
        scratch[n++] = (moved){f, pts, rel};
    }
    qsort(scratch, n, sizeof *scratch, cmp_moved);
    size_t used = 0;
    for (size_t k = 0; k < n && k < WHY_FEATURES; k++) {
        char va[32], vb[32];
        put_number(va, sizeof va, x->before[scratch[k].feature * np + i]);
        put_number(vb, sizeof vb, x->now[scratch[k].feature * np + i]);
        int w = snprintf(out + used, size - used, "%s%s %s -> %s", k ? "; " : "", x->names[scratch[k].feature], va, vb);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

static void one_reason(const fr_changes_context *x, const fr_change *c, moved *scratch, char *why, size_t size)
{
    if (c->parcel < 0) {
        snprintf(why, size, "no longer among the parcels");
        return;
    }
    size_t i = (size_t)c->parcel;
    char day[16] = "";
    if (x->last_visit && x->last_visit[i] != DATE_NONE)
        fr_format_date(x->last_visit[i], day);
    if (!c->entered && x->held_back && x->held_back[i]) {
        snprintf(why, size, "visited on %s%s", day, x->last_failed[i] ? " (failed: due again sooner)" : "");
        return;
    }
    /* passed over though ranked above the last row, or the list ran short */
    if (!c->entered && x->zone_label && (x->rank[i] < x->last_listed_rank || !x->list_full)) {
        snprintf(why, size, "zone %s %s at capacity", x->zone_name, x->zone_label[i] ? x->zone_label[i] : "(none)");
        return;
    }
    char feats[400];
    moved_features(x, i, scratch, feats, sizeof feats);
    int32_t prev = DATE_NONE;
    if (x->previous_as_of[0])
        fr_parse_date(x->previous_as_of, "%Y-%m-%d", &prev);
    if (c->entered && day[0] && prev != DATE_NONE && x->last_visit[i] <= prev) {
        /* held back on the previous run's date by the same visit, due now */
        int window = x->last_failed[i] ? x->failed_revisit_days : x->revisit_after_days;
        if (prev - x->last_visit[i] < window) {
            snprintf(why, size, "due again: visited on %s%s, %d days ago", day, x->last_failed[i] ? " (failed)" : "",
                     x->as_of - x->last_visit[i]);
            return;
        }
    }
    if (feats[0])
        snprintf(why, size, "%s", feats);
    else
        snprintf(why, size, "rank %ld: %s", c->rank, c->entered ? "moved past others" : "others moved past it");
}

fr_status fr_changes_explain(fr_changes *c, const fr_changes_context *x, fr_error *err)
{
    moved *scratch = malloc((x->nfeatures ? x->nfeatures : 1) * sizeof *scratch);
    if (!scratch)
        return fr_error_oom_while(err, "explaining the changes");
    fr_status st = FR_OK;
    for (size_t k = 0; k < c->count && st == FR_OK; k++) {
        char why[512];
        one_reason(x, &c->items[k], scratch, why, sizeof why);
        free(c->items[k].why);
        if (!(c->items[k].why = strdup(why)))
            st = fr_error_oom_while(err, "explaining the changes");
    }
    free(scratch);
    return st;
}
