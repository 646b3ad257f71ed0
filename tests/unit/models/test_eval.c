/*
 * test_eval.c — AUC from scores with ties (checked against counting every
 * pair), precision and recall at k with ties broken by parcel id, lift and
 * calibration by decile, k parsing, labels of a horizon window, and
 * calendar arithmetic of horizons.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dates.h"
#include "eval.h"
#include "labels.h"

static void auc_small_cases(void **state)
{
    (void)state;
    fr_error err;
    double auc;
    double s1[] = {0.1, 0.4, 0.35, 0.8};
    uint8_t y1[] = {0, 0, 1, 1};
    assert_int_equal(model_eval_auc(s1, y1, 4, &auc, &err), FR_OK);
    assert_true(fabs(auc - 0.75) < 1e-12);
    /* a tie between a positive and a negative counts one half */
    double s2[] = {0.5, 0.5, 0.2};
    uint8_t y2[] = {1, 0, 0};
    assert_int_equal(model_eval_auc(s2, y2, 3, &auc, &err), FR_OK);
    assert_true(fabs(auc - 0.75) < 1e-12);
    /* a constant score ranks nothing: 0.5 */
    double s3[] = {1, 1, 1, 1, 1};
    uint8_t y3[] = {1, 0, 0, 1, 0};
    assert_int_equal(model_eval_auc(s3, y3, 5, &auc, &err), FR_OK);
    assert_true(fabs(auc - 0.5) < 1e-12);
    /* one class only: NAN, not a number pretending */
    uint8_t y4[] = {0, 0, 0, 0, 0};
    assert_int_equal(model_eval_auc(s3, y4, 5, &auc, &err), FR_OK);
    assert_true(isnan(auc));
    double s5[] = {0.1, NAN};
    uint8_t y5[] = {0, 1};
    assert_int_equal(model_eval_auc(s5, y5, 2, &auc, &err), FR_E_INTERNAL);
}

