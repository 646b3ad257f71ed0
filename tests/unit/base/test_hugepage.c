/*
 * test_hugepage.c — fr_hugepages is a hint: the values of the range (and
 * of the memory around it) are those written before, whether or not the
 * kernel moved the range onto huge pages; ranges smaller than a huge page,
 * unaligned ones and NULL do nothing; fr_fill_on_every_thread sets exactly
 * the bytes asked, at any size and thread count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "hugepage.h"

static void values_unchanged(void **state)
{
    (void)state;
    enum { N = (9 << 20) / 8 }; /* 9 MB of doubles: several whole huge pages, unaligned ends */
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < N; i++)
        v[i] = (double)i * 0.5 - 7;
    fr_hugepages(v + 3, (N - 5) * sizeof *v);
    fr_hugepages(v, N * sizeof *v); /* again: already done or refused, still a no-op for the values */
    for (size_t i = 0; i < N; i++)
        if (v[i] != (double)i * 0.5 - 7)
            fail_msg("value %zu changed", i);
    fr_hugepages(NULL, 1 << 22);
    fr_hugepages(v, 100);
    fr_hugepages(v, 0);
    assert_true(v[N - 1] == (double)(N - 1) * 0.5 - 7);
    free(v);
}

static void fill_sets_exactly_the_range(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, (2u << 20) - 1, 2u << 20, (2u << 20) + 1, (5u << 20) + 3};
    for (int threads = 1; threads <= 3; threads++) {
        omp_set_num_threads(threads);
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k];
            unsigned char *v = malloc(n + 64);
            assert_non_null(v);
            memset(v, 0x5a, n + 64);
            fr_fill_on_every_thread(v + 32, 0xff, n);
            for (size_t i = 0; i < n + 64; i++) {
                unsigned char want = i >= 32 && i < 32 + n ? 0xff : 0x5a;
                if (v[i] != want)
                    fail_msg("%d threads, %zu bytes: byte %zu is %#x, not %#x", threads, n, i, v[i], want);
            }
            free(v);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(values_unchanged),
                                       cmocka_unit_test(fill_sets_exactly_the_range)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
