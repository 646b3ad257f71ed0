/*
 * test_rank.c — ranking with ties (broken by parcel id), tiers by share,
 * and the points index (bounds, missing values, caps, inversion, reasons).
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "feature_table.h"
#include "points.h"
#include "rank.h"

static void ties_broken_by_id(void **state)
{
    (void)state;
    double score[] = {0.5, 0.9, 0.5, 0.1, 0.5};
    const char *ids[] = {"C", "Z", "A", "B", "B"};
    size_t order[5];
    int32_t rank[5];
    uint8_t tier[5];
    fr_error err;
    assert_int_equal(model_rank(score, ids, 5, 0.2, 0.6, order, rank, tier, &err), FR_OK);
    size_t expect[] = {1, 2, 4, 0, 3}; /* 0.9 Z, then 0.5 A, B, C, then 0.1 */
    for (int k = 0; k < 5; k++)
        assert_int_equal(order[k], expect[k]);
    assert_int_equal(rank[1], 1);
    assert_int_equal(rank[3], 5);
    assert_int_equal(tier[1], MODEL_TIER_HIGH);   /* ceil(0.2 * 5) = 1 */
    /* ceil(0.6 * 5) = 3 would cut the three 0.5s after A and B: equal
     * scores share a tier, the lower one, so medium is empty */
    assert_int_equal(tier[2], MODEL_TIER_LOW);
    assert_int_equal(tier[4], MODEL_TIER_LOW);
    assert_int_equal(tier[0], MODEL_TIER_LOW);
    assert_string_equal(model_tier_name(MODEL_TIER_HIGH), "high");
}

/* Equal scores: more fire history first, then longer since the last visit
 * (never visited: INFINITY, first), a missing key last, then the id. */
static void ties_broken_by_keys_then_id(void **state)
{
    (void)state;
    double score[] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.7};
    double fires[] = {1, 2, 1, 1, NAN, 0};
    double since[] = {30, 10, INFINITY, 400, 5, 1};
    const char *ids[] = {"A", "B", "C", "D", "E", "F"};
    model_rank_ties ties = {.key = {fires, since}, .nkeys = 2};
    size_t order[6];
    int32_t rank[6];
    uint8_t tier[6];
    fr_error err;
    assert_int_equal(model_rank_with_ties(score, &ties, ids, 6, 0.5, 0.5, order, rank, tier, &err), FR_OK);
    size_t expect[] = {5, 1, 2, 3, 0, 4}; /* F; B (2 fires); C (never), D (400 d), A (30 d); E (fires missing) */
    for (int k = 0; k < 6; k++)
        assert_int_equal(order[k], expect[k]);
    /* ceil(0.5 * 6) = 3 cuts the 0.5s: all of them low, F alone high */
    assert_int_equal(tier[5], MODEL_TIER_HIGH);
    for (int i = 0; i < 5; i++)
        assert_int_equal(tier[i], MODEL_TIER_LOW);
}

/* The parallel sort (runs sorted per thread, then merged) gives the one
 * total order at any thread count, on enough items to take that path, with
 * many tied scores and some missing ids. */
