/*
 * test_box_tree.c — the packed R-tree of geo/index/box_tree.h answers every
 * query with exactly the items a scan of all envelopes finds (boundaries
 * included), and the same set GEOS' STRtree (which it replaced) gives:
 * for trees of 0 to 5,000 items, with points, duplicates, items without an
 * envelope, envelopes at UTM coordinates whose edges no float holds, and a
 * visit that stops the query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "box_tree.h"

typedef struct {
    int32_t *v;
    size_t n, cap;
} found_list;

static int collect(int32_t item, void *arg)
{
    found_list *f = arg;
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->v = realloc(f->v, f->cap * sizeof *f->v);
        assert_non_null(f->v);
    }
    f->v[f->n++] = item;
    return 0;
}

static void collect_geos(void *item, void *arg)
{
    (void)collect((int32_t)((uintptr_t)item - 1), arg);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void sort_found(found_list *f)
{
    if (f->n) /* an empty list has no array, and qsort's may not be NULL */
        qsort(f->v, f->n, sizeof *f->v, cmp_i32);
}

static uint64_t rng_state = 88172645463325252ULL;
static double rnd(void) /* xorshift64*, in [0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* The tree's answer, sorted, against a scan of every envelope. */
static void check_query(const geo_box_tree *t, const double *bbox, size_t n, double minx, double miny,
                        double maxx, double maxy)
{
    found_list got = {0};
    assert_int_equal(geo_box_tree_query(t, minx, miny, maxx, maxy, collect, &got), 0);
    sort_found(&got);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const double *b = &bbox[4 * i];
        int meets = b[0] <= maxx && b[2] >= minx && b[1] <= maxy && b[3] >= miny;
        if (!meets)
            continue;
        if (k >= got.n || got.v[k] != (int32_t)i)
            fail_msg("query [%.17g %.17g %.17g %.17g]: item %zu meets it but was not reported (or another was)",
                     minx, miny, maxx, maxy, i);
        k++;
    }
    if (k != got.n)
        fail_msg("query [%.17g %.17g %.17g %.17g]: %zu items reported, %zu meet it", minx, miny, maxx, maxy,
                 got.n, k);
    free(got.v);
}

/* n envelopes over a 10 km square at UTM coordinates: a third points, some
 * repeated, some without an envelope. */
static double *random_boxes(size_t n)
{
    double *bbox = malloc((4 * n + 1) * sizeof *bbox);
    assert_non_null(bbox);
    for (size_t i = 0; i < n; i++) {
        double *b = &bbox[4 * i];
        if (i % 37 == 5) {
            b[0] = b[1] = b[2] = b[3] = NAN;
            continue;
        }
        if (i % 11 == 3 && i > 0) {
            memcpy(b, &bbox[4 * (i - 1)], 4 * sizeof *b);
            continue;
        }
        double x = 500000.0 + 10000.0 * rnd(), y = 3700000.0 + 10000.0 * rnd();
        double w = i % 3 == 0 ? 0.0 : 40.0 * rnd(), h = i % 3 == 0 ? 0.0 : 40.0 * rnd();
        b[0] = x;
        b[1] = y;
        b[2] = x + w;
        b[3] = y + h;
    }
    return bbox;
}

static void test_every_size_matches_a_scan(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 15, 16, 17, 255, 256, 257, 5000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        double *bbox = random_boxes(n);
        geo_box_tree *t = NULL;
        fr_error err;
        assert_int_equal(geo_box_tree_build(bbox, n, &t, &err), FR_OK);
        for (int q = 0; q < 400; q++) {
            double x = 500000.0 + 10000.0 * rnd(), y = 3700000.0 + 10000.0 * rnd();
            double r = q % 4 == 0 ? 0.0 : 200.0 * rnd();
            check_query(t, bbox, n, x - r, y - r, x + r, y + r);
            const double *b = n > 0 ? &bbox[4 * ((size_t)q % n)] : NULL;
            if (b && !isnan(b[0])) { /* an item's own corners, exactly */
                check_query(t, bbox, n, b[2], b[3], b[2], b[3]);
                check_query(t, bbox, n, b[0], b[1], b[0], b[1]);
            }
        }
        check_query(t, bbox, n, -INFINITY, -INFINITY, INFINITY, INFINITY);
        check_query(t, bbox, n, NAN, 3700000.0, 510000.0, 3710000.0);
        geo_box_tree_free(t);
        free(bbox);
    }
}

/* Edges at coordinates no float holds (x.1 m at 500 km): a query touching
 * an edge from outside finds the item, one a nanometre off does not. */
