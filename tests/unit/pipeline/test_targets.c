/*
 * test_targets.c — the target list's rows (pipeline/report/targets.h): the first
 * N by rank, and at most so many per zone label with a capacity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "targets.h"
#include "zone_lists.h"

/* 8 parcels, rank order 7,6,...,0.  Zone features: 0 "A", 1 "B", 2 "A"
 * (a second polygon of A), 3 without a label. */
static const size_t order[8] = {7, 6, 5, 4, 3, 2, 1, 0};
static const int32_t zone_of[8] = {0, 1, 2, 3, -1, 0, 1, 2};
static const char *const labels[4] = {"A", "B", "A", NULL};

static void test_no_capacity(void **state)
{
    (void)state;
    size_t out[8], n;
    fr_error err;
    assert_int_equal(fr_targets_select(order, 8, 3, NULL, NULL, out, &n, &err), FR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 7);
    assert_int_equal(out[2], 5);
    assert_int_equal(fr_targets_select(order, 8, 100, NULL, NULL, out, &n, &err), FR_OK);
    assert_int_equal(n, 8); /* min(N, parcels) */
}

static void test_capacity_per_label(void **state)
{
    (void)state;
    /* A: at most 2 (shared by features 0 and 2); others (B, no zone): 1. */
    const char *const ll[1] = {"A"};
    const long lim[1] = {2};
    fr_capacity cap = {.zone_of = zone_of, .zone_label = labels, .nzone_features = 4, .default_limit = 1,
                       .limit_label = ll, .limit = lim, .nlimits = 1};
    size_t out[8], n;
    fr_error err;
    assert_int_equal(fr_targets_select(order, 8, 8, NULL, &cap, out, &n, &err), FR_OK);
    /* rank order: 7(A) 6(B) 5(A) 4(none) 3(none: feature 3 has no label) 2(A) 1(B) 0(A) */
    assert_int_equal(n, 4);
    assert_int_equal(out[0], 7);
    assert_int_equal(out[1], 6);
    assert_int_equal(out[2], 5);
    assert_int_equal(out[3], 4);
    /* max_rows still stops the walk */
    assert_int_equal(fr_targets_select(order, 8, 2, NULL, &cap, out, &n, &err), FR_OK);
    assert_int_equal(n, 2);
}

static void test_zero_and_unlimited(void **state)
{
    (void)state;
    const char *const ll[2] = {"A", "B"};
    const long lim[2] = {0, FR_NO_LIMIT};
    fr_capacity cap = {.zone_of = zone_of, .zone_label = labels, .nzone_features = 4,
                       .default_limit = FR_NO_LIMIT, .limit_label = ll, .limit = lim, .nlimits = 2};
    size_t out[8], n;
    fr_error err;
    assert_int_equal(fr_targets_select(order, 8, 8, NULL, &cap, out, &n, &err), FR_OK);
    assert_int_equal(n, 4); /* every A parcel left out */
    for (size_t k = 0; k < n; k++)
        assert_true(zone_of[out[k]] < 0 || labels[zone_of[out[k]]] == NULL || labels[zone_of[out[k]]][0] == 'B');
}

/* Held-back parcels (visited within their window) are passed over, with
 * or without a capacity: the list fills from further down the ranking,
 * and a held-back parcel does not use its zone's capacity. */
static void test_held_back_fills_from_below(void **state)
{
    (void)state;
    const uint8_t held[8] = {0, 0, 0, 0, 0, 1, 0, 1}; /* parcels 7 (rank 1) and 5 (rank 3) */
    size_t out[8], n;
    fr_error err;
    assert_int_equal(fr_targets_select(order, 8, 3, held, NULL, out, &n, &err), FR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 6);
    assert_int_equal(out[1], 4);
    assert_int_equal(out[2], 3);
    /* limit 1 per label: A (7 and 5 held) gets 2, B gets 6, no zone (4, 3) gets 4 */
    fr_capacity cap = {.zone_of = zone_of, .zone_label = labels, .nzone_features = 4, .default_limit = 1};
    assert_int_equal(fr_targets_select(order, 8, 8, held, &cap, out, &n, &err), FR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 6);
    assert_int_equal(out[1], 4);
    assert_int_equal(out[2], 2);
}

/* Per zone: features with one label merged (A = features 0 and 2), no
 * zone last; the list sorted by label, list order within. */
static void test_zone_counts_and_rows(void **state)
{
    (void)state;
    fr_zone_layer z = {"district", zone_of, labels, 4};
    const uint8_t tier[8] = {0, 0, 1, 2, 2, 0, 1, 2};
    const int32_t list_rank[8] = {0, 3, 0, 0, 2, 0, 1, 0};
    const uint8_t held[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    fr_zone_count *c;
    size_t nc;
    fr_error err;
    assert_int_equal(fr_zone_counts(&z, 8, tier, list_rank, held, &c, &nc, &err), FR_OK);
    assert_int_equal(nc, 3);
    assert_string_equal(c[0].label, "A"); /* parcels 0, 2, 5, 7 */
    assert_int_equal(c[0].parcels, 4);
    assert_int_equal(c[0].high, 2);
    assert_int_equal(c[0].targets, 0);
    assert_int_equal(c[0].held_back, 1);
    assert_string_equal(c[1].label, "B"); /* parcels 1, 6 */
    assert_int_equal(c[1].targets, 2);
    assert_null(c[2].label); /* parcels 3 (unlabelled zone) and 4 (no zone) */
    assert_int_equal(c[2].parcels, 2);
    assert_int_equal(c[2].targets, 1);
    free(c);
    const size_t rows[3] = {6, 4, 1}; /* list order */
    size_t sorted[3];
    double zone_row[8];
    assert_int_equal(fr_zone_sort_rows(&z, rows, 3, sorted, zone_row, &err), FR_OK);
    assert_int_equal(sorted[0], 6); /* B: 6 then 1 */
    assert_int_equal(sorted[1], 1);
    assert_int_equal(sorted[2], 4); /* no zone last */
    assert_true(zone_row[6] == 1 && zone_row[1] == 2 && zone_row[4] == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_capacity),
        cmocka_unit_test(test_capacity_per_label),
        cmocka_unit_test(test_zero_and_unlimited),
        cmocka_unit_test(test_held_back_fills_from_below),
        cmocka_unit_test(test_zone_counts_and_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
