/*
 * test_categories.c — a categorical attribute's levels: frequent levels
 * ordered by count then name, rare ones and a literal "other" pooled,
 * missing values a level of their own; and at scoring, a level the model
 * never saw counts as "other" and a level the data lacks is 0.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "categories.h"
#include "train_model.h"

static void frequent_levels_rare_pooled_missing_kept(void **state)
{
    (void)state;
    const char *v[] = {"wood", "gas", "gas", NULL, "oil", "gas", "wood", "", NULL, "coal", "other", "oil"};
    model_categories c;
    fr_error err;
    assert_int_equal(model_categories_encode(v, 12, 2, &c, &err), FR_OK);
    /* gas 3; (missing) 3 (NULL, "" and NULL); oil 2; wood 2; coal 1 and "other" 1 pooled */
    assert_int_equal(c.nlevels, 5);
    assert_string_equal(c.levels[0], MODEL_LEVEL_MISSING); /* 3, and "(missing)" < "gas" */
    assert_string_equal(c.levels[1], "gas");
    assert_string_equal(c.levels[2], "oil");
    assert_string_equal(c.levels[3], "wood");
    assert_string_equal(c.levels[4], MODEL_LEVEL_OTHER);
    const int32_t want[] = {3, 1, 1, 0, 2, 1, 3, 0, 0, 4, 4, 2};
    assert_memory_equal(c.code, want, sizeof want);
    model_categories_free(&c);
    int other;
    assert_int_equal(model_category_attr_len("heating=other", &other), 7);
    assert_true(other);
    assert_int_equal(model_category_attr_len("building_age", &other), 0);
}

/* A gbdt-free check of the scoring rule with a hand-made logistic model of
 * two one-hot columns: heating=gas (+1) and heating=other (+2). */
static void unseen_level_scores_as_other(void **state)
{
    (void)state;
    model_trained m = {0};
    m.kind = MODEL_LOGISTIC;
    m.logit.nfeatures = 2;
    m.logit.names = calloc(2, sizeof *m.logit.names);
    m.logit.names[0] = strdup("heating=gas");
    m.logit.names[1] = strdup("heating=other");
    m.logit.ncolumns = 2;
    m.logit.columns = calloc(2, sizeof *m.logit.columns);
    m.logit.columns[0] = (model_logit_column){0, MODEL_COL_LINEAR, 0, 1, 1};
    m.logit.columns[1] = (model_logit_column){1, MODEL_COL_LINEAR, 0, 1, 2};
    /* the data's levels: gas, wood (never seen by the model), other */
    model_features f = {.nparcels = 3, .nfeatures = 3};
    char n0[] = "heating=gas", n1[] = "heating=wood", n2[] = "heating=other";
    char *names[] = {n0, n1, n2};
    double values[] = {1, 0, 0, /* wood: */ 0, 1, 0, /* other: */ 0, 0, 1};
    f.names = names;
    f.values = values;
    model_points_result r;
    fr_error err;
    assert_int_equal(model_trained_score(&m, &f, &r, &err), FR_OK);
    assert_true(fabs(r.score[0] - 1 / (1 + exp(-1.0))) < 1e-12); /* gas */
    assert_true(fabs(r.score[1] - 1 / (1 + exp(-2.0))) < 1e-12); /* wood: other */
    assert_true(fabs(r.score[2] - 1 / (1 + exp(-2.0))) < 1e-12); /* other */
    model_points_result_free(&r);
    /* data without the attribute at all is refused, naming it */
    char b0[] = "building_age";
    char *bare[] = {b0};
    model_features g = {.nparcels = 3, .nfeatures = 1, .names = bare, .values = values};
    assert_int_equal(model_trained_score(&m, &g, &r, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "heating=gas"));
    model_trained_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frequent_levels_rare_pooled_missing_kept),
        cmocka_unit_test(unseen_level_scores_as_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
