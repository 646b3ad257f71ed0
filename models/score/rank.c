/*
 * rank.c — total-order ranking (see rank.h).
 *
 * The sort is parallel (psort.c).  The comparison is a total order (score,
 * then id, then index), so there is exactly one sorted result and the
 * ranking is the same at any thread count.
 */
#include "rank.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

typedef struct {
    double score;
    const char *id;
    size_t index;
} rank_item;

static int compare_items(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
    /* NAN scores never reach here (checked), but keep them last anyway. */
    if (a->score > b->score)
        return -1;
    if (a->score < b->score)
        return 1;
    if (a->id && b->id) {
        int c = strcmp(a->id, b->id);
        if (c)
            return c;
    } else if (a->id || b->id) {
        return a->id ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

fr_status model_rank(const double *score, const char *const *ids, size_t n, double high_share,
                     double medium_share, size_t *order, int32_t *rank, uint8_t *tier, fr_error *err)
{
    rank_item *items = malloc((n ? n : 1) * sizeof *items);
    if (!items)
        return fr_error_oom_while(err, "ranking %zu parcels", n);
    for (size_t i = 0; i < n; i++)
        if (isnan(score[i])) {
            free(items);
            return fr_error_set(err, FR_E_INTERNAL, "score of parcel %zu is not a number", i);
        }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        items[i] = (rank_item){score[i], ids ? ids[i] : NULL, i};
    if (fr_sort_parallel(items, n, sizeof *items, compare_items, err) != FR_OK) {
        free(items);
        return FR_E_MEMORY;
    }
    size_t n_high = (size_t)ceil(high_share * (double)n - 1e-9);
    size_t n_medium = (size_t)ceil(medium_share * (double)n - 1e-9);
    /* Each k writes its own order[k] and, through a permutation, its own
     * rank[i] and tier[i]. */
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < n; k++) {
        size_t i = items[k].index;
        order[k] = i;
        rank[i] = (int32_t)(k + 1);
        tier[i] = k < n_high ? MODEL_TIER_HIGH : k < n_medium ? MODEL_TIER_MEDIUM : MODEL_TIER_LOW;
    }
    free(items);
    return FR_OK;
}

const char *model_tier_name(model_tier t)
{
    switch (t) {
    case MODEL_TIER_HIGH: return "high";
    case MODEL_TIER_MEDIUM: return "medium";
    default: return "low";
    }
}
