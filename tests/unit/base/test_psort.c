/*
 * test_psort.c — the parallel sort gives qsort's one result at any thread
 * count (the determinism rule of docs/DEVELOPING.md), on sizes around the
 * split points, for items of several widths (a run's own merge sort up to
 * 256 bytes, qsort above), and leaves an empty or one-item array alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

typedef struct {
    int key;      /* many equal keys ... */
    uint32_t idx; /* ... made a total order by the index */
} item;

static int cmp_item(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void same_as_qsort_at_any_thread_count(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 2, 3, 7, 64, 1000, 4097, 65536, 65537, 100003};
    const int threads[] = {1, 2, 3, 5};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        item *want = malloc((n ? n : 1) * sizeof *want), *got = malloc((n ? n : 1) * sizeof *got);
        assert_non_null(want);
        assert_non_null(got);
        uint32_t r = 12345;
        for (size_t i = 0; i < n; i++) {
            r = r * 1103515245u + 12345u;
            want[i] = (item){.key = (int)(r >> 16) % 50, .idx = (uint32_t)i};
        }
        item *input = malloc((n ? n : 1) * sizeof *input);
        assert_non_null(input);
        memcpy(input, want, n * sizeof *want);
        qsort(want, n, sizeof *want, cmp_item);
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            omp_set_num_threads(threads[t]);
            memcpy(got, input, n * sizeof *got);
            fr_error err = {0};
            assert_int_equal(fr_sort_parallel(got, n, sizeof *got, cmp_item, &err), FR_OK);
            assert_memory_equal(got, want, n * sizeof *got);
        }
        free(input);
        free(want);
        free(got);
    }
}

/* An item of `width` bytes: a key of few values and the index first, a
 * filler after that must travel with them. */
static int cmp_wide(const void *a, const void *b)
{
    uint32_t x[2], y[2];
    memcpy(x, a, sizeof x);
    memcpy(y, b, sizeof y);
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static void wide_items_same_as_qsort(void **state)
{
    (void)state;
    const size_t widths[] = {12, 56, 256, 264};
    const size_t n = 70001;
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
        size_t width = widths[w];
        unsigned char *input = malloc(n * width), *want = malloc(n * width), *got = malloc(n * width);
        assert_non_null(input && want && got);
        uint32_t r = 777;
        for (size_t i = 0; i < n; i++) {
            r = r * 1103515245u + 12345u;
            uint32_t head[2] = {(r >> 16) % 300, (uint32_t)i};
            memcpy(input + i * width, head, sizeof head);
            memset(input + i * width + sizeof head, (int)(i & 0xff), width - sizeof head);
        }
        memcpy(want, input, n * width);
        qsort(want, n, width, cmp_wide);
        const int threads[] = {1, 2, 3};
        for (size_t t = 0; t < 3; t++) {
            omp_set_num_threads(threads[t]);
            memcpy(got, input, n * width);
            fr_error err = {0};
            assert_int_equal(fr_sort_parallel(got, n, width, cmp_wide, &err), FR_OK);
            assert_memory_equal(got, want, n * width);
        }
        free(input);
        free(want);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_qsort_at_any_thread_count),
        cmocka_unit_test(wide_items_same_as_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