static void same_order_at_any_thread_count(void **state)
{
    (void)state;
    enum { N = 200003 };
    double *score = malloc(N * sizeof *score);
    char **ids = malloc(N * sizeof *ids);
    size_t *order = malloc(N * sizeof *order), *first = malloc(N * sizeof *first);
    int32_t *rank = malloc(N * sizeof *rank);
    uint8_t *tier = malloc(N);
    assert_non_null(score && ids && order && first && rank && tier);
    uint64_t seed = 12345;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        score[i] = (double)((seed >> 33) % 1000) / 1000.0; /* ~200 items per score */
        ids[i] = NULL;
        if ((seed >> 20) % 50) { /* 2% without an id */
            ids[i] = malloc(16);
            snprintf(ids[i], 16, "P%llu", (unsigned long long)((seed >> 40) % 100000));
        }
    }
    int saved = omp_get_max_threads();
    const int threads[] = {1, 2, 3, 5};
    fr_error err;
    for (int t = 0; t < 4; t++) {
        omp_set_num_threads(threads[t]);
        assert_int_equal(model_rank(score, (const char *const *)ids, N, 0.01, 0.1, order, rank, tier, &err), FR_OK);
        if (t == 0)
            memcpy(first, order, N * sizeof *order);
        else
            assert_memory_equal(order, first, N * sizeof *order);
    }
    omp_set_num_threads(saved);
    for (size_t k = 1; k < N; k++) { /* sorted: score down, then id (missing last), then index */
        size_t a = order[k - 1], b = order[k];
        assert_true(score[a] >= score[b]);
        if (score[a] == score[b] && ids[a] && ids[b])
            assert_true(strcmp(ids[a], ids[b]) <= 0);
        if (score[a] == score[b] && !ids[a])
            assert_null(ids[b]);
        assert_int_equal(rank[b], (int32_t)k + 1);
    }
    for (size_t i = 0; i < N; i++)
        free(ids[i]);
    free(ids);
    free(score);
    free(order);
    free(first);
    free(rank);
    free(tier);
}

/* The order the ranking promises, written out here as one comparison of
 * parcel indexes, for checking the ranking's two passes against. */
typedef struct {
    const double *score, *fires, *since;
    char *const *ids;
} reference_keys;

static const reference_keys *ref_keys;

static int reference_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const reference_keys *r = ref_keys;
    if (r->score[a] != r->score[b])
        return r->score[a] > r->score[b] ? -1 : 1;
    const double *key[] = {r->fires, r->since};
    for (int k = 0; k < 2; k++) {
        double x = key[k][a], y = key[k][b];
        if (isnan(x) != isnan(y))
            return isnan(x) ? 1 : -1;
        if (!isnan(x) && x != y)
            return x > y ? -1 : 1;
    }
    if (r->ids[a] && r->ids[b] && strcmp(r->ids[a], r->ids[b]))
        return strcmp(r->ids[a], r->ids[b]);
    if (!r->ids[a] != !r->ids[b])
        return r->ids[a] ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* Scores sorted first and each run of equal scores then by the tie keys
 * and id (rank.c): one run long enough to be sorted by every thread (70%
 * of the parcels at score 0, as under a points index of a few counts),
 * runs of a few hundred, and scores held by one or two parcels; the order
 * is the reference's at 1, 2 and 3 threads. */
static void tied_runs_long_and_short_in_the_whole_order(void **state)
{
    (void)state;
    enum { N = 150001 };
    double *score = malloc(N * sizeof *score), *fires = malloc(N * sizeof *fires);
    double *since = malloc(N * sizeof *since);
    char **ids = malloc(N * sizeof *ids);
    size_t *order = malloc(N * sizeof *order), *expect = malloc(N * sizeof *expect);
    int32_t *rank = malloc(N * sizeof *rank);
    uint8_t *tier = malloc(N);
    assert_non_null(score && fires && since && ids && order && expect && rank && tier);
    uint64_t seed = 777;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(seed >> 33);
        score[i] = r % 10 < 7 ? 0.0 : r % 10 < 9 ? (double)(r % 97) : 100.0 + (double)(r % 40000) / 7.0;
        fires[i] = (r >> 4) % 23 == 0 ? NAN : (double)((r >> 8) % 3 == 0);
        since[i] = (r >> 6) % 5 == 0 ? INFINITY : (r >> 6) % 5 == 1 ? NAN : (double)((r >> 10) % 400);
        ids[i] = NULL;
        if ((r >> 12) % 40) {
            ids[i] = malloc(16);
            snprintf(ids[i], 16, "P%u", (r >> 14) % 50000);
        }
        expect[i] = i;
    }
    reference_keys keys = {score, fires, since, ids};
    ref_keys = &keys;
    qsort(expect, N, sizeof *expect, reference_cmp);
    model_rank_ties ties = {.key = {fires, since}, .nkeys = 2};
    int saved = omp_get_max_threads();
    fr_error err;
    for (int t = 1; t <= 3; t++) {
        omp_set_num_threads(t);
        memset(order, 0xff, N * sizeof *order);
        assert_int_equal(model_rank_with_ties(score, &ties, (const char *const *)ids, N, 0.01, 0.1, order, rank, tier,
                                              &err),
                         FR_OK);
        assert_memory_equal(order, expect, N * sizeof *order);
    }
    omp_set_num_threads(saved);
    for (size_t i = 0; i < N; i++)
        free(ids[i]);
    free(ids);
    free(score);
    free(fires);
    free(since);
    free(order);
    free(expect);
    free(rank);
    free(tier);
}

