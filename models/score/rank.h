/*
 * rank.h — ranking and tiers.
 *
 * Rank 1 is the highest score.  Equal scores are ordered by the tie keys
 * given (each larger first, a missing value last: the run passes fires on
 * the parcel in 5 years, fires nearby in 5 years and days since the last
 * visit, never visited counting as longest), then by parcel id (byte-wise
 * comparison of the id text), so the order is total and the same at any
 * thread count.  Tiers cut the ranking by share of parcels: the first
 * ceil(high * n) ranks are "high", up to ceil(medium * n) "medium", the
 * rest "low"; equal scores share a tier: a group of equal scores that a
 * cut would split goes wholly to the lower tier, so the shares are at most
 * the configured ones.
 */
#ifndef MODEL_RANK_H
#define MODEL_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum { MODEL_TIER_HIGH = 0, MODEL_TIER_MEDIUM = 1, MODEL_TIER_LOW = 2 } model_tier;

#define MODEL_RANK_MAX_TIES 4

/* Keys that order equal scores, in order of precedence: key[k][i] for
 * parcel i, larger first, NAN last. */
typedef struct {
    const double *key[MODEL_RANK_MAX_TIES];
    size_t nkeys;
} model_rank_ties;

/* order[k] = parcel index at rank k+1; rank[i] = rank of parcel i (1-based);
 * tier[i] as above.  ids may contain NULL (sorted last among equals); ties
 * may be NULL (equal scores by id). */
fr_status model_rank_with_ties(const double *score, const model_rank_ties *ties, const char *const *ids, size_t n,
                               double high_share, double medium_share, size_t *order, int32_t *rank, uint8_t *tier,
                               fr_error *err);

/* model_rank_with_ties without tie keys. */
fr_status model_rank(const double *score, const char *const *ids, size_t n, double high_share,
                     double medium_share, size_t *order, int32_t *rank, uint8_t *tier, fr_error *err);

const char *model_tier_name(model_tier t);

#endif
