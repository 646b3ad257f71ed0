/*
 * test_select.c — fr_select_double gives at every index what a sort puts
 * there: random values, many duplicates, all equal, sorted, reversed,
 * organ pipe, and an adversary for median-of-three.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "select.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* v[0..n): every k of a few, against the sorted copy. */
static void check(const double *v, size_t n, const char *what)
{
    double *sorted = malloc(n * sizeof *sorted), *work = malloc(n * sizeof *work);
    assert_non_null(sorted);
    assert_non_null(work);
    memcpy(sorted, v, n * sizeof *v);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    size_t ks[] = {0, n / 4, (n - 1) / 2, n / 2, n - 1};
    for (size_t j = 0; j < sizeof ks / sizeof *ks; j++) {
        memcpy(work, v, n * sizeof *v);
        double got = fr_select_double(work, n, ks[j]);
        if (got != sorted[ks[j]])
            fail_msg("%s, n %zu, k %zu: %g, sorted %g", what, n, ks[j], got, sorted[ks[j]]);
    }
    free(sorted);
    free(work);
}

static void agrees_with_sort(void **state)
{
    (void)state;
    uint64_t s = 7;
    for (size_t n = 1; n <= 200000; n = n < 20 ? n + 1 : n * 3) {
        double *v = malloc(n * sizeof *v);
        assert_non_null(v);
        for (size_t i = 0; i < n; i++)
            v[i] = (double)(next(&s) % 1000000) / 7.0;
        check(v, n, "random");
        for (size_t i = 0; i < n; i++)
            v[i] = (double)(next(&s) % 3); /* homes geocoded to three points */
        check(v, n, "three values");
        for (size_t i = 0; i < n; i++)
            v[i] = 447123.25;
        check(v, n, "all equal");
        for (size_t i = 0; i < n; i++)
            v[i] = (double)i;
        check(v, n, "sorted");
        for (size_t i = 0; i < n; i++)
            v[i] = (double)(n - i);
        check(v, n, "reversed");
        for (size_t i = 0; i < n; i++)
            v[i] = (double)(i < n / 2 ? i : n - i);
        check(v, n, "organ pipe");
        free(v);
    }
}

/* A median-of-three killer (after Musser): pivots near the smallest, ranges
 * that shrink slowly; the round budget bounds the time, the answer is the
 * sort's. */
static void adversary(void **state)
{
    (void)state;
    size_t n = 100000;
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    size_t half = n / 2;
    for (size_t i = 0; i < half; i++) {
        v[i] = (i % 2 == 0) ? (double)(i + 1) : (double)(half + i + (half % 2 ? 0 : 1));
        v[half + i] = (double)(2 * (i + 1));
    }
    check(v, n, "median-of-three killer");
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agrees_with_sort),
        cmocka_unit_test(adversary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
