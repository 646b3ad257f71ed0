/*
 * test_study_area.c — the study area's passes over every feature, run on
 * every thread, give what one pass in feature order gives: the median
 * centre (features without geometry and non-finite centres left out), and
 * the features removed and rejected, in feature order, by the square's
 * filter, at 1, 2, 3 and 7 threads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "layer.h"
#include "study_area.h"

enum { N = 20011 }; /* not a multiple of the gather's 64 parts */

/* A point layer of N records: every 13th without geometry, every 101st far
 * away (1e6 off), every 997th at an infinite x; the rest scattered by a
 * fixed generator around (5000, 7000). */
static geo_layer *scattered(void)
{
    geo_layer *l = geo_layer_new("incidents", "test", NULL, GEO_GEOM_POINT);
    assert_non_null(l);
    fr_error err;
    uint64_t s = 88172645463325252ull;
    for (size_t k = 0; k < N; k++) {
        size_t i;
        assert_int_equal(geo_layer_add_feature(l, (int64_t)k + 1, &i, &err), FR_OK);
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double x = 5000.0 + (double)(s % 100000) / 10.0, y = 7000.0 + (double)((s >> 20) % 100000) / 10.0;
        if (k % 13 == 0)
            continue; /* no geometry: the envelope stays NaN */
        if (k % 101 == 0)
            x += 1e6;
        if (k % 997 == 0)
            x = INFINITY;
        geo_layer_set_point(l, x, y);
    }
    return l;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The lower median of the finite centres, by sorting them in order. */
static void expected_centre(const geo_layer *l, double *cx, double *cy)
{
    double *xs = malloc(l->count * sizeof *xs), *ys = malloc(l->count * sizeof *ys);
    assert_non_null(xs);
    assert_non_null(ys);
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        const double *b = &l->bbox[4 * i];
        double x = (b[0] + b[2]) / 2, y = (b[1] + b[3]) / 2;
        if (isfinite(x) && isfinite(y))
            xs[n] = x, ys[n++] = y;
    }
    assert_true(n > 0);
    qsort(xs, n, sizeof *xs, by_value);
    qsort(ys, n, sizeof *ys, by_value);
    *cx = xs[(n - 1) / 2];
    *cy = ys[(n - 1) / 2];
    free(xs);
    free(ys);
}

static void median_centre_at_any_thread_count(void **state)
{
    (void)state;
    geo_layer *l = scattered();
    double ex, ey;
    expected_centre(l, &ex, &ey);
    static const int threads[] = {1, 2, 3, 7};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        omp_set_num_threads(threads[t]);
        double cx, cy;
        fr_error err;
        assert_int_equal(geo_median_centre(l, &cx, &cy, &err), FR_OK);
        assert_true(cx == ex);
        assert_true(cy == ey);
    }
    geo_layer_free(l);
}

/* The square around the centre: the far points and the infinite ones go,
 * in feature order; those without geometry stay. */
static void filter_removes_in_feature_order(void **state)
{
    (void)state;
    static const int threads[] = {1, 2, 3, 7};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        omp_set_num_threads(threads[t]);
        geo_layer *l = scattered();
        geo_rejects rejects = {0};
        size_t removed = 0;
        fr_error err;
        assert_int_equal(geo_study_area_filter(l, 10000.0, 12000.0, 20000.0, 20000.0, 20.0, &rejects, &removed, &err),
                         FR_OK);
        size_t want = 0, r = 0;
        for (size_t k = 0; k < N; k++) {
            int gone = k % 13 != 0 && (k % 101 == 0 || k % 997 == 0);
            if (!gone)
                continue;
            want++;
            assert_true(r < rejects.count);
            assert_int_equal(rejects.items[r].fid, (int64_t)k + 1);
            assert_string_equal(rejects.items[r].reason, "outside_study_area");
            r++;
        }
        assert_int_equal(removed, want);
        assert_int_equal(rejects.count, want);
        assert_int_equal(l->count, N - want);
        for (size_t i = 0; i < l->count; i++) /* the kept ones, in order, none far */
            assert_true(isnan(l->bbox[4 * i]) || l->bbox[4 * i] < 30000.0);
        geo_rejects_clear(&rejects);
        geo_layer_free(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(median_centre_at_any_thread_count),
        cmocka_unit_test(filter_removes_in_feature_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
