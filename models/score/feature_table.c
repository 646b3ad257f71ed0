/*
 * feature_table.c — builds the feature table (see feature_table.h, docs/FEATURES.md).
 *
 * Record loops (inspections, incidents) run on one thread: they are
 * hundreds of thousands of additions of small integers, and keeping them
 * sequential keeps every sum in one fixed order.  Per-parcel columns are
 * independent and filled in parallel.
 */
#include "feature_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "hugepage.h"

int model_window_bucket(int32_t date, int32_t as_of)
{
    if (date == FR_DATE_MISSING || date >= as_of)
        return -1;
    if (date >= fr_days_minus_years(as_of, 1))
        return 0;
    if (date >= fr_days_minus_years(as_of, 3))
        return 1;
    if (date >= fr_days_minus_years(as_of, 5))
        return 2;
    return -1;
}

model_windows model_windows_at(int32_t as_of)
{
    return (model_windows){as_of, fr_days_minus_years(as_of, 1), fr_days_minus_years(as_of, 3),
                           fr_days_minus_years(as_of, 5)};
}

typedef struct {
    model_features *t;
    size_t cap;          /* columns the values have room for */
    const uint8_t *only; /* in->rows_only: the rows filled, or NULL: all */
    fr_error *err;
} builder;

/* Whether row i is filled (model_feature_input.rows_only). */
static inline int wanted(const builder *b, size_t i)
{
    return !b->only || b->only[i];
}

/* The most columns model_features_build can add for in: each group's count
 * under the condition that adds it. */
static size_t most_columns(const model_feature_input *in)
{
    size_t k = 7 + in->ncontext; /* attribute_features */
    if (in->has_incidents)
        k += 4 + 2; /* incident_features, colocated_features */
    if (in->has_incidents && in->scales)
        k += 2 * in->scales->nradii + in->scales->nbandwidths;
    if (in->near_counts)
        k += 3;
    if (in->has_inspections)
        k += 4;
    return k;
}

/* The table's values, with room for cap columns in one allocation on huge
 * pages as they are first touched.  Why one allocation: grown a column at
 * a time, the table moved (mremap) at each column, and a moving array
 * cannot keep huge pages; on 4 KB pages the score stage's reads of 16
 * columns of 5M parcels were TLB misses (score 1.37 s at 5M, 0.08 s at
 * 1M).  The room never used is never touched, so it costs no memory. */
static fr_status reserve_columns(builder *b, size_t cap)
{
    model_features *t = b->t;
    size_t bytes = cap * (t->nparcels ? t->nparcels : 1) * sizeof *t->values;
    /* a few rows only: zeroed by the kernel and touched where they are */
    t->values = b->only ? calloc(1, bytes) : malloc(bytes);
    if (!t->values)
        return fr_error_oom_while(b->err, "building features");
    if (!b->only)
        fr_hugepages_on_touch(t->values, bytes);
    b->cap = cap;
    return FR_OK;
}

/* Appends a zero-filled column and returns its values. */
static double *add_column(builder *b, const char *name)
{
    model_features *t = b->t;
    char **names = realloc(t->names, (t->nfeatures + 1) * sizeof *names);
    if (!names)
        return NULL;
    t->names = names;
    int grew = t->nfeatures == b->cap;
    if (grew) { /* not foreseen by most_columns: grown, off huge pages */
        double *grown = realloc(t->values, (t->nfeatures + 1) * (t->nparcels ? t->nparcels : 1) * sizeof *grown);
        if (!grown)
            return NULL;
        t->values = grown;
        b->cap = t->nfeatures + 1;
    }
    double *values = t->values;
    names[t->nfeatures] = strdup(name);
    if (!names[t->nfeatures])
        return NULL;
    double *col = values + t->nfeatures * t->nparcels;
    /* Zeroed on every thread: the column's pages are new (a 5M-parcel
     * table is 40 MB a column), and their first touch is the cost: in a
     * VM that hands free memory back to its host it was 1.7 s of one
     * thread for the table at 5M parcels.  In pieces of 512 KB taken as
     * the threads free up: this VM's vCPUs cleared new pages at unequal
     * speeds, and a static half each left one waiting.  A table of a few
     * rows was calloc'd (reserve_columns), unless this column grew it. */
    const long long n = (long long)t->nparcels;
    if (!b->only || grew) {
#pragma omp parallel for schedule(dynamic, 65536)
        for (long long i = 0; i < n; i++)
            col[i] = 0.0;
    }
    t->nfeatures++;
    return col;
}

