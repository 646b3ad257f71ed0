/*
 * test_layer.c — the layer's own bookkeeping: its texts (one store per
 * layer) survive appending a range's layer, compacting and dropping the
 * last record; a point layer's points can be dropped while its records,
 * ids and attributes stay; so can a layer's number values, in place, and
 * a polygon layer's envelopes, then folded from the points.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layer.h"

/* A point layer with one string and one date column, n records from
 * first: id "R<k>", point (k, 2k), date k. */
static geo_layer *points(size_t first, size_t n)
{
    geo_layer *l = geo_layer_new("inspections", "test", NULL, GEO_GEOM_POINT);
    assert_non_null(l);
    fr_error err;
    assert_int_equal(geo_layer_add_column(l, "record_id", "ID", GEO_COL_STRING, NULL, &err), FR_OK);
    assert_int_equal(geo_layer_add_column(l, "date", "DATE", GEO_COL_DATE, NULL, &err), FR_OK);
    for (size_t k = first; k < first + n; k++) {
        size_t i;
        char id[32];
        snprintf(id, sizeof id, "R%zu", k);
        assert_int_equal(geo_layer_add_feature(l, (int64_t)k, &i, &err), FR_OK);
        geo_layer_set_point(l, (double)k, 2.0 * (double)k);
        assert_int_equal(geo_layer_set_string(l, 0, i, id, &err), FR_OK);
        geo_layer_set_date(l, 1, i, (int32_t)k);
    }
    return l;
}

static void assert_record(const geo_layer *l, size_t i, size_t k)
{
    char id[32];
    snprintf(id, sizeof id, "R%zu", k);
    assert_int_equal(l->fid[i], (int64_t)k);
    assert_string_equal(l->cols[0].str[i], id);
    assert_int_equal(l->cols[1].date[i], (int32_t)k);
}

/* Texts moved by geo_layer_append stay readable after the range's layer is
 * refilled and freed; compact and drop_last keep the others' texts. */
static void texts_survive_append_compact_and_drop(void **state)
{
    (void)state;
    fr_error err;
    geo_layer *whole = points(0, 3000);
    geo_layer *part = points(3000, 5000); /* over a 64 KB block of text */
    assert_int_equal(geo_layer_append(whole, part, &err), FR_OK);
    assert_int_equal(part->count, 0);
    size_t i;
    assert_int_equal(geo_layer_add_feature(part, 99999, &i, &err), FR_OK); /* the range's layer reused */
    assert_int_equal(geo_layer_set_string(part, 0, i, "after the move", &err), FR_OK);
    geo_layer_free(part);
    assert_int_equal(whole->count, 8000);
    for (size_t k = 0; k < 8000; k++)
        assert_record(whole, k, k);
    unsigned char keep[8000];
    for (size_t k = 0; k < 8000; k++)
        keep[k] = k % 3 != 1;
    geo_layer_compact(whole, keep);
    size_t out = 0;
    for (size_t k = 0; k < 8000; k++)
        if (keep[k])
            assert_record(whole, out++, k);
    assert_int_equal(whole->count, out);
    geo_layer_drop_last(whole);
    assert_int_equal(whole->count, out - 1);
    assert_record(whole, out - 2, 7997);
    geo_layer_free(whole); /* ASan/valgrind: every text released once */
}

