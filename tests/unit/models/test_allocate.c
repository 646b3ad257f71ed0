/*
 * test_allocate.c — proportional allocation of the target list: quotas by
 * largest remainder (they sum to the list, round as Hamilton's method does,
 * and give nothing to an area without risk), and the list filled by rank
 * inside each area.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "allocate.h"

static void quotas_sum_to_the_list(void **state)
{
    (void)state;
    double w[] = {0.31, 0.17, 0.02, 0.5, 0.0, 1e-9};
    for (size_t total = 0; total < 200; total++) {
        size_t q[6], sum = 0;
        model_allocate_largest_remainder(w, 6, total, q);
        for (int g = 0; g < 6; g++)
            sum += q[g];
        assert_int_equal(sum, total);
        assert_int_equal(q[4], 0); /* no risk, no share */
        double all = 0.31 + 0.17 + 0.02 + 0.5 + 1e-9;
        for (int g = 0; g < 6; g++) /* each within one of its exact share */
            assert_true(fabs((double)q[g] - (double)total * w[g] / all) < 1.0);
    }
}

static void largest_remainders_get_the_extra_seats(void **state)
{
    (void)state;
    /* 10 seats over 0.45 / 0.35 / 0.20: exact 4.5, 3.5, 2.0; floors 4, 3, 2
     * leave one seat; remainders tie at 0.5, the larger weight wins. */
    double w[] = {0.35, 0.45, 0.20};
    size_t q[3];
    model_allocate_largest_remainder(w, 3, 10, q);
    assert_int_equal(q[0], 3);
    assert_int_equal(q[1], 5);
    assert_int_equal(q[2], 2);
    /* 7 seats over 1/3 each: 2.33 each, one extra to the first (lowest index) */
    double e[] = {1, 1, 1};
    model_allocate_largest_remainder(e, 3, 7, q);
    assert_int_equal(q[0], 3);
    assert_int_equal(q[1], 2);
    assert_int_equal(q[2], 2);
    /* no area has risk: nobody gets a quota */
    double z[] = {0, 0, NAN};
    model_allocate_largest_remainder(z, 3, 5, q);
    assert_int_equal(q[0] + q[1] + q[2], 0);
}

static void list_filled_by_rank_inside_each_area(void **state)
{
    (void)state;
    /* 8 parcels in rank order 0..7; areas: 0 0 0 0 1 1 2 -1; area 2 has no
     * risk (score 0); parcel 1 is held back. */
    size_t order[] = {0, 1, 2, 3, 4, 5, 6, 7};
    double score[] = {0.3, 0.3, 0.2, 0.2, 0.3, 0.3, 0.0, 0.4};
    int32_t group[] = {0, 0, 0, 0, 1, 1, 2, -1};
    uint8_t held[] = {0, 1, 0, 0, 0, 0, 0, 0};
    size_t out[8], nout = 0, quota[4];
    fr_error err = {0};
    /* risk: area 0 = 1.0, area 1 = 0.6, area 2 = 0, none = 0.4 of 2.0; 5 rows
     * -> 2.5, 1.5, 0, 1.0 -> floors 2, 1, 0, 1, the seat to area 0 (tie,
     * larger weight) */
    assert_int_equal(model_allocate_proportional(order, 8, 5, score, group, 3, held, out, &nout, quota, &err), FR_OK);
    assert_int_equal(quota[0], 3);
    assert_int_equal(quota[1], 1);
    assert_int_equal(quota[2], 0);
    assert_int_equal(quota[3], 1);
    assert_int_equal(nout, 5);
    size_t expect[] = {0, 2, 3, 4, 7}; /* rank order; 1 held back, 5 beyond area 1's quota */
    for (int k = 0; k < 5; k++)
        assert_int_equal(out[k], expect[k]);
    /* a list longer than the quotas can fill takes the next due homes by rank */
    assert_int_equal(model_allocate_proportional(order, 8, 7, score, group, 3, held, out, &nout, NULL, &err), FR_OK);
    assert_int_equal(nout, 7);
    for (int k = 0; k < 7; k++)
        assert_int_not_equal(out[k], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quotas_sum_to_the_list),
        cmocka_unit_test(largest_remainders_get_the_extra_seats),
        cmocka_unit_test(list_filled_by_rank_inside_each_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