/* Pointer to column `index` (valid until the next add_column). */
static double *column(model_features *t, size_t index)
{
    return t->values + index * t->nparcels;
}

static fr_status incident_features(builder *b, const model_feature_input *in)
{
    model_features *t = b->t;
    size_t base = t->nfeatures;
    static const char *names[] = {"fires_parcel_1y", "fires_parcel_3y", "fires_parcel_5y", "calls_parcel_3y"};
    for (int k = 0; k < 4; k++)
        if (!add_column(b, names[k]))
            return fr_error_oom_while(b->err, "building features");
    double *f1 = column(t, base), *f3 = column(t, base + 1), *f5 = column(t, base + 2), *c3 = column(t, base + 3);
    const model_windows win = model_windows_at(in->as_of);
    for (size_t k = 0; k < in->ninc; k++) {
        int32_t p = in->inc_parcel[k];
        if (p < 0 || !wanted(b, (size_t)p))
            continue;
        int w = model_windows_bucket(&win, in->inc_date[k]);
        if (w < 0)
            continue;
        if (w <= 1)
            c3[p] += 1;
        if (!in->inc_is_fire[k])
            continue;
        if (w == 0)
            f1[p] += 1;
        if (w <= 1)
            f3[p] += 1;
        f5[p] += 1;
    }
    return FR_OK;
}

static fr_status near_features(builder *b, const model_feature_input *in)
{
    model_features *t = b->t;
    size_t base = t->nfeatures;
    static const char *names[] = {"fires_near_1y", "fires_near_3y", "fires_near_5y"};
    for (int k = 0; k < 3; k++)
        if (!add_column(b, names[k]))
            return fr_error_oom_while(b->err, "building features");
    double *n1 = column(t, base), *n3 = column(t, base + 1), *n5 = column(t, base + 2);
    const uint32_t *c = in->near_counts;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < in->nparcels; i++) {
        if (!wanted(b, i))
            continue;
        const uint32_t *ci = c + i * MODEL_WINDOW_BUCKETS;
        n1[i] = ci[0];
        n3[i] = (double)ci[0] + ci[1];
        n5[i] = (double)ci[0] + ci[1] + ci[2];
    }
    return FR_OK;
}

/* The k scale columns of the parcels in `only`, NAN for the others (zero
 * and untouched under rows_only): the wanted parcels' points gathered,
 * filled, and scattered back (a parcel's values do not depend on which
 * other parcels are filled). */
static fr_status scale_features_of(const model_feature_input *in, const uint8_t *only, size_t k, double *const *cols,
                                   fr_error *err)
{
    size_t n = in->nparcels, m = 0;
    for (size_t i = 0; i < n; i++)
        m += only[i] != 0;
    uint32_t *which = malloc((m ? m : 1) * sizeof *which);
    double *px = malloc((m ? m : 1) * sizeof *px), *py = malloc((m ? m : 1) * sizeof *py);
    double *sub = malloc((m * k > 0 ? m * k : 1) * sizeof *sub);
    fr_status st = which && px && py && sub ? FR_OK : fr_error_oom_while(err, "building features");
    if (st == FR_OK) {
        for (size_t i = 0, j = 0; i < n; i++)
            if (only[i]) {
                which[j] = (uint32_t)i;
                px[j] = in->parcel_x[i];
                py[j++] = in->parcel_y[i];
            }
        double *subcols[3 * MODEL_MAX_SCALES];
        for (size_t c = 0; c < k; c++)
            subcols[c] = sub + c * m;
        st = model_neighbourhood_fill(in->scales, px, py, m, &in->inc_points, in->as_of, subcols, err);
    }
    if (st == FR_OK)
        for (size_t c = 0; c < k; c++) {
            for (size_t i = 0; i < n && !in->rows_only; i++)
                cols[c][i] = NAN;
            for (size_t j = 0; j < m; j++)
                cols[c][which[j]] = sub[c * m + j];
        }
    free(which);
    free(px);
    free(py);
    free(sub);
    return st;
}