static void points_dropped_records_stay(void **state)
{
    (void)state;
    geo_layer *l = points(10, 2000);
    assert_true(geo_layer_has_geometry(l, 5));
    geo_layer_drop_points(l);
    assert_int_equal(l->kind, GEO_GEOM_NONE);
    assert_null(l->x);
    assert_null(l->bbox);
    assert_int_equal(l->count, 2000);
    for (size_t i = 0; i < l->count; i++) {
        assert_false(geo_layer_has_geometry(l, i));
        assert_record(l, i, 10 + i);
    }
    geo_layer_drop_points(l); /* twice: nothing more to drop */
    geo_layer_free(l);

    geo_layer *poly = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    assert_non_null(poly);
    fr_error err;
    size_t i;
    const double xs[] = {0, 1, 1, 0}, ys[] = {0, 0, 1, 1};
    assert_int_equal(geo_layer_add_feature(poly, 1, &i, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(poly, xs, ys, 4, 1, &err), FR_OK);
    geo_layer_drop_points(poly); /* not a point layer: left as it is */
    assert_int_equal(poly->kind, GEO_GEOM_POLYGON);
    assert_true(geo_layer_has_geometry(poly, 0));
    assert_true(poly->bbox[2] == 1.0);
    geo_layer_free(poly);
}

/* The number columns' values go; the columns keep their places (the
 * index of each found by name is what it was), the texts, dates and
 * geometry stay. */
static void numbers_dropped_in_place(void **state)
{
    (void)state;
    fr_error err;
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    assert_non_null(l);
    size_t c_year, c_id, c_units, i;
    assert_int_equal(geo_layer_add_column(l, "year_built", "YR", GEO_COL_NUMBER, &c_year, &err), FR_OK);
    assert_int_equal(geo_layer_add_column(l, "parcel_id", "PIN", GEO_COL_STRING, &c_id, &err), FR_OK);
    assert_int_equal(geo_layer_add_column(l, "units", "UNITS", GEO_COL_NUMBER, &c_units, &err), FR_OK);
    const double xs[] = {0, 1, 1, 0}, ys[] = {0, 0, 1, 1};
    assert_int_equal(geo_layer_add_feature(l, 7, &i, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(l, xs, ys, 4, 1, &err), FR_OK);
    assert_int_equal(geo_layer_set_string(l, c_id, i, "P-7", &err), FR_OK);
    geo_layer_set_number(l, c_year, i, 1950);
    geo_layer_set_number(l, c_units, i, 2);
    geo_layer_drop_numbers(l);
    assert_int_equal(l->ncols, 3);
    assert_int_equal(geo_layer_find_column(l, "parcel_id"), (int)c_id);
    assert_int_equal(geo_layer_find_column(l, "units"), (int)c_units);
    assert_null(l->cols[c_year].num);
    assert_null(l->cols[c_units].num);
    assert_string_equal(l->cols[c_id].str[0], "P-7");
    assert_true(geo_layer_has_geometry(l, 0));
    geo_layer_drop_numbers(l); /* twice: nothing more to drop */
    geo_layer_free(l);        /* ASan: each array released once */
}

/* After the envelopes are released, geo_layer_envelope gives the very
 * bits the bbox held: a multipolygon with a hole, negative and signed-zero
 * coordinates, and NAN for a feature without geometry. */
static void envelopes_folded_from_points(void **state)
{
    (void)state;
    fr_error err;
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    assert_non_null(l);
    const double ax[] = {-0.0, 3, 3, 0.0, -0.0}, ay[] = {0, 0, 2, 2, 0};
    const double hx[] = {1, 2, 2, 1, 1}, hy[] = {0.5, 0.5, 1.5, 1.5, 0.5};
    const double bx[] = {-7.25, -5, -5, -7.25}, by[] = {-1e-9, -1e-9, 4.5, -1e-9};
    size_t i;
    assert_int_equal(geo_layer_add_feature(l, 1, &i, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(l, ax, ay, 5, 1, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(l, hx, hy, 5, 0, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(l, bx, by, 4, 1, &err), FR_OK);
    assert_int_equal(geo_layer_add_feature(l, 2, &i, &err), FR_OK); /* no geometry */
    assert_int_equal(geo_layer_add_feature(l, 3, &i, &err), FR_OK);
    assert_int_equal(geo_layer_add_ring(l, hx, hy, 5, 1, &err), FR_OK);
    double before[3][4], after[4];
    for (size_t k = 0; k < 3; k++)
        geo_layer_envelope(l, k, before[k]);
    assert_true(before[0][0] == -7.25 && before[0][3] == 4.5);
    geo_layer_drop_envelopes(l);
    assert_null(l->bbox);
    for (size_t k = 0; k < 3; k++) {
        geo_layer_envelope(l, k, after);
        if (k == 1)
            for (int j = 0; j < 4; j++)
                assert_true(isnan(after[j]));
        else
            assert_memory_equal(after, before[k], sizeof after);
    }
    geo_layer_drop_envelopes(l); /* twice: nothing more to drop */
    geo_layer_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(texts_survive_append_compact_and_drop),
        cmocka_unit_test(points_dropped_records_stay),
        cmocka_unit_test(numbers_dropped_in_place),
        cmocka_unit_test(envelopes_folded_from_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
