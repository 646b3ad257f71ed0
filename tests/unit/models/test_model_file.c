/*
 * test_model_file.c — JSON model files: a model read back scores the same
 * bits (logistic and gbdt), reasons name the features that raise the
 * score, and corrupt, foreign, newer, cyclic or non-finite files and models
 * whose features the data lacks are refused with a message naming the file
 * or the features.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_file.h"
#include "train_model.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fr-model-test.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Three slices of a small city: risk rises with "age", "vacant" doubles it,
 * "insp_days_since" is missing for half. */
static void make_data(model_dataset *d, model_features *f, size_t n)
{
    static const char *names[] = {"building_age", "vacant", "insp_days_since"};
    f->nparcels = n;
    f->nfeatures = 3;
    f->names = calloc(3, sizeof *f->names);
    f->values = malloc(3 * n * sizeof *f->values);
    for (int k = 0; k < 3; k++)
        f->names[k] = strdup(names[k]);
    uint8_t *y = malloc(n);
    fr_error err;
    assert_int_equal(model_dataset_init(d, names, 3, 3 * n, &err), FR_OK);
    uint64_t z = 99;
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < n; i++) {
            z = z * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(z >> 11) / 9007199254740992.0;
            f->values[i] = (double)(i % 120);
            f->values[n + i] = (i % 7) == 0;
            f->values[2 * n + i] = (i % 2) ? NAN : (double)(i % 400);
            double eta = -4 + 0.02 * f->values[i] + 1.0 * f->values[n + i];
            y[i] = u < 1 / (1 + exp(-eta));
        }
        assert_int_equal(model_dataset_append(d, f, y, NULL, 0, 0, &err), FR_OK);
    }
    free(y);
}

static void roundtrip(model_kind kind)
{
    model_dataset d;
    model_features f;
    make_data(&d, &f, 20000);
    model_train_params p = {.kind = kind, .balanced = 0, .positive_weight = 1,
                            .logit = {.l2 = 1, .max_iterations = 50},
                            .gbdt = {.max_trees = 40, .max_depth = 3, .bins = 64, .early_stopping = 10,
                                     .learning_rate = 0.1, .min_child_weight = 1, .l2 = 1}};
    model_trained m = {0};
    snprintf(m.info.as_of, sizeof m.info.as_of, "2025-01-01");
    snprintf(m.info.horizon, sizeof m.info.horizon, "1y");
    m.info.ncutoffs = 3;
    for (int c = 0; c < 3; c++)
        snprintf(m.info.cutoffs[c], sizeof m.info.cutoffs[c], "202%d-01-01", c + 1);
    m.info.radius_m = 250;
    snprintf(m.info.fire_codes, sizeof m.info.fire_codes, "110-129");
    fr_error err;
    assert_int_equal(model_train(&d, &p, &m, &err), FR_OK);
    assert_true(m.info.validation_auc > 0.6);
    char path[128];
    snprintf(path, sizeof path, "%s/m.json", dir);
    assert_int_equal(model_file_write(path, &m, &err), FR_OK);
    model_trained r;
    assert_int_equal(model_file_read(path, &r, &err), FR_OK);
    assert_int_equal(r.kind, kind);
    assert_string_equal(r.info.cutoffs[2], "2023-01-01");
    assert_true(r.info.radius_m == 250);
    assert_true(r.info.validation_auc == m.info.validation_auc);
    model_points_result a, b;
    assert_int_equal(model_trained_score(&m, &f, &a, &err), FR_OK);
    assert_int_equal(model_trained_score(&r, &f, &b, &err), FR_OK);
    assert_memory_equal(a.score, b.score, f.nparcels * sizeof *a.score);
    assert_memory_equal(a.reason_feature, b.reason_feature, f.nparcels * MODEL_REASONS * sizeof *a.reason_feature);
    /* an old vacant parcel: age and vacancy raise its score, its first reasons */
    size_t i = 119 * 7; /* i % 7 == 0, i % 120 == 113 */
    assert_true(a.score[i] > a.score[1]);
    int saw_age = 0, saw_vacant = 0;
    for (int k = 0; k < MODEL_REASONS; k++) {
        saw_age |= a.reason_feature[i * MODEL_REASONS + k] == 0;
        saw_vacant |= a.reason_feature[i * MODEL_REASONS + k] == 1;
    }
    assert_true(saw_age && saw_vacant);
    for (size_t k = 0; k < f.nparcels; k++)
        assert_false(isnan(a.score[k]));
    /* a table without a feature the model needs is refused, naming it */
    free(f.names[1]);
    f.names[1] = strdup("owner_occupied");
    model_points_result c;
    assert_int_equal(model_trained_score(&r, &f, &c, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "vacant"));
    model_points_result_free(&a);
    model_points_result_free(&b);
    model_trained_free(&m);
    model_trained_free(&r);
    model_dataset_free(&d);
    model_features_free(&f);
}