static fr_status scale_features(builder *b, const model_feature_input *in)
{
    model_features *t = b->t;
    char names[3 * MODEL_MAX_SCALES][32];
    size_t k = model_neighbourhood_names(in->scales, names), base = t->nfeatures;
    for (size_t c = 0; c < k; c++)
        if (!add_column(b, names[c]))
            return fr_error_oom_while(b->err, "building features");
    double *cols[3 * MODEL_MAX_SCALES];
    for (size_t c = 0; c < k; c++)
        cols[c] = column(t, base + c);
    const uint8_t *only = in->rows_only ? in->rows_only : in->scales_only;
    if (!only)
        return model_neighbourhood_fill(in->scales, in->parcel_x, in->parcel_y, in->nparcels, &in->inc_points,
                                        in->as_of, cols, b->err);
    return scale_features_of(in, only, k, cols, b->err);
}

static fr_status colocated_features(builder *b, const model_feature_input *in)
{
    size_t n = in->nparcels, nloc = 0, shared = 0;
    for (size_t i = 0; i < n; i++)
        if (in->location[i] >= 0 && (size_t)in->location[i] + 1 > nloc)
            nloc = (size_t)in->location[i] + 1;
    double *homes = calloc(nloc ? nloc : 1, sizeof *homes), *fires = calloc(nloc ? nloc : 1, sizeof *fires);
    if (!homes || !fires) {
        free(homes);
        free(fires);
        return fr_error_oom_while(b->err, "building features");
    }
    for (size_t i = 0; i < n; i++)
        if (in->location[i] >= 0)
            homes[in->location[i]] += 1;
    for (size_t l = 0; l < nloc; l++)
        shared += homes[l] > 1;
    fr_status st = FR_OK;
    if (shared) { /* every home alone: the columns would repeat homes = 1 and fires_parcel_5y */
        const model_windows win = model_windows_at(in->as_of);
        for (size_t k = 0; k < in->ninc; k++) {
            int32_t p = in->inc_parcel[k];
            if (p >= 0 && in->inc_is_fire[k] && in->location[p] >= 0 &&
                model_windows_bucket(&win, in->inc_date[k]) >= 0)
                fires[in->location[p]] += 1;
        }
        double *h = add_column(b, "homes_at_location");
        double *f = h ? add_column(b, "fires_location_5y") : NULL;
        if (!f) {
            st = fr_error_oom_while(b->err, "building features");
        } else {
            h = column(b->t, b->t->nfeatures - 2);
            for (size_t i = 0; i < n; i++) {
                if (!wanted(b, i))
                    continue;
                int32_t l = in->location[i];
                h[i] = l >= 0 ? homes[l] : NAN;
                f[i] = l >= 0 ? fires[l] : NAN;
            }
        }
    }
    free(homes);
    free(fires);
    return st;
}

