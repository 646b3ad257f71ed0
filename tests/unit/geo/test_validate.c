/*
 * test_validate.c — GEOS validity and MakeValid repair of a polygon layer:
 * a bow-tie becomes its two triangles, valid polygons are untouched, a
 * degenerate ring is removed and rejected, and the result is the same with
 * 1 and 2 threads.
 */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "validate.h"

static void add_poly(geo_layer *l, int64_t fid, const double *xy, size_t n)
{
    double xs[16], ys[16];
    for (size_t k = 0; k < n; k++) {
        xs[k] = xy[2 * k];
        ys[k] = xy[2 * k + 1];
    }
    fr_error err;
    assert_int_equal(geo_layer_add_feature(l, fid, NULL, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(l, xs, ys, n, 1, &err), FR_OK);
}

static geo_layer *make_layer(void)
{
    geo_layer *l = geo_layer_new("parcels", "test.gpkg", "parcels", GEO_GEOM_POLYGON);
    fr_error err;
    size_t col;
    assert_int_equal(geo_layer_add_column(l, "parcel_id", NULL, GEO_COL_STRING, &col, &err), FR_OK);
    const double square[] = {0, 0, 10, 0, 10, 10, 0, 10};
    const double bowtie[] = {20, 0, 30, 10, 30, 0, 20, 10};
    const double sliver[] = {40, 0, 50, 0, 40, 0};
    const double square2[] = {60, 0, 70, 0, 70, 10, 60, 10};
    add_poly(l, 1, square, 4);
    geo_layer_set_string(l, col, 0, "A", &err);
    add_poly(l, 2, bowtie, 4);
    geo_layer_set_string(l, col, 1, "B", &err);
    add_poly(l, 3, sliver, 3);
    geo_layer_set_string(l, col, 2, "C", &err);
    add_poly(l, 4, square2, 4);
    geo_layer_set_string(l, col, 3, "D", &err);
    return l;
}

static void repairs_and_rejects(void **state)
{
    (void)state;
    geo_layer *l = make_layer();
    geo_rejects rej = {0}, warn = {0};
    size_t repaired = 0, removed = 0;
    fr_error err;
    assert_int_equal(geo_layer_make_valid(l, &rej, &warn, &repaired, &removed, &err), FR_OK);
    assert_int_equal(repaired, 1);
    assert_int_equal(removed, 1);
    assert_int_equal(l->count, 3);
    assert_string_equal(l->cols[0].str[0], "A");
    assert_string_equal(l->cols[0].str[1], "B");
    assert_string_equal(l->cols[0].str[2], "D");
    assert_int_equal(l->fid[2], 4);
    /* the square is untouched: one ring of 5 points */
    assert_int_equal(l->ring_start[1] - l->ring_start[0], 1);
    assert_int_equal(l->pt_start[1] - l->pt_start[0], 5);
    /* the bow-tie is two triangles (two shells) covering its extent */
    size_t r0 = l->ring_start[1], r1 = l->ring_start[2];
    assert_int_equal(r1 - r0, 2);
    assert_true(l->ring_shell[r0] && l->ring_shell[r0 + 1]);
    assert_true(l->bbox[4] == 20 && l->bbox[6] == 30);
    /* the last square keeps its coordinates and bbox */
    assert_true(l->bbox[8] == 60 && l->bbox[10] == 70);
    assert_int_equal(rej.count, 1);
    assert_string_equal(rej.items[0].reason, "invalid_geometry");
    assert_int_equal(rej.items[0].fid, 3);
    assert_non_null(strstr(rej.items[0].detail, "test.gpkg"));
    assert_int_equal(warn.count, 1);
    assert_string_equal(warn.items[0].reason, "repaired_geometry");
    assert_int_equal(warn.items[0].fid, 2);
    geo_layer_free(l);
    geo_rejects_clear(&rej);
    geo_rejects_clear(&warn);
}

static void same_at_any_thread_count(void **state)
{
    (void)state;
    geo_layer *a = make_layer(), *b = make_layer();
    geo_rejects rej = {0}, warn = {0};
    size_t repaired, removed;
    fr_error err;
    omp_set_num_threads(1);
    assert_int_equal(geo_layer_make_valid(a, &rej, &warn, &repaired, &removed, &err), FR_OK);
    omp_set_num_threads(2);
    assert_int_equal(geo_layer_make_valid(b, &rej, &warn, &repaired, &removed, &err), FR_OK);
    assert_int_equal(a->npts, b->npts);
    assert_memory_equal(a->px, b->px, a->npts * sizeof *a->px);
    assert_memory_equal(a->py, b->py, a->npts * sizeof *a->py);
    geo_layer_free(a);
    geo_layer_free(b);
    geo_rejects_clear(&rej);
    geo_rejects_clear(&warn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(repairs_and_rejects), cmocka_unit_test(same_at_any_thread_count)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
