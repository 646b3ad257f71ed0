/*
 * test_reproject.c — CRS handling: a known point into UTM and back, the
 * UTM zone chosen for a layer, axis order of EPSG:4326 (lon first, always),
 * refusal of non-metric working CRSs, rejects for points that cannot be
 * transformed, and the same coordinates and rejects at any thread count.  Expected values were computed with PROJ's own gdaltransform.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <omp.h>

#include "read.h"
#include "reproject.h"

static int setup(void **state)
{
    (void)state;
    geo_init();
    return 0;
}

static geo_layer *one_point(const char *crs_text, double x, double y)
{
    geo_layer *l = geo_layer_new("incidents", "test", NULL, GEO_GEOM_POINT);
    char *wkt = NULL;
    fr_error err;
    assert_int_equal(geo_crs_wkt(crs_text, "crs", 0, &wkt, &err), FR_OK);
    assert_int_equal(geo_layer_set_srs(l, wkt, &err), FR_OK);
    free(wkt);
    assert_int_equal(geo_layer_add_feature(l, 7, NULL, &err), FR_OK);
    geo_layer_set_point(l, x, y);
    return l;
}

static void known_point_to_utm(void **state)
{
    (void)state;
    /* Five Points, Atlanta: lon -84.388, lat 33.749 (lon first in x). */
    geo_layer *l = one_point("EPSG:4326", -84.388, 33.749);
    char *utm = NULL;
    int epsg = 0;
    fr_error err;
    assert_int_equal(geo_utm_for_layer(l, &utm, &epsg, &err), FR_OK);
    assert_int_equal(epsg, 32616);
    geo_rejects rej = {0};
    size_t removed = 99;
    assert_int_equal(geo_reproject_layer(l, utm, &rej, &removed, &err), FR_OK);
    assert_int_equal(removed, 0);
    assert_true(fabs(l->x[0] - 741952.010479625) < 0.01);
    assert_true(fabs(l->y[0] - 3737391.3602196) < 0.01);
    assert_true(fabs(l->bbox[0] - l->x[0]) < 1e-9);
    double lon, lat;
    assert_int_equal(geo_to_lonlat(l->srs_wkt, 1, l->x, l->y, &lon, &lat, &err), FR_OK);
    assert_true(fabs(lon - -84.388) < 1e-8);
    assert_true(fabs(lat - 33.749) < 1e-8);
    free(utm);
    geo_layer_free(l);
    geo_rejects_clear(&rej);
}

static void state_plane_feet_refused_as_working_crs(void **state)
{
    (void)state;
    char *wkt = NULL;
    fr_error err;
    assert_int_equal(geo_crs_wkt("EPSG:2240", "working_crs", 1, &wkt, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "metres"));
    assert_int_equal(geo_crs_wkt("EPSG:4326", "working_crs", 1, &wkt, &err), FR_E_CONFIG);
    assert_int_equal(geo_crs_wkt("EPSG:999999", "working_crs", 0, &wkt, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "EPSG:999999"));
    assert_int_equal(geo_crs_wkt("EPSG:32616", "working_crs", 1, &wkt, &err), FR_OK);
    free(wkt);
}

static void feet_source_into_utm(void **state)
{
    (void)state;
    /* Georgia West state plane (US feet) -> UTM 16N, same point as above. */
    geo_layer *l = one_point("EPSG:2240", 2229307.39481896, 1363801.49407162);
    char *utm = NULL;
    fr_error err;
    assert_int_equal(geo_crs_wkt("EPSG:32616", "working_crs", 1, &utm, &err), FR_OK);
    geo_rejects rej = {0};
    size_t removed;
    assert_int_equal(geo_reproject_layer(l, utm, &rej, &removed, &err), FR_OK);
    assert_true(fabs(l->x[0] - 741952.010479625) < 0.05);
    assert_true(fabs(l->y[0] - 3737391.3602196) < 0.05);
    free(utm);
    geo_layer_free(l);
    geo_rejects_clear(&rej);
}

static void untransformable_point_is_rejected(void **state)
{
    (void)state;
    /* latitude 95 does not exist: rejected with its reason, not kept. */
    geo_layer *l = one_point("EPSG:4326", -84.0, 95.0);
    fr_error err;
    assert_int_equal(geo_layer_add_feature(l, 8, NULL, &err), FR_OK);
    geo_layer_set_point(l, -84.0, 33.0);
    char *utm = NULL;
    assert_int_equal(geo_crs_wkt("EPSG:32616", "working_crs", 1, &utm, &err), FR_OK);
    geo_rejects rej = {0};
    size_t removed = 0;
    assert_int_equal(geo_reproject_layer(l, utm, &rej, &removed, &err), FR_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->fid[0], 8);
    assert_int_equal(rej.count, 1);
    assert_string_equal(rej.items[0].reason, "reprojection_failed");
    assert_int_equal(rej.items[0].fid, 7);
    free(utm);
    geo_layer_free(l);
    geo_rejects_clear(&rej);
}

/* 409 homes mis-geocoded to the South Pole beside 600 in Pittsburgh (UTM
 * 17N): the extent's centre would fall in the South Atlantic (UTM 24S),
 * the median centre stays in the city. */