static fr_status inspection_features(builder *b, const model_feature_input *in)
{
    model_features *t = b->t;
    size_t base = t->nfeatures;
    int has_viol = in->insp_violations != NULL;
    if (!add_column(b, "insp_days_since") || !add_column(b, "insp_count_5y") || !add_column(b, "insp_failed_3y") ||
        (has_viol && !add_column(b, "insp_violations_3y")))
        return fr_error_oom_while(b->err, "building features");
    double *since = column(t, base), *cnt = column(t, base + 1), *failed = column(t, base + 2);
    double *viol = has_viol ? column(t, base + 3) : NULL;
    for (size_t i = 0; i < in->nparcels; i++)
        if (wanted(b, i))
            since[i] = NAN;
    const model_windows win = model_windows_at(in->as_of);
    for (size_t k = 0; k < in->ninsp; k++) {
        int32_t p = in->insp_parcel[k];
        int32_t d = in->insp_date[k];
        if (p < 0 || !wanted(b, (size_t)p) || d == FR_DATE_MISSING || d >= in->as_of)
            continue;
        double age = (double)(in->as_of - d);
        if (isnan(since[p]) || age < since[p])
            since[p] = age;
        int w = model_windows_bucket(&win, d);
        if (w < 0)
            continue;
        cnt[p] += 1;
        if (w <= 1) {
            if (in->insp_failed[k] == 1)
                failed[p] += 1;
            if (viol && !isnan(in->insp_violations[k]) && in->insp_violations[k] > 0)
                viol[p] += in->insp_violations[k];
        }
    }
    return FR_OK;
}

static fr_status copy_column(builder *b, const char *name, const double *src)
{
    double *dst = add_column(b, name);
    if (!dst)
        return fr_error_oom_while(b->err, "building features");
    if (!b->only) {
        memcpy(dst, src, b->t->nparcels * sizeof *dst);
        return FR_OK;
    }
    for (size_t i = 0; i < b->t->nparcels; i++)
        if (b->only[i])
            dst[i] = src[i];
    return FR_OK;
}

static fr_status attribute_features(builder *b, const model_feature_input *in)
{
    fr_status st = FR_OK;
    if (in->year_built) {
        double *age = add_column(b, "building_age");
        if (!age)
            return fr_error_oom_while(b->err, "building features");
        int y, m, d;
        fr_civil_from_days(in->as_of, &y, &m, &d);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < in->nparcels; i++) {
            if (!wanted(b, i))
                continue;
            double yb = in->year_built[i];
            /* 0 and future years are "unknown" in assessor exports. */
            age[i] = (isnan(yb) || yb < 1600 || yb > y) ? NAN : (double)y - yb;
        }
    }
    if (st == FR_OK && in->building_sqft) st = copy_column(b, "building_sqft", in->building_sqft);
    if (st == FR_OK && in->units) st = copy_column(b, "units", in->units);
    if (st == FR_OK && in->assessed_value) st = copy_column(b, "assessed_value", in->assessed_value);
    if (st == FR_OK && in->vacant) st = copy_column(b, "vacant", in->vacant);
    if (st == FR_OK && in->owner_occupied) st = copy_column(b, "owner_occupied", in->owner_occupied);
    if (st == FR_OK && in->station_dist_m) st = copy_column(b, "station_dist_m", in->station_dist_m);
    for (size_t c = 0; st == FR_OK && c < in->ncontext; c++)
        st = copy_column(b, in->context_names[c], in->context_values[c]);
    return st;
}

fr_status model_features_build(const model_feature_input *in, model_features *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    out->nparcels = in->nparcels;
    builder b = {.t = out, .only = in->rows_only, .err = err};
    fr_status st = reserve_columns(&b, most_columns(in));
    if (st == FR_OK && in->has_incidents)
        st = incident_features(&b, in);
    if (st == FR_OK && in->near_counts)
        st = near_features(&b, in);
    if (st == FR_OK && in->has_incidents && in->scales && in->scales->nradii + in->scales->nbandwidths > 0)
        st = scale_features(&b, in);
    if (st == FR_OK && in->has_incidents && in->location)
        st = colocated_features(&b, in);
    if (st == FR_OK && in->has_inspections)
        st = inspection_features(&b, in);
    if (st == FR_OK)
        st = attribute_features(&b, in);
    if (st != FR_OK)
        model_features_free(out);
    return st;
}

void model_features_free(model_features *f)
{
    for (size_t i = 0; i < f->nfeatures; i++)
        free(f->names[i]);
    free(f->names);
    free(f->values);
    memset(f, 0, sizeof *f);
}

int model_features_find(const model_features *f, const char *name)
{
    for (size_t i = 0; i < f->nfeatures; i++)
        if (!strcmp(f->names[i], name))
            return (int)i;
    return -1;
}
