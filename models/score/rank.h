/*
 * rank.h — ranking and tiers.
 *
 * Rank 1 is the highest score.  Ties are broken by parcel id (byte-wise
 * comparison of the id text), so the order is total and the same at any
 * thread count.  Tiers cut the ranking by share of parcels: the first
 * ceil(high * n) ranks are "high", up to ceil(medium * n) "medium", the rest
 * "low".
 */
#ifndef MODEL_RANK_H
#define MODEL_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef enum { MODEL_TIER_HIGH = 0, MODEL_TIER_MEDIUM = 1, MODEL_TIER_LOW = 2 } model_tier;

/* order[k] = parcel index at rank k+1; rank[i] = rank of parcel i (1-based);
 * tier[i] as above.  ids may contain NULL (sorted last among equals). */
fr_status model_rank(const double *score, const char *const *ids, size_t n, double high_share,
                     double medium_share, size_t *order, int32_t *rank, uint8_t *tier, fr_error *err);

const char *model_tier_name(model_tier t);

#endif
