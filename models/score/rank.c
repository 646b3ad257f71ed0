/*
 * rank.c — total-order ranking (see rank.h).
 *
 * The sort is parallel (psort.c).  The comparison is a total order (score,
 * then the tie keys, then id, then index), so there is exactly one sorted
 * result and the ranking is the same at any thread count.
 */
#include "rank.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

typedef struct {
    double score;
    double tie[MODEL_RANK_MAX_TIES]; /* NAN: missing, last */
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
    for (int k = 0; k < MODEL_RANK_MAX_TIES; k++) {
        double x = a->tie[k], y = b->tie[k];
        if (isnan(x) || isnan(y)) {
            if (isnan(x) != isnan(y))
                return isnan(x) ? 1 : -1;
            continue;
        }
        if (x != y)
            return x > y ? -1 : 1;
    }
    if (a->id && b->id) {
        int c = strcmp(a->id, b->id);
        if (c)
            return c;
    } else if (a->id || b->id) {
        return a->id ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The end of a tier that ends before rank cut (0-based, exclusive): moved
 * up to the start of the group of equal scores the cut would split. */
static size_t tier_end(const rank_item *items, size_t n, size_t cut)
{
    if (cut == 0 || cut >= n)
        return cut;
    while (cut > 0 && items[cut - 1].score == items[cut].score)
        cut--;
    return cut;
}

fr_status model_rank(const double *score, const char *const *ids, size_t n, double high_share,
                     double medium_share, size_t *order, int32_t *rank, uint8_t *tier, fr_error *err)
{
    return model_rank_with_ties(score, NULL, ids, n, high_share, medium_share, order, rank, tier, err);
}

fr_status model_rank_with_ties(const double *score, const model_rank_ties *ties, const char *const *ids, size_t n,
                               double high_share, double medium_share, size_t *order, int32_t *rank, uint8_t *tier,
                               fr_error *err)
{
    size_t nties = ties ? ties->nkeys : 0;
    if (nties > MODEL_RANK_MAX_TIES)
        return fr_error_set(err, FR_E_INTERNAL, "%zu tie keys, at most %d", nties, MODEL_RANK_MAX_TIES);
    rank_item *items = malloc((n ? n : 1) * sizeof *items);
    if (!items)
        return fr_error_oom_while(err, "ranking %zu parcels", n);
    for (size_t i = 0; i < n; i++)
        if (isnan(score[i])) {
            free(items);
            return fr_error_set(err, FR_E_INTERNAL, "score of parcel %zu is not a number", i);
        }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        items[i] = (rank_item){.score = score[i], .id = ids ? ids[i] : NULL, .index = i};
        for (size_t k = 0; k < MODEL_RANK_MAX_TIES; k++)
            items[i].tie[k] = k < nties && ties->key[k] ? ties->key[k][i] : NAN;
    }
    if (fr_sort_parallel(items, n, sizeof *items, compare_items, err) != FR_OK) {
        free(items);
        return FR_E_MEMORY;
    }
    size_t n_high = tier_end(items, n, (size_t)ceil(high_share * (double)n - 1e-9));
    size_t n_medium = tier_end(items, n, (size_t)ceil(medium_share * (double)n - 1e-9));
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