static void utm_zone_from_the_median_centre_despite_outliers(void **state)
{
    (void)state;
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POINT);
    char *wkt = NULL;
    fr_error err;
    assert_int_equal(geo_crs_wkt("EPSG:4326", "crs", 0, &wkt, &err), FR_OK);
    assert_int_equal(geo_layer_set_srs(l, wkt, &err), FR_OK);
    free(wkt);
    for (int i = 0; i < 1009; i++) {
        assert_int_equal(geo_layer_add_feature(l, i + 1, NULL, &err), FR_OK);
        if (i < 409)
            geo_layer_set_point(l, 0.0, -89.9);
        else
            geo_layer_set_point(l, -79.99 + 0.0001 * i, 40.44);
    }
    size_t outliers = 0;
    for (size_t i = 0; i < l->count; i++)
        outliers += l->y[i] < -89;
    assert_int_equal(outliers, 409);
    char *utm = NULL;
    int epsg = 0;
    assert_int_equal(geo_utm_for_layer(l, &utm, &epsg, &err), FR_OK);
    assert_int_equal(epsg, 32617);
    free(utm);
    geo_layer_free(l);
}

/* 30,000 squares in state plane feet (GA West, EPSG:2240), some with a
 * vertex no transformation takes (NaN), into UTM 16N: the coordinates,
 * envelopes and rejects are the same with 1 and 3 threads (the chunks are
 * shared among the threads), and match a one-point transformation. */
static geo_layer *feet_squares(void)
{
    geo_layer *l = geo_layer_new("parcels", "test", NULL, GEO_GEOM_POLYGON);
    char *wkt = NULL;
    fr_error err;
    assert_int_equal(geo_crs_wkt("EPSG:2240", "crs", 0, &wkt, &err), FR_OK);
    assert_int_equal(geo_layer_set_srs(l, wkt, &err), FR_OK);
    free(wkt);
    for (int i = 0; i < 30000; i++) {
        double x0 = 2200000.0 + 37.0 * (i % 400), y0 = 1360000.0 + 41.0 * (i / 400);
        double xs[5] = {x0, x0 + 30.0, x0 + 30.0, x0, x0}, ys[5] = {y0, y0, y0 + 30.0, y0 + 30.0, y0};
        if (i % 4099 == 17)
            xs[2] = NAN; /* the whole feature is rejected */
        assert_int_equal(geo_layer_add_feature(l, 100 + i, NULL, &err), FR_OK);
        assert_int_equal(geo_layer_add_ring(l, xs, ys, 5, 1, &err), FR_OK);
    }
    return l;
}

static void same_reprojection_on_any_thread_count(void **state)
{
    (void)state;
    char *utm = NULL;
    fr_error err;
    assert_int_equal(geo_crs_wkt("EPSG:32616", "working_crs", 1, &utm, &err), FR_OK);
    geo_layer *a = feet_squares(), *b = feet_squares();
    geo_rejects ra = {0}, rb = {0};
    size_t removed_a = 0, removed_b = 0;
    omp_set_num_threads(1);
    assert_int_equal(geo_reproject_layer(a, utm, &ra, &removed_a, &err), FR_OK);
    omp_set_num_threads(3);
    assert_int_equal(geo_reproject_layer(b, utm, &rb, &removed_b, &err), FR_OK);
    assert_int_equal(removed_a, 8);
    assert_int_equal(removed_b, removed_a);
    assert_int_equal(a->count, 30000 - 8);
    assert_int_equal(b->count, a->count);
    assert_int_equal(a->npts, b->npts);
    assert_memory_equal(a->px, b->px, a->npts * sizeof *a->px);
    assert_memory_equal(a->py, b->py, a->npts * sizeof *a->py);
    assert_memory_equal(a->bbox, b->bbox, 4 * a->count * sizeof *a->bbox);
    assert_int_equal(rb.count, ra.count);
    for (size_t k = 0; k < ra.count; k++) {
        assert_int_equal(rb.items[k].fid, ra.items[k].fid);
        assert_string_equal(rb.items[k].reason, "reprojection_failed");
    }
    assert_int_equal(ra.items[0].fid, 100 + 17);
    /* the last vertex of the last square, on its own */
    geo_layer *one = one_point("EPSG:2240", 2200000.0 + 37.0 * (29999 % 400), 1360000.0 + 41.0 * (29999 / 400));
    geo_rejects r1 = {0};
    size_t removed = 0;
    assert_int_equal(geo_reproject_layer(one, utm, &r1, &removed, &err), FR_OK);
    assert_true(one->x[0] == a->px[a->npts - 1] && one->y[0] == a->py[a->npts - 1]);
    omp_set_num_threads(2);
    geo_layer_free(one);
    geo_layer_free(a);
    geo_layer_free(b);
    geo_rejects_clear(&ra);
    geo_rejects_clear(&rb);
    geo_rejects_clear(&r1);
    free(utm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_point_to_utm),
        cmocka_unit_test(utm_zone_from_the_median_centre_despite_outliers),
        cmocka_unit_test(state_plane_feet_refused_as_working_crs),
        cmocka_unit_test(feet_source_into_utm),
        cmocka_unit_test(untransformable_point_is_rejected),
        cmocka_unit_test(same_reprojection_on_any_thread_count),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
