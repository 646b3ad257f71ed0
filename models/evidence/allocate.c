/*
 * allocate.c — proportional allocation of the target list (see allocate.h).
 */
#include "allocate.h"

#include "rank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void model_allocate_largest_remainder(const double *weight, size_t ngroups, size_t total, size_t *quota)
{
    double sum = 0;
    for (size_t g = 0; g < ngroups; g++) {
        quota[g] = 0;
        if (weight[g] > 0)
            sum += weight[g];
    }
    if (!(sum > 0) || total == 0)
        return;
    size_t given = 0;
    for (size_t g = 0; g < ngroups; g++)
        if (weight[g] > 0) {
            quota[g] = (size_t)floor((double)total * (weight[g] / sum));
            given += quota[g];
        }
    /* The remaining seats, one each, to the largest remainders: a few (at
     * most ngroups), so a scan per seat is fine. */
    unsigned char *extra = calloc(ngroups ? ngroups : 1, 1);
    while (given < total) {
        size_t best = ngroups;
        double best_r = -1;
        for (size_t g = 0; g < ngroups; g++) {
            if (!(weight[g] > 0) || (extra && extra[g]))
                continue;
            double r = (double)total * (weight[g] / sum) - (double)quota[g];
            if (best == ngroups || r > best_r || (r == best_r && weight[g] > weight[best])) {
                best = g;
                best_r = r;
            }
        }
        if (best == ngroups) { /* every group had its extra seat (rounding): start again */
            if (!extra)
                break;
            memset(extra, 0, ngroups);
            continue;
        }
        quota[best]++;
        if (extra)
            extra[best] = 1;
        given++;
    }
    free(extra);
}

fr_status model_allocate_proportional(const size_t *order, size_t n, size_t max_rows, const double *score,
                                      const int32_t *group_of, size_t ngroups, const uint8_t *held_back,
                                      size_t *out, size_t *nout, size_t *quota_out, fr_error *err)
{
    *nout = 0;
    size_t G = ngroups + 1; /* the last: homes in no group */
    double *weight = calloc(G, sizeof *weight);
    size_t *quota = calloc(G, sizeof *quota), *taken = calloc(G, sizeof *taken);
    unsigned char *chosen = calloc(n ? n : 1, 1);
    if (!weight || !quota || !taken || !chosen) {
        free(weight);
        free(quota);
        free(taken);
        free(chosen);
        return fr_error_oom_while(err, "allocating the target list across areas");
    }
    size_t due = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r];
        int32_t g = group_of[i];
        size_t k = g >= 0 && (size_t)g < ngroups ? (size_t)g : ngroups;
        if (!isnan(score[i]) && score[i] > 0)
            weight[k] += score[i]; /* in rank order: one fixed order of the sum */
        due += !held_back || !held_back[i];
    }
    size_t rows = max_rows < due ? max_rows : due;
    model_allocate_largest_remainder(weight, G, rows, quota);
    size_t picked = 0;
    for (size_t r = 0; r < n && picked < rows; r++) {
        size_t i = order[r];
        if (held_back && held_back[i])
            continue;
        int32_t g = group_of[i];
        size_t k = g >= 0 && (size_t)g < ngroups ? (size_t)g : ngroups;
        if (taken[k] < quota[k]) {
            taken[k]++;
            chosen[r] = 1;
            picked++;
        }
    }
    /* Quotas a group could not fill go to the next due homes by rank. */
    for (size_t r = 0; r < n && picked < rows; r++)
        if (!chosen[r] && !(held_back && held_back[order[r]])) {
            chosen[r] = 1;
            picked++;
        }
    for (size_t r = 0; r < n; r++)
        if (chosen[r])
            out[(*nout)++] = order[r];
    if (quota_out)
        memcpy(quota_out, quota, G * sizeof *quota);
    free(weight);
    free(quota);
    free(taken);
    free(chosen);
    return FR_OK;
}

fr_status model_allocate_list_shares(const double *score, const char *const *ids, const uint8_t *y, size_t n,
                                     size_t max_rows, const int32_t *group_of, size_t ngroups, double *rank_share,
                                     double *proportional_share, fr_error *err)
{
    *rank_share = *proportional_share = NAN;
    size_t m = n ? n : 1, rows = max_rows < n ? max_rows : n, nout = 0;
    size_t *order = malloc(m * sizeof *order), *out = malloc(m * sizeof *out);
    int32_t *rank = malloc(m * sizeof *rank);
    uint8_t *tier = malloc(m);
    fr_status st = order && out && rank && tier ? FR_OK : fr_error_oom_while(err, "judging the target list");
    if (st == FR_OK)
        st = model_rank(score, ids, n, 0.05, 0.2, order, rank, tier, err);
    double fires = 0, hit = 0;
    for (size_t i = 0; st == FR_OK && i < n; i++)
        fires += y[i] != 0;
    if (st == FR_OK && fires > 0) {
        for (size_t r = 0; r < rows; r++)
            hit += y[order[r]] != 0;
        *rank_share = hit / fires;
        if (group_of)
            st = model_allocate_proportional(order, n, max_rows, score, group_of, ngroups, NULL, out, &nout, NULL, err);
        if (st == FR_OK && group_of) {
            hit = 0;
            for (size_t r = 0; r < nout; r++)
                hit += y[out[r]] != 0;
            *proportional_share = hit / fires;
        }
    }
    free(order);
    free(out);
    free(rank);
    free(tier);
    return st;
}
