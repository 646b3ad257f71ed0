/*
 * rank.c — total-order ranking (see rank.h).
 *
 * The sorts are parallel (a radix sort by score here, then psort.c for the
 * runs of equal scores).  The order is a total order (score, then the tie
 * keys, then id, then index), so there is exactly one sorted result and
 * the ranking is the same at any thread count.
 */
#include "rank.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

/* The sort in two passes.  Why: an item with every key (56 bytes) made
 * moving items most of one sort's time (glibc's qsort sorts items over 32
 * bytes through pointers and then moves them): ~1 s of the 5M-parcel
 * city's score stage, and 0.8 GB of new memory with the scratch.  The
 * first pass sorts 16-byte items by score alone (index for equal scores:
 * sort_scores);
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

/* The first pass, by score alone, is a radix sort rather than a
 * comparison sort.  Why: the parallel merge sort of 16-byte items
 * (psort.c) was 0.8 s of the 5M-parcel city's score stage, and a run of
 * equal scores must keep the parcels' index order, which a stable sort of
 * the items, made in index order, keeps for nothing.  No library of
 * Debian's offers a radix sort in C; this is the textbook LSD one, each
 * pass counting and scattering on every thread. */
enum { SCORE_DIGIT_BITS = 11, SCORE_DIGITS = 1 << SCORE_DIGIT_BITS, SCORE_PASSES = 6 };

/* A key whose ascending order is the scores' descending order: the bits
 * of the double, the sign flipped (positives) or all bits (negatives), so
 * that unsigned order is numeric order, then all bits again.  -0.0 is
 * taken as 0.0, which it equals.  No NaN comes here. */
static inline uint64_t score_key(double score)
{
    if (score == 0)
        score = 0;
    uint64_t u;
    memcpy(&u, &score, sizeof u);
    u = u >> 63 ? ~u : u | (UINT64_C(1) << 63);
    return ~u;
}

static inline size_t score_digit(double score, int pass)
{
    return (size_t)(score_key(score) >> (pass * SCORE_DIGIT_BITS)) & (SCORE_DIGITS - 1);
}

/* Sorts items[0..n) by score, highest first, equal scores in the order
 * they come (stable): the same order at any thread count, as each pass gives the items of thread t's part of the array the
 * places after those of the parts before it. */
static fr_status sort_scores(score_item *items, size_t n, fr_error *err)
{
    if (n < 2)
        return FR_OK;
    int nth = omp_get_max_threads();
    if ((size_t)nth > n)
        nth = (int)n;
    score_item *tmp = malloc(n * sizeof *tmp);
    size_t *count = malloc((size_t)nth * SCORE_DIGITS * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return fr_error_oom_while(err, "ranking %zu parcels", n);
    }
    score_item *src = items, *dst = tmp;
    for (int pass = 0; pass < SCORE_PASSES; pass++) {
        int all_in_one = 0; /* every item has the same digit: the pass would move nothing */
#pragma omp parallel num_threads(nth)
        {
            /* the team may be smaller than asked (nested, or a thread
             * limit): the parts are the team's */
            int t = omp_get_thread_num(), team = omp_get_num_threads();
            size_t lo = n * (size_t)t / (size_t)team, hi = n * (size_t)(t + 1) / (size_t)team;
            size_t *mine = count + (size_t)t * SCORE_DIGITS;
            memset(mine, 0, SCORE_DIGITS * sizeof *mine);
            for (size_t i = lo; i < hi; i++)
                mine[score_digit(src[i].score, pass)]++;
#pragma omp barrier
#pragma omp single
            {
                /* each thread's first place for each digit: digit by digit,
                 * thread by thread */
                size_t at = 0;
                for (size_t d = 0; d < SCORE_DIGITS; d++) {
                    size_t before = at;
                    for (int u = 0; u < team; u++) {
                        size_t c = count[(size_t)u * SCORE_DIGITS + d];
                        count[(size_t)u * SCORE_DIGITS + d] = at;
                        at += c;
                    }
                    if (at - before == n)
                        all_in_one = 1;
                }
            } /* implied barrier */
            if (!all_in_one)
                for (size_t i = lo; i < hi; i++)
                    dst[mine[score_digit(src[i].score, pass)]++] = src[i];
        }
        if (!all_in_one) {
            score_item *swap = src;
            src = dst;
            dst = swap;
        }
    }
    if (src != items)
        memcpy(items, src, n * sizeof *items);
    free(tmp);
    free(count);
    return FR_OK;
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
    fr_status st = sort_scores(items, n, err);
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
