/*
 * test_config_models.c — the score: keys of the trained models: defaults,
 * a full block parses with relative paths resolved, and bad values (model,
 * horizon, k, class weight, unknown gbdt key, out-of-range depth) are
 * refused with the file and line.
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

#include "config.h"
#include "config_fixture.h"

#define HEAD "layers:\n  parcels:\n    source: p.gpkg\n    fields: {parcel_id: PIN}\n"

static void defaults(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err;
    assert_int_equal(load_text(HEAD, &cfg, &err), FR_OK);
    const cfg_score *m = &cfg.score;
    assert_string_equal(m->model, "points");
    assert_null(m->model_file);
    assert_string_equal(m->horizon, "1y");
    assert_int_equal(m->training_cutoffs, 0); /* auto */
    assert_int_equal(m->min_slice_fires, 10);
    assert_int_equal(m->min_validation_fires, 50);
    assert_int_equal(m->gbdt.fallback_trees, 100);
    assert_int_equal(m->class_weight.balanced, 0);
    assert_true(m->class_weight.fire_row == 1);
    assert_int_equal(m->nprecision_at, 4);
    assert_string_equal(m->precision_at[2], "1%");
    assert_int_equal(m->gbdt.max_depth, 4);
    assert_true(m->gbdt.learning_rate == 0.05);
    assert_true(m->logistic.l2 == 1);
    fr_config_free(&cfg);
}

static void full_block(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err;
    assert_int_equal(load_text(HEAD "score:\n  model: gbdt\n  model_file: models/m.json\n  horizon: 6m\n"
                                    "  training_cutoffs: 5\n  class_weight: balanced\n  precision_at: [50, \"0.5%\"]\n"
                                    "  logistic: {l2: 10, max_iterations: 20}\n"
                                    "  gbdt: {max_trees: 200, max_depth: 6, learning_rate: 0.1, min_child_weight: 3,\n"
                                    "         l2: 2, min_split_gain: 0.01, bins: 64, early_stopping: 10}\n",
                               &cfg, &err),
                     FR_OK);
    const cfg_score *m = &cfg.score;
    assert_string_equal(cfg.score.model, "gbdt");
    char want[200];
    snprintf(want, sizeof want, "%s/models/m.json", dir);
    assert_string_equal(m->model_file, want);
    assert_string_equal(m->horizon, "6m");
    assert_int_equal(m->training_cutoffs, 5);
    assert_int_equal(m->class_weight.balanced, 1);
    assert_int_equal(m->nprecision_at, 2);
    assert_string_equal(m->precision_at[1], "0.5%");
    assert_true(m->logistic.l2 == 10 && m->logistic.max_iterations == 20);
    assert_true(m->gbdt.max_trees == 200 && m->gbdt.max_depth == 6 && m->gbdt.bins == 64);
    assert_true(m->gbdt.learning_rate == 0.1 && m->gbdt.min_child_weight == 3 && m->gbdt.l2 == 2);
    assert_true(m->gbdt.min_split_gain == 0.01 && m->gbdt.early_stopping == 10);
    fr_config_free(&cfg);
    assert_int_equal(load_text(HEAD "score:\n  class_weight: 2.5\n", &cfg, &err), FR_OK);
    assert_int_equal(cfg.score.class_weight.balanced, 0);
    assert_true(cfg.score.class_weight.fire_row == 2.5);
    fr_config_free(&cfg);
}

static void expect_error(const char *text, const char *needle)
{
    fr_config cfg;
    fr_error err;
    assert_int_equal(load_text(text, &cfg, &err), FR_E_CONFIG);
    if (!strstr(err.message, needle))
        fail_msg("'%s' not in '%s'", needle, err.message);
    assert_non_null(strstr(err.message, "c.yaml:"));
}

static void refusals(void **state)
{
    (void)state;
    expect_error(HEAD "score:\n  model: forest\n", "points, logistic or gbdt");
    expect_error(HEAD "score:\n  horizon: 1w\n", "score.horizon must be a span");
    expect_error(HEAD "score:\n  precision_at: [100, ten]\n", "got 'ten'");
    expect_error(HEAD "score:\n  class_weight: heavy\n", "balanced or a number");
    expect_error(HEAD "score:\n  gbdt: {depth: 3}\n", "unknown key 'depth' in score.gbdt");
    expect_error(HEAD "score:\n  gbdt: {max_depth: 20}\n", "between 1 and 12");
    expect_error(HEAD "score:\n  gbdt: {max_trees: 2.5}\n", "whole number");
    expect_error(HEAD "score:\n  logistic: {l2: 0}\n", "'score.logistic.l2' must be between");
    expect_error(HEAD "score:\n  training_cutoffs: 0\n", "training_cutoffs must be auto or a whole number");
    expect_error(HEAD "score:\n  training_cutoffs: 2.5\n", "training_cutoffs must be auto or a whole number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(full_block),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
