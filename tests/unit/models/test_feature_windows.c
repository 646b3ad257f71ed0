/*
 * test_feature_windows.c — the as-of windows of the features (boundary
 * dates: on as_of is excluded, exactly N years before is included) and the
 * features built from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "dates.h"
#include "feature_table.h"

static int32_t D(int y, int m, int d)
{
    return fr_days_from_civil(y, m, d);
}

static void window_boundaries(void **state)
{
    (void)state;
    int32_t as_of = D(2025, 1, 1);
    /* The precomputed form agrees with it on every day around the windows. */
    const int32_t days[] = {D(2024, 2, 29), D(2024, 3, 1), D(2025, 1, 1), D(2023, 2, 28)};
    for (int a = 0; a < 4; a++) {
        int32_t as = days[a];
        model_windows w = model_windows_at(as);
        for (int32_t d = as - 6 * 366; d <= as + 3; d++)
            assert_int_equal(model_windows_bucket(&w, d), model_window_bucket(d, as));
        assert_int_equal(model_windows_bucket(&w, FR_DATE_MISSING), -1);
    }
    assert_int_equal(model_window_bucket(as_of, as_of), -1);          /* on as_of: excluded (no leakage) */
    assert_int_equal(model_window_bucket(as_of + 30, as_of), -1);     /* after: excluded */
    assert_int_equal(model_window_bucket(as_of - 1, as_of), 0);       /* the day before */
    assert_int_equal(model_window_bucket(D(2024, 1, 1), as_of), 0);   /* exactly 1 year before: past year */
    assert_int_equal(model_window_bucket(D(2023, 12, 31), as_of), 1); /* one day more: 1-3 years */
    assert_int_equal(model_window_bucket(D(2022, 1, 1), as_of), 1);   /* exactly 3 years */
    assert_int_equal(model_window_bucket(D(2021, 12, 31), as_of), 2);
    assert_int_equal(model_window_bucket(D(2020, 1, 1), as_of), 2);   /* exactly 5 years */
    assert_int_equal(model_window_bucket(D(2019, 12, 31), as_of), -1);
    assert_int_equal(model_window_bucket(FR_DATE_MISSING, as_of), -1);
}

static void features_respect_as_of(void **state)
{
    (void)state;
    /* Two parcels; incidents at parcel 0 on as_of, one day before and 4
     * years before; one non-fire call; an unmatched fire. */
    int32_t as_of = D(2025, 1, 1);
    int32_t inc_parcel[] = {0, 0, 0, 0, -1};
    int32_t inc_date[] = {as_of, as_of - 1, D(2021, 1, 1), as_of - 10, as_of - 1};
    uint8_t is_fire[] = {1, 1, 1, 0, 1};
    int32_t insp_parcel[] = {1, 1, 1};
    int32_t insp_date[] = {D(2024, 6, 1), D(2023, 1, 1), as_of};
    int8_t insp_failed[] = {1, 1, 1};
    double viol[] = {2, 3, 7};
    double year_built[] = {1921, NAN};
    model_feature_input in = {.nparcels = 2, .as_of = as_of, .year_built = year_built,
                              .ninsp = 3, .insp_parcel = insp_parcel, .insp_date = insp_date,
                              .insp_failed = insp_failed, .insp_violations = viol, .has_inspections = 1,
                              .ninc = 5, .inc_parcel = inc_parcel, .inc_date = inc_date, .inc_is_fire = is_fire,
                              .has_incidents = 1};
    model_features f;
    fr_error err;
    assert_int_equal(model_features_build(&in, &f, &err), FR_OK);
#define V(name, i) f.values[(size_t)model_features_find(&f, name) * 2 + (i)]
    assert_true(V("fires_parcel_1y", 0) == 1); /* as_of itself excluded */
    assert_true(V("fires_parcel_3y", 0) == 1);
    assert_true(V("fires_parcel_5y", 0) == 2);
    assert_true(V("calls_parcel_3y", 0) == 2); /* fire the day before + the non-fire call */
    assert_true(V("fires_parcel_5y", 1) == 0);
    assert_true(V("insp_failed_3y", 1) == 2); /* the one on as_of does not count */
    assert_true(V("insp_violations_3y", 1) == 5);
    assert_true(V("insp_days_since", 1) == (double)(as_of - D(2024, 6, 1)));
    assert_true(isnan(V("insp_days_since", 0)));
    assert_true(V("building_age", 0) == 104);
    assert_true(isnan(V("building_age", 1)));
#undef V
    model_features_free(&f);
}

