/*
 * eval.c — AUC, precision and recall at k, lift and calibration (see eval.h).
 *
 * Single-threaded: one sort of n scores per evaluation, a fraction of a
 * second at a million parcels, and the simplest way to the same bits every
 * time.
 */
#include "eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"

typedef struct {
    double s;
    size_t i;
} scored;

static int cmp_scored(const void *pa, const void *pb)
{
    const scored *a = pa, *b = pb;
    if (a->s < b->s)
        return -1;
    if (a->s > b->s)
        return 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

fr_status model_eval_auc(const double *score, const uint8_t *y, size_t n, double *auc, fr_error *err)
{
    *auc = NAN;
    scored *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return fr_error_oom_while(err, "computing the AUC");
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(score[i])) {
            free(v);
            return fr_error_set(err, FR_E_INTERNAL, "score %zu is not a number", i);
        }
        v[i] = (scored){score[i], i};
        pos += y[i] != 0;
    }
    if (pos == 0 || pos == n) {
        free(v);
        return FR_OK;
    }
    qsort(v, n, sizeof *v, cmp_scored);
    /* Sum of the positives' ranks, ties sharing their average rank (1-based). */
    double rank_sum = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        size_t p = 0;
        while (b < n && v[b].s == v[a].s)
            p += y[v[b++].i] != 0;
        rank_sum += (double)p * ((double)(a + 1) + (double)b) / 2.0;
        a = b;
    }
    double P = (double)pos, N = (double)(n - pos);
    *auc = (rank_sum - P * (P + 1) / 2) / (P * N);
    free(v);
    return FR_OK;
}

int model_eval_k_parse(const char *text, model_eval_k *k)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v > 0))
        return -1;
    if (*end == '%' && end[1] == '\0' && v <= 100) {
        *k = (model_eval_k){v, 1};
        return 0;
    }
    if (*end == '\0' && v == floor(v) && v <= 1e9) {
        *k = (model_eval_k){v, 0};
        return 0;
    }
    return -1;
}

void model_eval_k_format(const model_eval_k *k, char *buf, size_t size)
{
    if (k->percent)
        snprintf(buf, size, "%g%%", k->value);
    else
        snprintf(buf, size, "%.0f", k->value);
}

fr_status model_eval(const double *score, const uint8_t *y, const char *const *ids, size_t n,
                     const model_eval_k *ks, size_t nks, model_eval_result *out, fr_error *err)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    for (size_t i = 0; i < n; i++)
        out->positives += y[i] != 0;
    if (out->positives == 0 || out->positives == n)
        return fr_error_set(err, FR_E_INPUT, "cannot evaluate: %s of the %zu parcels had a fire in the horizon",
                            out->positives ? "every one" : "none", n);
    fr_status st = model_eval_auc(score, y, n, &out->auc, err);
    if (st != FR_OK)
        return st;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    int32_t *rank = malloc((n ? n : 1) * sizeof *rank);
    uint8_t *tier = malloc(n ? n : 1);
    out->at = calloc(nks ? nks : 1, sizeof *out->at);
    if (!order || !rank || !tier || !out->at)
        st = fr_error_oom_while(err, "evaluating %zu parcels", n);
    if (st == FR_OK)
        st = model_rank(score, ids, n, 0, 0, order, rank, tier, err);
    if (st == FR_OK) {
        /* hits[k] = fires among the first k ranks, read off one pass. */
        out->nat = nks;
        for (size_t j = 0; j < nks; j++) {
            model_eval_at *a = &out->at[j];
            double k = ks[j].percent ? ceil(ks[j].value / 100.0 * (double)n - 1e-9) : ks[j].value;
            a->k = k < 1 ? 1 : k > (double)n ? n : (size_t)k;
            model_eval_k_format(&ks[j], a->label, sizeof a->label);
        }
        size_t hits = 0, d = 0;
        double dsum[MODEL_DECILES] = {0};
        size_t dpos[MODEL_DECILES] = {0};
        for (size_t r = 0; r < n; r++) {
            size_t i = order[r];
            hits += y[i] != 0;
            for (size_t j = 0; j < nks; j++)
                if (out->at[j].k == r + 1)
                    out->at[j].hits = hits;
            while (d + 1 < MODEL_DECILES && r >= (d + 1) * n / MODEL_DECILES)
                d++;
            dsum[d] += score[i];
            dpos[d] += y[i] != 0;
        }
        for (size_t j = 0; j < nks; j++) {
            out->at[j].precision = (double)out->at[j].hits / (double)out->at[j].k;
            out->at[j].recall = (double)out->at[j].hits / (double)out->positives;
        }
        for (size_t dec = 0; dec < MODEL_DECILES; dec++) {
            size_t a = dec * n / MODEL_DECILES, b = (dec + 1) * n / MODEL_DECILES, m = b - a;
            out->lift[dec] = (double)dpos[dec] / (double)out->positives;
            out->mean_score[dec] = m ? dsum[dec] / (double)m : NAN;
            out->fire_rate[dec] = m ? (double)dpos[dec] / (double)m : NAN;
        }
    }
    free(order);
    free(rank);
    free(tier);
    if (st != FR_OK)
        model_eval_result_free(out);
    return st;
}

void model_eval_result_free(model_eval_result *r)
{
    free(r->at);
    r->at = NULL;
    r->nat = 0;
}

fr_status model_eval_location_auc(const double *score, const uint8_t *y, const int32_t *location, size_t n,
                                  double *auc, size_t *nloc, fr_error *err)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (location[i] >= 0 && (size_t)location[i] + 1 > m)
            m = (size_t)location[i] + 1;
    double *ls = malloc((m ? m : 1) * sizeof *ls);
    uint8_t *ly = calloc(m ? m : 1, 1);
    if (!ls || !ly) {
        free(ls);
        free(ly);
        return fr_error_oom(err);
    }
    for (size_t l = 0; l < m; l++)
        ls[l] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        int32_t l = location[i];
        if (l < 0)
            continue;
        if (score[i] > ls[l])
            ls[l] = score[i];
        ly[l] |= y[i];
    }
    *nloc = m;
    fr_status st = model_eval_auc(ls, ly, m, auc, err);
    free(ls);
    free(ly);
    return st;
}