static void roundtrip_logistic(void **state)
{
    (void)state;
    roundtrip(MODEL_LOGISTIC);
}

static void roundtrip_gbdt(void **state)
{
    (void)state;
    roundtrip(MODEL_GBDT);
}

static fr_status read_text(const char *text, fr_error *err)
{
    char path[128];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    model_trained m;
    fr_status st = model_file_read(path, &m, err);
    if (st == FR_OK)
        model_trained_free(&m);
    else
        assert_non_null(strstr(err->message, "bad.json"));
    return st;
}

#define HEAD "{\"format\": \"firerisk-model\", \"format_version\": 1, "
static void bad_files_refused(void **state)
{
    (void)state;
    fr_error err;
    /* a good minimal file first, so the refusals below test one thing each */
    assert_int_equal(read_text(HEAD "\"model\": \"gbdt\", \"features\": [\"a\"], \"gbdt\": {\"base\": -3, \"trees\": "
                               "[{\"feature\": [0, -1, -1], \"threshold\": [1.5, 0, 0], \"missing_left\": [1, 0, 0], "
                               "\"left\": [1, -1, -1], \"right\": [2, -1, -1], \"value\": [0, -0.1, 0.2]}]}}",
                               &err),
                     FR_OK);
    assert_int_equal(read_text(HEAD "\"model\": \"gbdt\", \"features\": [\"a\"], \"gbdt\": {\"base\": -3, \"trees\": "
                               "[{\"feature\": [0, -1, -1], \"threshold\": [1.5, 0, 0], \"missing_left\": [1, 0, 0], "
                               "\"left\": [0, -1, -1], \"right\": [2, -1, -1], \"value\": [0, -0.1, 0.2]}]}}",
                               &err),
                     FR_E_INPUT); /* a cycle: node 0's left child is itself */
    assert_non_null(strstr(err.message, "tree 0 node 0"));
    assert_int_equal(read_text(HEAD "\"model\": \"gbdt\", \"features\": [\"a\"], \"gbdt\": {\"base\": -3, \"trees\": "
                               "[{\"feature\": [3, -1, -1], \"threshold\": [1.5, 0, 0], \"missing_left\": [1, 0, 0], "
                               "\"left\": [1, -1, -1], \"right\": [2, -1, -1], \"value\": [0, -0.1, 0.2]}]}}",
                               &err),
                     FR_E_INPUT); /* feature index out of range */
    assert_int_equal(read_text(HEAD "\"model\": \"logistic\", \"features\": [\"a\"], \"logistic\": {\"intercept\": null, "
                               "\"columns\": []}}", &err),
                     FR_E_INPUT); /* a NaN written as null */
    assert_int_equal(read_text(HEAD "\"model\": \"logistic\", \"features\": [\"a\"], \"logistic\": {\"intercept\": -2, "
                               "\"columns\": [{\"feature\": \"a\", \"transform\": \"linear\", \"center\": 0, \"scale\": 0, \"coef\": 1}]}}",
                               &err),
                     FR_E_INPUT); /* scale 0 would divide by zero */
    assert_int_equal(read_text(HEAD "\"model\": \"logistic\", \"features\": [\"a\"], \"logistic\": {\"intercept\": -2, "
                               "\"columns\": [{\"feature\": \"b\", \"transform\": \"linear\", \"center\": 0, \"scale\": 1, \"coef\": 1}]}}",
                               &err),
                     FR_E_INPUT); /* a column of a feature not listed */
    assert_int_equal(read_text(HEAD "\"model\": \"logistic\", \"features\": [\"a\"", &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "not valid JSON"));
    assert_int_equal(read_text("{\"format\": \"geojson\"}", &err), FR_E_INPUT);
    assert_int_equal(read_text("{\"format\": \"firerisk-model\", \"format_version\": 2, \"model\": \"gbdt\"}", &err),
                     FR_E_INPUT);
    assert_non_null(strstr(err.message, "newer firerisk"));
    assert_int_equal(read_text(HEAD "\"model\": \"forest\"}", &err), FR_E_INPUT);
    assert_int_equal(read_text("", &err), FR_E_INPUT);
    model_trained m;
    assert_int_equal(model_file_read("/nonexistent/model.json", &m, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "/nonexistent/model.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_logistic),
        cmocka_unit_test(roundtrip_gbdt),
        cmocka_unit_test(bad_files_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