/* Training asks for the scale columns of its sampled rows only: those get
 * the same bits as a full build, the others NAN, and every other column
 * is the full build's. */
static void scale_columns_of_chosen_parcels(void **state)
{
    (void)state;
    int32_t as_of = D(2025, 1, 1);
    enum { N = 5 };
    double px[N] = {0, 80, 300, NAN, 1000}, py[N] = {0, 0, 40, NAN, 900};
    double ix[] = {10, 90, 310, 990, 50}, iy[] = {0, 20, 0, 905, 60};
    int32_t inc_parcel[] = {0, 1, 2, 4, -1};
    int32_t inc_date[] = {as_of - 30, as_of - 400, D(2021, 5, 1), as_of - 2, as_of - 900};
    uint8_t is_fire[] = {1, 0, 1, 1, 1};
    model_scales sc = {.nradii = 2, .radii_m = {100, 500}, .nbandwidths = 1, .bandwidths_m = {250},
                       .half_life_days = 730};
    model_feature_input in = {.nparcels = N, .as_of = as_of, .ninc = 5, .inc_parcel = inc_parcel,
                              .inc_date = inc_date, .inc_is_fire = is_fire, .has_incidents = 1, .scales = &sc,
                              .parcel_x = px, .parcel_y = py,
                              .inc_points = {.n = 5, .x = ix, .y = iy, .date = inc_date, .is_fire = is_fire}};
    model_features all, some;
    fr_error err;
    assert_int_equal(model_features_build(&in, &all, &err), FR_OK);
    const uint8_t wanted[N] = {0, 1, 1, 0, 1};
    in.scales_only = wanted;
    assert_int_equal(model_features_build(&in, &some, &err), FR_OK);
    assert_int_equal(some.nfeatures, all.nfeatures);
    int scale_cols = 0;
    for (size_t c = 0; c < all.nfeatures; c++) {
        assert_string_equal(some.names[c], all.names[c]);
        int scale = !strncmp(all.names[c], "fires_1", 7) || !strncmp(all.names[c], "fires_5", 7) ||
                    !strncmp(all.names[c], "calls_1", 7) || !strncmp(all.names[c], "calls_5", 7) ||
                    !strncmp(all.names[c], "fire_kernel_", 12);
        scale_cols += scale;
        for (size_t i = 0; i < N; i++) {
            double a = all.values[c * N + i], b = some.values[c * N + i];
            if (scale && !wanted[i])
                assert_true(isnan(b));
            else
                assert_memory_equal(&a, &b, sizeof a); /* the same bits (NAN too) */
        }
    }
    assert_int_equal(scale_cols, 5);
    /* the chosen parcels are not all zero: the test compares something */
    assert_true(all.values[(size_t)model_features_find(&all, "fires_500m_5y") * N + 1] > 0);
    assert_true(all.values[(size_t)model_features_find(&all, "fire_kernel_250m") * N + 4] > 0);
    model_features_free(&all);
    model_features_free(&some);
}

/* changes.csv's "then" asks for a few rows of every column (rows_only):
 * those rows get the same bits as a full build, whichever group made the
 * column (records, near counts, scales, co-located homes, inspections,
 * attributes, context), and the other rows stay zero. */