static void nan_score_refused(void **state)
{
    (void)state;
    double score[] = {0.5, NAN};
    const char *ids[] = {"a", "b"};
    size_t order[2];
    int32_t rank[2];
    uint8_t tier[2];
    fr_error err;
    assert_int_equal(model_rank(score, ids, 2, 0.1, 0.2, order, rank, tier, &err), FR_E_INTERNAL);
}

static void points_index(void **state)
{
    (void)state;
    static char n0[] = "fires_near_3y", n1[] = "owner_occupied", n2[] = "building_age";
    char *names[] = {n0, n1, n2};
    /* 3 parcels, column-major */
    double values[] = {
        0, 5, 50,     /* fires_near_3y: cap 10 */
        1, 0, NAN,    /* owner_occupied: inverted */
        NAN, 100, 30, /* building_age: cap 100 */
    };
    model_features f = {.nparcels = 3, .nfeatures = 3, .names = names, .values = values};
    model_points_term terms[] = {
        {"fires_near_3y", 2, 10, 0}, {"owner_occupied", 1, 1, 1}, {"building_age", 1, 100, 0}, {"no_such", 5, 1, 0}};
    model_points_result r;
    fr_error err;
    assert_int_equal(model_points_score(&f, terms, 4, &r, &err), FR_OK);
    assert_int_equal(r.nskipped, 1);
    assert_int_equal(r.skipped[0], 3);
    /* parcel 0: 0 + 0 (owner-occupied) + missing -> 0 */
    assert_true(fabs(r.score[0] - 0.0) < 1e-12);
    /* parcel 1: 2*0.5 + 1*1 + 1*1 = 3 of 4 */
    assert_true(fabs(r.score[1] - 0.75) < 1e-12);
    /* parcel 2: 2*1 (capped) + missing + 0.3 = 2.3 of 4 */
    assert_true(fabs(r.score[2] - 2.3 / 4) < 1e-12);
    /* reasons of parcel 2: fires first, then age; third empty */
    assert_int_equal(r.reason_feature[2 * MODEL_REASONS + 0], 0);
    assert_int_equal(r.reason_feature[2 * MODEL_REASONS + 1], 2);
    assert_int_equal(r.reason_feature[2 * MODEL_REASONS + 2], -1);
    /* parcel 1: equal contributions (1 each) of owner and age keep term order after fires (1) */
    assert_int_equal(r.reason_feature[1 * MODEL_REASONS + 0], 0);
    assert_int_equal(r.reason_feature[1 * MODEL_REASONS + 1], 1);
    assert_int_equal(r.reason_feature[1 * MODEL_REASONS + 2], 2);
    for (int i = 0; i < 3; i++)
        assert_true(r.score[i] >= 0 && r.score[i] <= 1);
    model_points_result_free(&r);
}

