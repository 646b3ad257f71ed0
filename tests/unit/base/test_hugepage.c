/*
 * test_hugepage.c — fr_hugepages is a hint: the values of the range (and
 * of the memory around it) are those written before, whether or not the
 * kernel moved the range onto huge pages; ranges smaller than a huge page,
 * unaligned ones and NULL do nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(values_unchanged)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
