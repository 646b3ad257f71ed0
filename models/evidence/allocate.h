/*
 * allocate.h — the target list split across areas in proportion to their
 * predicted risk (`targets.allocation: proportional`).
 *
 * Ranking alone sends the whole list where the scores are highest; a
 * programme asked to serve every neighbourhood in proportion to its risk
 * gives each area (block group) a quota of the list proportional to the sum
 * of its homes' predicted risk, then fills each quota by rank inside the
 * area.  Pure arrays: no GDAL, no config.
 */
#ifndef MODEL_ALLOCATE_H
#define MODEL_ALLOCATE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Largest-remainder (Hamilton) rounding of total * weight[g] / sum(weight)
 * into quota[g] (ngroups entries): the floors first, then one more to the
 * largest remainders (ties: larger weight, then lower index).  A group of
 * weight 0 (or negative, or NaN) gets none; when no group has weight every
 * quota is 0.  The quotas sum to total whenever some weight is positive. */
void model_allocate_largest_remainder(const double *weight, size_t ngroups, size_t total, size_t *quota);

/* The rows of a proportional list: order[0 .. n-1] are parcel indexes in
 * rank order, score[i] the predicted risk of parcel i (sum per group is the
 * group's weight; NaN counts 0), group_of[i] its group in [0, ngroups) or
 * -1 (the homes in no group form one group of their own), held_back[i] != 0
 * a home not due (NULL: all due).  Each group's quota of max_rows is filled
 * by rank inside the group; what a group cannot fill (too few due homes) is
 * filled from the rest by rank.  out (room for min(n, max_rows)) gets the
 * chosen parcels in rank order; *nout their number.  quota_out (may be
 * NULL; ngroups + 1 entries, the last for "no group") receives the quotas. */
fr_status model_allocate_proportional(const size_t *order, size_t n, size_t max_rows, const double *score,
                                      const int32_t *group_of, size_t ngroups, const uint8_t *held_back,
                                      size_t *out, size_t *nout, size_t *quota_out, fr_error *err);

/* The backtest's question: the share of the homes with y[i] != 0 (a fire
 * in the horizon) among those a list of max_rows would visit, ranked by
 * score (ties by id, as the run ranks) — *rank_share — and allocated in
 * proportion across groups (group_of NULL: *proportional_share NaN).  NaN
 * when no home has y. */
fr_status model_allocate_list_shares(const double *score, const char *const *ids, const uint8_t *y, size_t n,
                                     size_t max_rows, const int32_t *group_of, size_t ngroups, double *rank_share,
                                     double *proportional_share, fr_error *err);

#endif
