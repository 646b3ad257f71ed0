/*
 * test_colocated.c — homes sharing a location: homes_at_location counts
 * them and fires_location_5y gives every home the fires of the building
 * (past 5 years, nothing on or after as_of); no columns when every home is
 * alone; the per-location AUC judges a location by its highest home.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dates.h"
#include "eval.h"
#include "feature_table.h"

#define AS_OF 20000

static void homes_and_building_fires(void **state)
{
    (void)state;
    /* homes 0, 1, 2 share location 0; home 3 alone (location 1) */
    const int32_t location[4] = {0, 0, 0, 1};
    const int32_t inc_parcel[4] = {1, 1, 3, 0};
    const int32_t inc_date[4] = {AS_OF - 10, AS_OF, AS_OF - 20, fr_days_minus_years(AS_OF, 5) - 1};
    const uint8_t fire[4] = {1, 1, 1, 1};
    model_feature_input in = {.nparcels = 4, .as_of = AS_OF, .ninc = 4, .inc_parcel = inc_parcel,
                              .inc_date = inc_date, .inc_is_fire = fire, .has_incidents = 1,
                              .location = location};
    model_features f;
    fr_error err;
    assert_int_equal(model_features_build(&in, &f, &err), FR_OK);
    int h = model_features_find(&f, "homes_at_location"), b = model_features_find(&f, "fires_location_5y");
    assert_true(h >= 0 && b >= 0);
    const double *hv = f.values + (size_t)h * 4, *bv = f.values + (size_t)b * 4;
    assert_true(hv[0] == 3 && hv[2] == 3 && hv[3] == 1);
    /* the fire on as_of and the one older than 5 years do not count */
    assert_true(bv[0] == 1 && bv[1] == 1 && bv[2] == 1 && bv[3] == 1);
    model_features_free(&f);
    const int32_t alone[4] = {0, 1, 2, 3};
    in.location = alone;
    assert_int_equal(model_features_build(&in, &f, &err), FR_OK);
    assert_int_equal(model_features_find(&f, "homes_at_location"), -1);
    model_features_free(&f);
}

static void location_auc_takes_the_highest_home(void **state)
{
    (void)state;
    /* locations: 0 = {0.9, 0.1} burned (home 1), 1 = {0.5} not, 2 = {0.2, 0.3} not */
    const double score[5] = {0.9, 0.1, 0.5, 0.2, 0.3};
    const uint8_t y[5] = {0, 1, 0, 0, 0};
    const int32_t location[5] = {0, 0, 1, 2, 2};
    double auc;
    size_t nloc;
    fr_error err;
    assert_int_equal(model_eval_location_auc(score, y, location, 5, &auc, &nloc, &err), FR_OK);
    assert_int_equal(nloc, 3);
    assert_true(fabs(auc - 1.0) < 1e-12); /* home level it would be 0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(homes_and_building_fires),
        cmocka_unit_test(location_auc_takes_the_highest_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
