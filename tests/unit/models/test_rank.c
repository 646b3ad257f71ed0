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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ties_broken_by_id),
        cmocka_unit_test(ties_broken_by_keys_then_id), cmocka_unit_test(same_order_at_any_thread_count),
        cmocka_unit_test(nan_score_refused),
        cmocka_unit_test(points_index), cmocka_unit_test(points_without_any_feature_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
