/*
 * test_train_validation.c — the validation slice is judged only against a
 * fit on slices whose label window ends by its start (a gap of one
 * horizon), too few validation fires fall back to fixed trees with a
 * warning, and sampled non-fire rows keep the scores probabilities.
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

#include "train_model.h"

#define N 4000

/* Four slices, one a year (days 0, 365, ...), with label windows of
 * `horizon_days`; risk rises with x.  keep_share < 1 samples the non-fire
 * rows as the pipeline does. */
static void make_data(model_dataset *d, int horizon_days, double keep_share, double rate_scale)
{
    static const char *names[] = {"x"};
    model_features f = {.nparcels = N, .nfeatures = 1};
    char *fname = strdup("x");
    f.names = &fname;
    f.values = malloc(N * sizeof *f.values);
    uint8_t *y = malloc(N), *keep = malloc(N);
    fr_error err;
    size_t rows = 0;
    uint64_t z = 7;
    uint8_t *ys = malloc(4 * N);
    for (int s = 0; s < 4; s++)
        for (size_t i = 0; i < N; i++) {
            z = z * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(z >> 11) / 9007199254740992.0;
            double x = (double)(i % 100);
            ys[s * N + i] = u < rate_scale / (1 + exp(-(-4 + 0.03 * x)));
            rows += ys[s * N + i] || model_dataset_keep_row(i, (size_t)s, keep_share);
        }
    assert_int_equal(model_dataset_init(d, names, 1, rows, &err), FR_OK);
    d->negative_row_weight = 1 / keep_share;
    for (int s = 0; s < 4; s++) {
        for (size_t i = 0; i < N; i++) {
            f.values[i] = (double)(i % 100);
            y[i] = ys[s * N + i];
            keep[i] = y[i] || model_dataset_keep_row(i, (size_t)s, keep_share);
        }
        assert_int_equal(model_dataset_append(d, &f, y, keep, 365 * s, 365 * s + horizon_days, &err), FR_OK);
    }
    free(ys);
    free(y);
    free(keep);
    free(f.values);
    free(fname);
}

static model_train_params params(model_kind kind, size_t min_val)
{
    return (model_train_params){.kind = kind, .positive_weight = 1, .logit = {.l2 = 1, .max_iterations = 50},
                                .gbdt = {.max_trees = 200, .max_depth = 2, .bins = 32, .early_stopping = 10,
                                         .learning_rate = 0.1, .min_child_weight = 1, .l2 = 1},
                                .min_validation_fires = min_val, .fallback_trees = 17};
}

static void one_year_horizon_validates_on_all_earlier_slices(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 365, 1, 1);
    model_trained m = {0};
    model_train_params p = params(MODEL_LOGISTIC, 1);
    fr_error err;
    assert_int_equal(model_train(&d, &p, &m, &err), FR_OK);
    assert_int_equal(m.info.validation_fit_rows, 3 * N);
    assert_int_equal(m.info.validation_rows, N);
    assert_true(m.info.validation_auc > 0.6);
    assert_null(strstr(m.info.warnings, "left out"));
    model_trained_free(&m);
    model_dataset_free(&d);
}

/* A 2-year horizon with yearly cutoffs: the slice before the validation
 * slice shares a year of fires with it and is left out of the fit measured
 * on it. */
static void two_year_horizon_leaves_out_the_overlapping_slice(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 730, 1, 1);
    model_trained m = {0};
    model_train_params p = params(MODEL_GBDT, 1);
    fr_error err;
    assert_int_equal(model_train(&d, &p, &m, &err), FR_OK);
    assert_int_equal(m.info.validation_fit_rows, 2 * N); /* slices 0 and 1: windows end by day 1095 */
    assert_non_null(strstr(m.info.warnings, "1 left out"));
    assert_int_equal(m.info.rows, 4 * N);                /* the final fit has every slice */
    model_trained_free(&m);
    model_dataset_free(&d);
}

static void no_separated_slice_means_no_validation_and_fallback_trees(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 365 * 4, 1, 1); /* every window reaches past the last cutoff */
    model_trained m = {0};
    model_train_params p = params(MODEL_GBDT, 1);
    fr_error err;
    assert_int_equal(model_train(&d, &p, &m, &err), FR_OK);
    assert_int_equal(m.info.validation_fit_rows, 0);
    assert_true(isnan(m.info.validation_auc));
    assert_int_equal(m.info.iterations, 17);
    assert_non_null(strstr(m.info.warnings, "no validation"));
    model_trained_free(&m);
    model_dataset_free(&d);
}

static void too_few_validation_fires_warns_with_figures_and_falls_back(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 365, 1, 1);
    model_trained m = {0};
    model_train_params p = params(MODEL_GBDT, 100000);
    fr_error err;
    assert_int_equal(model_train(&d, &p, &m, &err), FR_OK);
    assert_int_equal(m.info.iterations, 17);
    assert_false(isnan(m.info.validation_auc)); /* still measured, with the warning */
    char figures[64];
    snprintf(figures, sizeof figures, "holds %zu homes with a fire", m.info.validation_positives);
    assert_non_null(strstr(m.info.warnings, figures));
    assert_non_null(strstr(m.info.warnings, "fallback_trees"));
    model_trained_free(&m);
    model_dataset_free(&d);
}

/* A quarter of the non-fire rows, each weighing 4: the mean score stays
 * near the fire rate of the full data. */
static void sampled_non_fire_rows_keep_probabilities(void **state)
{
    (void)state;
    model_dataset full, half;
    make_data(&full, 365, 1, 0.3);
    make_data(&half, 365, 0.25, 0.3);
    assert_true(half.filled < full.filled / 2);
    fr_error err;
    for (int k = 0; k < 2; k++) {
        model_train_params p = params(k ? MODEL_GBDT : MODEL_LOGISTIC, 1);
        model_trained a = {0}, b = {0};
        assert_int_equal(model_train(&full, &p, &a, &err), FR_OK);
        assert_int_equal(model_train(&half, &p, &b, &err), FR_OK);
        double sa = 0, sb = 0;
        for (int i = 0; i < 100; i++) {
            double x = i;
            sa += 1 / (1 + exp(-model_trained_raw(&a, &x, NULL)));
            sb += 1 / (1 + exp(-model_trained_raw(&b, &x, NULL)));
        }
        assert_true(fabs(sa - sb) / sa < 0.15);
        model_trained_free(&a);
        model_trained_free(&b);
    }
    model_dataset_free(&full);
    model_dataset_free(&half);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_year_horizon_validates_on_all_earlier_slices),
        cmocka_unit_test(two_year_horizon_leaves_out_the_overlapping_slice),
        cmocka_unit_test(no_separated_slice_means_no_validation_and_fallback_trees),
        cmocka_unit_test(too_few_validation_fires_warns_with_figures_and_falls_back),
        cmocka_unit_test(sampled_non_fire_rows_keep_probabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
