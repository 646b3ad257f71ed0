/*
 * points.c — the points index (see points.h).  One parcel per iteration,
 * all in a fixed term order, so scores are identical at any thread count.
 */
#include "points.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

fr_status model_points_score(const model_features *f, const model_points_term *terms, size_t nterms,
                             model_points_result *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = f->nparcels;
    int *col = malloc((nterms ? nterms : 1) * sizeof *col);
    out->skipped = malloc((nterms ? nterms : 1) * sizeof *out->skipped);
    out->score = malloc((n ? n : 1) * sizeof *out->score);
    out->reason_feature = malloc((n ? n : 1) * MODEL_REASONS * sizeof *out->reason_feature);
    if (!col || !out->skipped || !out->score || !out->reason_feature) {
        free(col);
        model_points_result_free(out);
        return fr_error_oom_while(err, "scoring %zu parcels", n);
    }
    out->nparcels = n;
    double total_weight = 0;
    for (size_t t = 0; t < nterms; t++) {
        col[t] = model_features_find(f, terms[t].feature);
        if (col[t] < 0 || terms[t].weight <= 0 || !(terms[t].cap > 0)) {
            if (col[t] < 0)
                out->skipped[out->nskipped++] = t;
            col[t] = -1;
            continue;
        }
        total_weight += terms[t].weight;
    }
    if (total_weight <= 0) {
        free(col);
        model_points_result_free(out);
        return fr_error_set(err, FR_E_CONFIG,
                            "the points index has no usable term: none of its features exists in the data "
                            "(check score.weights against the mapped fields)");
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        int32_t *rf = &out->reason_feature[i * MODEL_REASONS];
        double rp[MODEL_REASONS]; /* the points of rf's terms */
        for (int k = 0; k < MODEL_REASONS; k++) {
            rf[k] = -1;
            rp[k] = 0;
        }
        for (size_t t = 0; t < nterms; t++) {
            if (col[t] < 0)
                continue;
            double v = f->values[(size_t)col[t] * n + i];
            if (isnan(v))
                continue;
            double x = clamp01(v / terms[t].cap);
            double pts = terms[t].weight * (terms[t].invert ? 1 - x : x);
            sum += pts;
            /* Insert into the top list: strictly greater moves up, so
             * equal contributions keep term order. */
            if (pts <= 0)
                continue;
            for (int k = 0; k < MODEL_REASONS; k++) {
                if (pts > rp[k]) {
                    for (int j = MODEL_REASONS - 1; j > k; j--) {
                        rp[j] = rp[j - 1];
                        rf[j] = rf[j - 1];
                    }
                    rp[k] = pts;
                    rf[k] = col[t];
                    break;
                }
            }
        }
        out->score[i] = sum / total_weight;
    }
    free(col);
    return FR_OK;
}

void model_points_result_free(model_points_result *r)
{
    free(r->score);
    free(r->reason_feature);
    free(r->skipped);
    memset(r, 0, sizeof *r);
}

fr_status model_points_explain(const model_features *f, const model_points_term *terms, size_t nterms, size_t i,
                               model_points_term_value *out, double *total_weight, fr_error *err)
{
    size_t n = f->nparcels;
    *total_weight = 0;
    for (size_t t = 0; t < nterms; t++) {
        int c = model_features_find(f, terms[t].feature);
        out[t] = (model_points_term_value){.used = c >= 0 && terms[t].weight > 0 && terms[t].cap > 0,
                                           .value = c >= 0 ? f->values[(size_t)c * n + i] : NAN};
        if (out[t].used)
            *total_weight += terms[t].weight;
    }
    if (*total_weight <= 0)
        return fr_error_set(err, FR_E_CONFIG, "the points index has no usable term");
    for (size_t t = 0; t < nterms; t++) {
        model_points_term_value *v = &out[t];
        if (!v->used || isnan(v->value))
            continue;
        double x = clamp01(v->value / terms[t].cap);
        v->scaled = terms[t].invert ? 1 - x : x;
        v->points = terms[t].weight * v->scaled;
        v->contribution = v->points / *total_weight;
    }
    return FR_OK;
}