static void auc_equals_pair_count(void **state)
{
    (void)state;
    size_t n = 3000;
    double *s = malloc(n * sizeof *s);
    uint8_t *y = malloc(n);
    uint64_t z = 5;
    for (size_t i = 0; i < n; i++) {
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        s[i] = (double)((z >> 33) % 50); /* many ties */
        y[i] = ((z >> 20) % 100) < 10 + (uint64_t)s[i];
    }
    double wins = 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (y[i] && !y[j]) {
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
    double auc;
    fr_error err;
    assert_int_equal(model_eval_auc(s, y, n, &auc, &err), FR_OK);
    assert_true(fabs(auc - wins / pairs) < 1e-12);
    assert_true(auc > 0.6);
    free(s);
    free(y);
}

static void at_k_lift_calibration(void **state)
{
    (void)state;
    /* 20 parcels, score i / 20, fires at 19, 18, 10 and 2; P17 and P18 tie (ids break it) */
    size_t n = 20;
    double s[20];
    uint8_t y[20] = {0};
    const char *ids[20];
    char idbuf[20][8];
    for (size_t i = 0; i < n; i++) {
        s[i] = (double)i / 20;
        snprintf(idbuf[i], sizeof idbuf[i], "P%02zu", i);
        ids[i] = idbuf[i];
    }
    y[19] = y[18] = y[10] = y[2] = 1;
    s[17] = s[18]; /* tie: P17 ranks before P18 by id */
    model_eval_k ks[3];
    assert_int_equal(model_eval_k_parse("2", &ks[0]), 0);
    assert_int_equal(model_eval_k_parse("10%", &ks[1]), 0);
    assert_int_equal(model_eval_k_parse("50%", &ks[2]), 0);
    assert_int_equal(model_eval_k_parse("0", &ks[0]) == 0, 0);
    assert_int_equal(model_eval_k_parse("1.5", &ks[0]) == 0, 0);
    assert_int_equal(model_eval_k_parse("120%", &ks[0]) == 0, 0);
    assert_int_equal(model_eval_k_parse("2", &ks[0]), 0);
    model_eval_result r;
    fr_error err;
    assert_int_equal(model_eval(s, y, ids, n, ks, 3, &r, &err), FR_OK);
    assert_int_equal(r.positives, 4);
    /* top 2 = P19 (fire), P17 (tie before P18, no fire) */
    assert_int_equal(r.at[0].k, 2);
    assert_int_equal(r.at[0].hits, 1);
    assert_true(fabs(r.at[0].precision - 0.5) < 1e-12);
    assert_true(fabs(r.at[0].recall - 0.25) < 1e-12);
    assert_string_equal(r.at[1].label, "10%");
    assert_int_equal(r.at[1].k, 2);
    assert_int_equal(r.at[2].k, 10);
    assert_int_equal(r.at[2].hits, 3); /* 19, 18, 10 */
    /* deciles of 2 parcels: the first holds 1 fire of 4 */
    double total = 0;
    for (int d = 0; d < MODEL_DECILES; d++)
        total += r.lift[d];
    assert_true(fabs(total - 1) < 1e-12);
    assert_true(fabs(r.lift[0] - 0.25) < 1e-12);
    assert_true(fabs(r.fire_rate[0] - 0.5) < 1e-12);
    assert_true(fabs(r.mean_score[9] - (0.0 + 0.05) / 2) < 1e-12);
    model_eval_result_free(&r);
    uint8_t none[20] = {0};
    assert_int_equal(model_eval(s, none, ids, n, ks, 3, &r, &err), FR_E_INPUT);
}

static void labels_window(void **state)
{
    (void)state;
    int32_t T = fr_days_from_civil(2025, 1, 1), E = fr_days_from_civil(2026, 1, 1);
    int32_t parcel[] = {0, 1, 2, 3, -1, 4, 4};
    int32_t date[] = {T - 1, T, E - 1, E, T + 5, T + 10, T + 20};
    uint8_t fire[] = {1, 1, 1, 1, 1, 0, 1};
    uint8_t y[5];
    size_t pos;
    model_labels_build(parcel, date, fire, 7, 5, T, E, y, &pos);
    /* before T no, on T yes, the day before T+H yes, on T+H no; unmatched never; a non-fire never */
    uint8_t want[] = {0, 1, 1, 0, 1};
    assert_memory_equal(y, want, 5);
    assert_int_equal(pos, 3);
    assert_int_equal(model_labels_last_fire(parcel, date, fire, 7), E);
}

static void horizons(void **state)
{
    (void)state;
    model_horizon h;
    char buf[16];
    assert_int_equal(model_horizon_parse("1y", &h), 0);
    assert_int_equal(model_horizon_add(fr_days_from_civil(2024, 2, 29), &h), fr_days_from_civil(2025, 2, 28));
    assert_int_equal(model_horizon_sub(fr_days_from_civil(2025, 1, 1), &h), fr_days_from_civil(2024, 1, 1));
    assert_int_equal(model_horizon_parse("1m", &h), 0);
    assert_int_equal(model_horizon_add(fr_days_from_civil(2025, 1, 31), &h), fr_days_from_civil(2025, 2, 28));
    assert_int_equal(model_horizon_parse("18m", &h), 0);
    assert_int_equal(model_horizon_add(fr_days_from_civil(2025, 1, 1), &h), fr_days_from_civil(2026, 7, 1));
    model_horizon_format(&h, buf, sizeof buf);
    assert_string_equal(buf, "18m");
    assert_int_equal(model_horizon_parse("90d", &h), 0);
    assert_int_equal(model_horizon_add(fr_days_from_civil(2025, 1, 1), &h), fr_days_from_civil(2025, 4, 1));
    assert_int_equal(model_horizon_parse("0y", &h), -1);
    assert_int_equal(model_horizon_parse("1w", &h), -1);
    assert_int_equal(model_horizon_parse("y", &h), -1);
    assert_int_equal(model_horizon_parse("12yy", &h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auc_small_cases),    cmocka_unit_test(auc_equals_pair_count),
        cmocka_unit_test(at_k_lift_calibration), cmocka_unit_test(labels_window),
        cmocka_unit_test(horizons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
