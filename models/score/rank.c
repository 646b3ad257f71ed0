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

/* The sort in two passes.  Why: an item with every key (56 bytes) made
 * moving items most of one sort's time (glibc's qsort sorts items over 32
 * bytes through pointers and then moves them): ~1 s of the 5M-parcel
 * city's score stage, and 0.8 GB of new memory with the scratch.  The
 * first pass sorts 16-byte items by score alone (index for equal scores);
 * the second sorts each run of equal scores by the whole order, with every
 * key in its items, as the one sort did: only where scores tie, which is
 * rare under a continuous term (station distance) and common under a few
 * capped counts, whose parcels then sort as before.  Both orders are
 * total, so there is one result at any thread count. */
typedef struct {
    double score;
    size_t index;
} score_item;

/* A parcel in a run of equal scores, with the keys that order the run. */
typedef struct {
    double tie[MODEL_RANK_MAX_TIES]; /* NAN: missing, last */
    const char *id;
    size_t index;
} rank_item;

static int compare_scores(const void *pa, const void *pb)
{
    const score_item *a = pa, *b = pb;
    if (a->score > b->score)
        return -1;
    if (a->score < b->score)
        return 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The order of a run of equal scores (sort_run): the tie keys, the id, the
 * index. */
static int compare_items(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
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

/* The keys of the parcels the ranking orders. */
typedef struct {
    const model_rank_ties *ties; /* NULL: none */
    size_t nties;
    const char *const *ids; /* NULL: none */
} rank_keys;

/* Sorts the run s[0..m) of equal scores by the whole order, in full[0..m). */
static fr_status sort_run(score_item *s, size_t m, const rank_keys *c, rank_item *full, fr_error *err)
{
    for (size_t j = 0; j < m; j++) {
        size_t i = s[j].index;
        full[j] = (rank_item){.id = c->ids ? c->ids[i] : NULL, .index = i};
        for (size_t k = 0; k < MODEL_RANK_MAX_TIES; k++)
            full[j].tie[k] = k < c->nties && c->ties->key[k] ? c->ties->key[k][i] : NAN;
    }
    if (fr_sort_parallel(full, m, sizeof *full, compare_items, err) != FR_OK)
        return FR_E_MEMORY;
    for (size_t j = 0; j < m; j++)
        s[j].index = full[j].index;
    return FR_OK;
}

/* Runs of equal scores shorter than this are sorted one a thread, longer
 * ones one after another, each by every thread (fr_sort_parallel, which
 * splits from the same length on: psort.c). */
#define RANK_SHORT_RUN 65536

/* The second pass over s[0..n), sorted by score: every run of equal scores
 * by the whole order. */
static fr_status sort_ties(score_item *s, size_t n, const rank_keys *c, fr_error *err)
{
    if (c->nties == 0 && !c->ids)
        return FR_OK; /* the order is score, index: done */
    size_t longest = 0;
    for (size_t j = 0, e; j < n; j = e) {
        for (e = j + 1; e < n && s[e].score == s[j].score; e++)
            ;
        longest = e - j > longest ? e - j : longest;
    }
    if (longest < 2)
        return FR_OK;
    int nth = omp_get_max_threads();
    size_t room = longest < RANK_SHORT_RUN ? longest : RANK_SHORT_RUN;
    rank_item *full = malloc((longest > (size_t)nth * room ? longest : (size_t)nth * room) * sizeof *full);
    if (!full)
        return fr_error_oom_while(err, "ranking %zu parcels", n);
    fr_status st = FR_OK;
    /* the short runs: each thread its own part of full; a run belongs to
     * the block its start is in */
    const long long nblocks = (long long)((n + RANK_SHORT_RUN - 1) / RANK_SHORT_RUN);
#pragma omp parallel for schedule(dynamic, 1)
    for (long long blk = 0; blk < nblocks; blk++) {
        rank_item *mine = full + (size_t)omp_get_thread_num() * room;
        size_t j = (size_t)blk * RANK_SHORT_RUN, end = j + RANK_SHORT_RUN < n ? j + RANK_SHORT_RUN : n;
        while (j > 0 && j < end && s[j - 1].score == s[j].score)
            j++; /* the run begun in the block before is that block's */
        for (size_t e; j < end; j = e) {
            for (e = j + 1; e < n && s[e].score == s[j].score; e++)
                ;
            if (e - j >= 2 && e - j < RANK_SHORT_RUN)
                (void)sort_run(s + j, e - j, c, mine, NULL); /* short: qsort, cannot fail */
        }
    }
    for (size_t j = 0, e; j < n && st == FR_OK; j = e) {
        for (e = j + 1; e < n && s[e].score == s[j].score; e++)
            ;
        if (e - j >= RANK_SHORT_RUN)
            st = sort_run(s + j, e - j, c, full, err);
    }
    free(full);
    return st;
}

/* The end of a tier that ends before rank cut (0-based, exclusive): moved
 * up to the start of the group of equal scores the cut would split. */
static size_t tier_end(const score_item *items, size_t n, size_t cut)
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
    score_item *items = malloc((n ? n : 1) * sizeof *items);
    if (!items)
        return fr_error_oom_while(err, "ranking %zu parcels", n);
    for (size_t i = 0; i < n; i++)
        if (isnan(score[i])) {
            free(items);
            return fr_error_set(err, FR_E_INTERNAL, "score of parcel %zu is not a number", i);
        }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++)
        items[i] = (score_item){.score = score[i], .index = i};
    rank_keys keys = {ties, nties, ids};
    fr_status st = fr_sort_parallel(items, n, sizeof *items, compare_scores, err);
    if (st == FR_OK)
        st = sort_ties(items, n, &keys, err);
    if (st != FR_OK) {
        free(items);
        return st;
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