static void every_column_of_chosen_parcels(void **state)
{
    (void)state;
    int32_t as_of = D(2025, 1, 1);
    enum { N = 6 };
    double px[N] = {0, 80, 300, NAN, 1000, 80}, py[N] = {0, 0, 40, NAN, 900, 0};
    double ix[] = {10, 90, 310, 990, 50, 85}, iy[] = {0, 20, 0, 905, 60, 0};
    /* parcels 1 and 5 share a location: the fire matched to 5 is 1's too */
    int32_t inc_parcel[] = {0, 1, 2, 4, -1, 5};
    int32_t inc_date[] = {as_of - 30, as_of - 400, D(2021, 5, 1), as_of - 2, as_of - 900, as_of - 60};
    uint8_t is_fire[] = {1, 0, 1, 1, 1, 1};
    int32_t location[N] = {0, 1, 2, -1, 3, 1};
    uint32_t near[N * MODEL_WINDOW_BUCKETS] = {1, 0, 2, 3, 1, 0, 0, 0, 4, 9, 9, 9, 2, 2, 2, 3, 1, 0};
    int32_t insp_parcel[] = {1, 4, 1, 5};
    int32_t insp_date[] = {D(2024, 6, 1), D(2023, 1, 1), D(2022, 3, 1), as_of - 5};
    int8_t insp_failed[] = {1, 0, 1, 1};
    double viol[] = {2, NAN, 4, 1};
    double year_built[N] = {1921, 1950, NAN, 1999, 2010, 1950}, units[N] = {1, 12, 1, 2, 1, 12};
    double dist[N] = {100, 2500, 40, NAN, 800, 2500}, bg_income[N] = {30e3, 52e3, NAN, 41e3, 70e3, 52e3};
    const char *ctx_names[] = {"bg_median_income"};
    const double *ctx_values[] = {bg_income};
    model_scales sc = {.nradii = 1, .radii_m = {500}, .nbandwidths = 1, .bandwidths_m = {250},
                       .half_life_days = 730};
    model_feature_input in = {.nparcels = N, .as_of = as_of, .year_built = year_built, .units = units,
                              .ninsp = 4, .insp_parcel = insp_parcel, .insp_date = insp_date,
                              .insp_failed = insp_failed, .insp_violations = viol, .has_inspections = 1,
                              .ninc = 6, .inc_parcel = inc_parcel, .inc_date = inc_date, .inc_is_fire = is_fire,
                              .has_incidents = 1, .near_counts = near, .station_dist_m = dist, .scales = &sc,
                              .parcel_x = px, .parcel_y = py,
                              .inc_points = {.n = 6, .x = ix, .y = iy, .date = inc_date, .is_fire = is_fire},
                              .location = location, .ncontext = 1, .context_names = ctx_names,
                              .context_values = ctx_values};
    model_features all, some;
    fr_error err;
    assert_int_equal(model_features_build(&in, &all, &err), FR_OK);
    const uint8_t wanted[N] = {0, 1, 0, 1, 1, 0};
    in.rows_only = wanted;
    assert_int_equal(model_features_build(&in, &some, &err), FR_OK);
    assert_int_equal(some.nfeatures, all.nfeatures);
    for (size_t c = 0; c < all.nfeatures; c++) {
        assert_string_equal(some.names[c], all.names[c]);
        for (size_t i = 0; i < N; i++) {
            double a = all.values[c * N + i], b = some.values[c * N + i], zero = 0.0;
            assert_memory_equal(&b, wanted[i] ? &a : &zero, sizeof a); /* the same bits (NAN too) */
        }
    }
    /* every group made a column, and the wanted rows hold more than zeros */
#define V(name, i) all.values[(size_t)model_features_find(&all, name) * N + (i)]
    assert_true(V("fires_location_5y", 1) == 1); /* its own record is a call; 5 (not wanted) had the fire */
    assert_true(V("homes_at_location", 1) == 2);
    assert_true(V("fires_near_5y", 1) == 4);
    assert_true(V("fires_parcel_5y", 4) == 1);
    assert_true(V("insp_failed_3y", 1) == 2);
    assert_true(isnan(V("insp_days_since", 3)));
    assert_true(V("fire_kernel_250m", 4) > 0);
    assert_true(V("station_dist_m", 1) == 2500);
    assert_true(V("bg_median_income", 4) == 70e3);
    assert_true(V("building_age", 3) == 26);
#undef V
    model_features_free(&all);
    model_features_free(&some);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_boundaries),
        cmocka_unit_test(features_respect_as_of),
        cmocka_unit_test(scale_columns_of_chosen_parcels),
        cmocka_unit_test(every_column_of_chosen_parcels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