static void points_without_any_feature_fails(void **state)
{
    (void)state;
    static char x[] = "x";
    char *names[] = {x};
    double values[] = {1};
    model_features f = {.nparcels = 1, .nfeatures = 1, .names = names, .values = values};
    model_points_term terms[] = {{"y", 1, 1, 0}};
    model_points_result r;
    fr_error err;
    assert_int_equal(model_points_score(&f, terms, 1, &r, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "no usable term"));
}

/* The order of the scores alone (no tie keys, no ids): highest first,
 * equal scores by index. */
static const double *by_score_of;

static int by_score_then_index(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    double x = by_score_of[a], y = by_score_of[b];
    if (x != y)
        return x > y ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* The sort by score (a radix sort on the doubles' bits, rank.c) orders
 * every kind of double as the numbers compare: negatives, -0.0 equal to
 * 0.0 (their parcels by index), infinities, subnormals, scores that differ
 * in the last bit only or in the highest bits only; the same at 1, 2 and 3
 * threads, as a comparison sort of the same order gives. */
static void scores_of_every_kind_in_numeric_order(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *score = malloc(N * sizeof *score);
    size_t *order = malloc(N * sizeof *order), *expect = malloc(N * sizeof *expect);
    int32_t *rank = malloc(N * sizeof *rank);
    uint8_t *tier = malloc(N);
    assert_non_null(score && order && expect && rank && tier);
    const double special[] = {0.0, -0.0, INFINITY, -INFINITY, 4.9e-324, -4.9e-324, 1.0, nextafter(1.0, 2.0),
                              -1.0, nextafter(-1.0, -2.0), 1e300, -1e300, 2.2250738585072014e-308};
    const size_t nspecial = sizeof special / sizeof *special;
    uint64_t seed = 99;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        if (i % 7 == 0)
            score[i] = special[(seed >> 33) % nspecial];
        else if (i % 7 == 1) /* few values: long runs of equal scores */
            score[i] = (double)((seed >> 33) % 5) - 2.0;
        else
            score[i] = ldexp((double)(int64_t)(seed >> 11) - (double)(1ULL << 52), (int)((seed >> 3) % 40) - 20);
        expect[i] = i;
    }
    by_score_of = score;
    qsort(expect, N, sizeof *expect, by_score_then_index);
    int saved = omp_get_max_threads();
    const int threads[] = {1, 2, 3};
    fr_error err;
    for (int t = 0; t < 3; t++) {
        omp_set_num_threads(threads[t]);
        assert_int_equal(model_rank(score, NULL, N, 0.01, 0.1, order, rank, tier, &err), FR_OK);
        assert_memory_equal(order, expect, N * sizeof *order);
    }
    /* called where a parallel region gives it a team of one (nested):
     * the same order */
    omp_set_num_threads(2);
    fr_status nested = FR_E_INTERNAL;
#pragma omp parallel num_threads(2)
#pragma omp single
    nested = model_rank(score, NULL, N, 0.01, 0.1, order, rank, tier, &err);
    assert_int_equal(nested, FR_OK);
    assert_memory_equal(order, expect, N * sizeof *order);
    omp_set_num_threads(saved);
    /* one score only: every pass finds one digit and moves nothing */
    for (size_t i = 0; i < N; i++)
        score[i] = -3.5;
    assert_int_equal(model_rank(score, NULL, N, 0.01, 0.1, order, rank, tier, &err), FR_OK);
    for (size_t k = 0; k < N; k++)
        assert_int_equal(order[k], k);
    free(score);
    free(order);
    free(expect);
    free(rank);
    free(tier);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ties_broken_by_id),
        cmocka_unit_test(ties_broken_by_keys_then_id), cmocka_unit_test(same_order_at_any_thread_count),
        cmocka_unit_test(tied_runs_long_and_short_in_the_whole_order), cmocka_unit_test(nan_score_refused),
        cmocka_unit_test(points_index), cmocka_unit_test(points_without_any_feature_fails),
        cmocka_unit_test(scores_of_every_kind_in_numeric_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