static void test_edges_between_floats(void **state)
{
    (void)state;
    enum { N = 64 };
    double bbox[4 * N];
    for (size_t i = 0; i < N; i++) {
        double x = 500000.1 + 7.3 * (double)i, y = 3712345.7 + 3.1 * (double)i;
        bbox[4 * i] = x;
        bbox[4 * i + 1] = y;
        bbox[4 * i + 2] = x + 0.3;
        bbox[4 * i + 3] = y + 0.3;
    }
    geo_box_tree *t = NULL;
    fr_error err;
    assert_int_equal(geo_box_tree_build(bbox, N, &t, &err), FR_OK);
    for (size_t i = 0; i < N; i++) {
        const double *b = &bbox[4 * i];
        double right = b[2], left = b[0], top = b[3], bottom = b[1], midy = 0.5 * (b[1] + b[3]);
        check_query(t, bbox, N, right, midy, right + 1.0, midy);           /* touches the right edge */
        check_query(t, bbox, N, nextafter(right, INFINITY), midy, right + 1.0, midy); /* just beyond */
        check_query(t, bbox, N, left - 1.0, midy, left, midy);
        check_query(t, bbox, N, left - 1.0, midy, nextafter(left, -INFINITY), midy);
        check_query(t, bbox, N, left, top, left, top);
        check_query(t, bbox, N, left, nextafter(top, INFINITY), left, top + 1.0);
        check_query(t, bbox, N, left, bottom - 1.0, left, nextafter(bottom, -INFINITY));
        found_list got = {0};
        geo_box_tree_query(t, right, midy, right, midy, collect, &got);
        assert_true(got.n >= 1);
        free(got.v);
    }
    geo_box_tree_free(t);
}

/* The items GEOS' STRtree gave the joins before, for the same queries. */
static void test_same_items_as_geos_strtree(void **state)
{
    (void)state;
    size_t n = 3000;
    double *bbox = random_boxes(n);
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSSTRtree *g = GEOSSTRtree_create_r(h, 10);
    for (size_t i = 0; i < n; i++) {
        const double *b = &bbox[4 * i];
        if (isnan(b[0]))
            continue;
        GEOSGeometry *env = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
        GEOSSTRtree_insert_r(h, g, env, (void *)(uintptr_t)(i + 1));
        GEOSGeom_destroy_r(h, env);
    }
    geo_box_tree *t = NULL;
    fr_error err;
    assert_int_equal(geo_box_tree_build(bbox, n, &t, &err), FR_OK);
    for (int q = 0; q < 500; q++) {
        double x = 500000.0 + 10000.0 * rnd(), y = 3700000.0 + 10000.0 * rnd(), r = q % 2 ? 0.0 : 60.0 * rnd();
        if (q % 5 == 0 && !isnan(bbox[4 * (size_t)q])) { /* on an item's corner */
            x = bbox[4 * (size_t)q + 2];
            y = bbox[4 * (size_t)q + 1];
        }
        GEOSGeometry *probe = r == 0.0 ? GEOSGeom_createPointFromXY_r(h, x, y)
                                       : GEOSGeom_createRectangle_r(h, x - r, y - r, x + r, y + r);
        found_list want = {0}, got = {0};
        GEOSSTRtree_query_r(h, g, probe, collect_geos, &want);
        GEOSGeom_destroy_r(h, probe);
        geo_box_tree_query(t, x - r, y - r, x + r, y + r, collect, &got);
        sort_found(&want);
        sort_found(&got);
        assert_int_equal(got.n, want.n);
        for (size_t k = 0; k < got.n; k++)
            assert_int_equal(got.v[k], want.v[k]);
        free(want.v);
        free(got.v);
    }
    geo_box_tree_free(t);
    GEOSSTRtree_destroy_r(h, g);
    GEOS_finish_r(h);
    free(bbox);
}

static int stop_at_first(int32_t item, void *arg)
{
    (*(int *)arg)++;
    (void)item;
    return 1;
}

static void test_a_visit_stops_the_query(void **state)
{
    (void)state;
    size_t n = 1000;
    double *bbox = random_boxes(n);
    geo_box_tree *t = NULL;
    fr_error err;
    assert_int_equal(geo_box_tree_build(bbox, n, &t, &err), FR_OK);
    int visits = 0;
    assert_int_equal(geo_box_tree_query(t, -INFINITY, -INFINITY, INFINITY, INFINITY, stop_at_first, &visits), 1);
    assert_int_equal(visits, 1);
    visits = 0; /* nothing there: no visit, no stop */
    assert_int_equal(geo_box_tree_query(t, 0.0, 0.0, 1.0, 1.0, stop_at_first, &visits), 0);
    assert_int_equal(visits, 0);
    geo_box_tree_free(t);
    free(bbox);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_size_matches_a_scan),
        cmocka_unit_test(test_edges_between_floats),
        cmocka_unit_test(test_same_items_as_geos_strtree),
        cmocka_unit_test(test_a_visit_stops_the_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
