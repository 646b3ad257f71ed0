/*
 * test_effect.c — the comparison of visited and unvisited homes: deciles by
 * rank, matching within strata (only a stratum holding both counts, and
 * another stratum's homes do not move it), the estimate's arithmetic, the
 * percentile interval, and a bootstrap that is deterministic at any thread
 * count and covers its estimate.
 */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "effect.h"

static void deciles_by_rank(void **state)
{
    (void)state;
    double s[20];
    for (int i = 0; i < 20; i++)
        s[i] = i; /* i = 19 is the highest */
    s[3] = NAN;   /* ranks lowest */
    s[7] = 12.0;  /* ties with 12: the lower index first */
    uint8_t d[20];
    fr_error err = {0};
    assert_int_equal(model_deciles(s, 20, d, &err), FR_OK);
    int count[10] = {0};
    for (int i = 0; i < 20; i++)
        count[d[i]]++;
    for (int k = 0; k < 10; k++)
        assert_int_equal(count[k], 2);
    assert_int_equal(d[19], 9);
    assert_int_equal(d[18], 9);
    assert_int_equal(d[3], 0);
    assert_int_equal(d[0], 0);
    /* the two 12s rank 8th and 9th from the top, index 7 first: the cut
     * between deciles 6 and 5 passes between them (deciles of equal size) */
    assert_int_equal(d[7], 6);
    assert_int_equal(d[12], 5);
}

static void percentile_interval(void **state)
{
    (void)state;
    double v[1001];
    for (int i = 0; i < 1000; i++)
        v[i] = 999 - i; /* any order */
    v[1000] = NAN;      /* left out */
    double lo, hi;
    model_percentile_interval(v, 1001, &lo, &hi);
    assert_true(fabs(lo - 24.975) < 1e-9); /* (n - 1) x 0.025 = 24.975 */
    assert_true(fabs(hi - 974.025) < 1e-9);
    double one[1] = {5};
    model_percentile_interval(one, 1, &lo, &hi);
    assert_true(lo == 5 && hi == 5);
    double none[1] = {NAN};
    model_percentile_interval(none, 1, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

/* Stratum 1: 100 visited homes with 2 fires (one home with 2), 1000 unvisited
 * with 40 fires; stratum 2: 50 visited, no unvisited (unmatched); stratum 3:
 * 5000 unvisited without fires (only the naive comparison sees them). */
static size_t make_units(model_effect_unit *u)
{
    size_t k = 0;
    u[k++] = (model_effect_unit){.stratum = 1, .treated = 1, .homes = 1, .fires = 2, .fires_before = 1};
    u[k++] = (model_effect_unit){.stratum = 1, .treated = 1, .homes = 99, .fires = 0, .fires_before = 0};
    for (int i = 0; i < 40; i++)
        u[k++] = (model_effect_unit){.stratum = 1, .homes = 1, .fires = 1};
    u[k++] = (model_effect_unit){.stratum = 1, .homes = 960};
    u[k++] = (model_effect_unit){.stratum = 2, .treated = 1, .homes = 50, .fires = 1};
    u[k++] = (model_effect_unit){.stratum = 3, .homes = 5000};
    return k;
}

static void matched_within_strata(void **state)
{
    (void)state;
    model_effect_unit u[64];
    size_t n = make_units(u);
    model_effect fx;
    fr_error err = {0};
    assert_int_equal(model_effect_estimate(u, n, 400, 7, &fx, &err), FR_OK);
    assert_int_equal(fx.treated, 150);
    assert_int_equal(fx.treated_matched, 100);
    assert_int_equal(fx.controls, 6000);
    assert_int_equal(fx.controls_matched, 1000);
    assert_int_equal(fx.strata_matched, 1);
    assert_true(fabs(fx.rate_treated.estimate - 20.0) < 1e-9); /* 2 fires / 100 homes */
    assert_true(fabs(fx.rate_control.estimate - 40.0) < 1e-9); /* 40 / 1000, stratum 3 left out */
    assert_true(fabs(fx.difference.estimate + 20.0) < 1e-9);
    assert_true(fabs(fx.ratio.estimate - 0.5) < 1e-9);
    assert_true(fabs(fx.reduction.estimate - 0.5) < 1e-9);
    assert_true(fabs(fx.prevented.estimate - 2.0) < 1e-9);     /* expected 4, seen 2 */
    assert_true(fabs(fx.rate_before - 10.0) < 1e-9);
    /* naive: 52 fires over 150 visited, 40 over 6000 unvisited */
    assert_true(fabs(fx.naive_rate_treated - 1000.0 * 52 / 150) < 1e-9);
    assert_true(fabs(fx.naive_rate_control - 1000.0 * 40 / 6000) < 1e-9);
    /* the intervals hold their estimates */
    const model_interval *iv[] = {&fx.rate_treated, &fx.rate_control, &fx.difference, &fx.ratio, &fx.prevented};
    for (size_t k = 0; k < 5; k++)
        assert_true(iv[k]->lo < iv[k]->estimate && iv[k]->estimate < iv[k]->hi);
}

static void bootstrap_deterministic_at_any_thread_count(void **state)
{
    (void)state;
    model_effect_unit u[64];
    size_t n = make_units(u);
    model_effect a, b, c;
    fr_error err = {0};
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    assert_int_equal(model_effect_estimate(u, n, 300, 11, &a, &err), FR_OK);
    omp_set_num_threads(3);
    assert_int_equal(model_effect_estimate(u, n, 300, 11, &b, &err), FR_OK);
    /* the input order does not matter either */
    model_effect_unit r[64];
    for (size_t k = 0; k < n; k++)
        r[k] = u[n - 1 - k];
    assert_int_equal(model_effect_estimate(r, n, 300, 11, &c, &err), FR_OK);
    omp_set_num_threads(threads);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    /* another seed, other intervals, the same estimates */
    assert_int_equal(model_effect_estimate(u, n, 300, 12, &c, &err), FR_OK);
    assert_true(c.ratio.estimate == a.ratio.estimate);
    assert_true(c.ratio.lo != a.ratio.lo || c.ratio.hi != a.ratio.hi);
}

static void no_matched_stratum_is_an_input_error(void **state)
{
    (void)state;
    model_effect_unit u[2] = {{.stratum = 1, .treated = 1, .homes = 3, .fires = 1}, {.stratum = 2, .homes = 9}};
    model_effect fx;
    fr_error err = {0};
    assert_int_equal(model_effect_estimate(u, 2, 50, 1, &fx, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "comparable"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deciles_by_rank),
        cmocka_unit_test(percentile_interval),
        cmocka_unit_test(matched_within_strata),
        cmocka_unit_test(bootstrap_deterministic_at_any_thread_count),
        cmocka_unit_test(no_matched_stratum_is_an_input_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
