/*
 * test_monotone.c — monotone constraints: a gbdt constrained to rise with a
 * feature never lowers its score as that feature grows, whatever the other
 * features (a property checked over a grid, on data whose risk falls then
 * rises with it, where the free model does lower it); a decreasing
 * constraint likewise; the logistic model's constrained coefficients keep
 * their sign.  Also the other per-feature choices of a training: a feature
 * left out (`use`) is not in the model, and the importance of each feature
 * (gain shares, standardised |coefficients|) sums to 1 and ranks the
 * informative feature first.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gbdt.h"
#include "logit.h"
#include "train_model.h"

#define N 20000

/* x in 0..99 with risk high at both ends (falls, then rises), z noise-ish. */
static void make_data(model_dataset *d, uint32_t **rows)
{
    static const char *names[] = {"x", "z"};
    model_features f = {.nparcels = N, .nfeatures = 2};
    char *fn[2] = {strdup("x"), strdup("z")};
    f.names = fn;
    f.values = malloc(2 * N * sizeof *f.values);
    uint8_t *y = malloc(N);
    uint64_t s = 11;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        double x = (double)(i % 100), z = (double)((i * 7919) % 13);
        f.values[i] = x;
        f.values[N + i] = z;
        double eta = -3 + 0.0008 * (x - 40) * (x - 40) + 0.1 * z;
        y[i] = u < 1 / (1 + exp(-eta));
    }
    fr_error err;
    assert_int_equal(model_dataset_init(d, names, 2, N, &err), FR_OK);
    assert_int_equal(model_dataset_append(d, &f, y, NULL, 0, 0, &err), FR_OK);
    *rows = malloc(N * sizeof **rows);
    for (uint32_t r = 0; r < N; r++)
        (*rows)[r] = r;
    free(y);
    free(f.values);
    free(fn[0]);
    free(fn[1]);
}

/* The largest fall of the score as x steps up, over every z; negative
 * means it rose or stayed everywhere. */
static double largest_fall(const model_gbdt *m, int direction)
{
    double worst = -INFINITY;
    for (int z = 0; z < 13; z++) {
        double prev = NAN;
        for (int xi = -5; xi <= 105; xi++) {
            double x[2] = {xi, z};
            double v = direction * model_gbdt_raw(m, x, NULL, NULL);
            if (!isnan(prev))
                worst = fmax(worst, prev - v);
            prev = v;
        }
    }
    return worst;
}

static model_gbdt fit_gbdt(const model_dataset *d, const uint32_t *rows, const int8_t *mono)
{
    model_gbdt_params p = {.max_trees = 60, .max_depth = 4, .bins = 64, .learning_rate = 0.1,
                           .min_child_weight = 1, .l2 = 1, .pos_weight = 1, .neg_weight = 1, .monotone = mono};
    model_gbdt m;
    model_gbdt_report rep;
    fr_error err;
    assert_int_equal(model_gbdt_train(d, rows, N, NULL, 0, &p, &m, &rep, &err), FR_OK);
    return m;
}

static void gbdt_never_lowers_its_score_as_a_constrained_feature_grows(void **state)
{
    (void)state;
    model_dataset d;
    uint32_t *rows;
    make_data(&d, &rows);
    model_gbdt free_model = fit_gbdt(&d, rows, NULL);
    assert_true(largest_fall(&free_model, 1) > 1e-3); /* the data alone does make it fall */
    const int8_t up[2] = {1, 0}, down[2] = {-1, 0};
    model_gbdt inc = fit_gbdt(&d, rows, up), dec = fit_gbdt(&d, rows, down);
    assert_true(largest_fall(&inc, 1) <= 0);
    assert_true(largest_fall(&dec, -1) <= 0);
    assert_true(inc.ntrees > 0);
    model_gbdt_free(&free_model);
    model_gbdt_free(&inc);
    model_gbdt_free(&dec);
    model_dataset_free(&d);
    free(rows);
}

/* Risk falls with x on the rows kept here (x < 40): the free coefficient is
 * negative, the constrained one is held at 0. */
static void logistic_keeps_the_sign_of_a_constrained_feature(void **state)
{
    (void)state;
    model_dataset d;
    uint32_t *rows;
    make_data(&d, &rows);
    size_t n = 0;
    for (uint32_t r = 0; r < N; r++)
        if (d.x[r] < 40)
            rows[n++] = r;
    model_logit_params p = {.l2 = 1, .max_iterations = 50, .pos_weight = 1, .neg_weight = 1};
    model_logit a, b;
    model_logit_report rep;
    fr_error err;
    assert_int_equal(model_logit_train(&d, rows, n, &p, &a, &rep, &err), FR_OK);
    const int8_t up[2] = {1, 0};
    p.monotone = up;
    assert_int_equal(model_logit_train(&d, rows, n, &p, &b, &rep, &err), FR_OK);
    int saw_negative = 0;
    for (size_t c = 0; c < a.ncolumns; c++)
        saw_negative |= a.columns[c].feature == 0 && a.columns[c].coef < 0;
    assert_true(saw_negative);
    for (size_t c = 0; c < b.ncolumns; c++)
        if (b.columns[c].feature == 0 && b.columns[c].kind != MODEL_COL_MISSING)
            assert_true(b.columns[c].coef >= 0);
    model_logit_free(&a);
    model_logit_free(&b);
    model_dataset_free(&d);
    free(rows);
}

static void a_feature_left_out_is_not_in_the_model_and_importance_ranks(void **state)
{
    (void)state;
    model_dataset d;
    uint32_t *rows;
    make_data(&d, &rows);
    fr_error err;
    const uint8_t only_z[2] = {0, 1};
    for (int kind = MODEL_LOGISTIC; kind <= MODEL_GBDT; kind++) {
        model_trained m = {0};
        m.kind = (model_kind)kind;
        model_gbdt_report grep;
        model_logit_report lrep;
        model_gbdt_params gp = {.max_trees = 30, .max_depth = 3, .bins = 64, .learning_rate = 0.1,
                                .min_child_weight = 1, .l2 = 1, .pos_weight = 1, .neg_weight = 1};
        model_logit_params lp = {.l2 = 1, .max_iterations = 50, .pos_weight = 1, .neg_weight = 1};
        if (kind == MODEL_GBDT)
            assert_int_equal(model_gbdt_train(&d, rows, N, NULL, 0, &gp, &m.gbdt, &grep, &err), FR_OK);
        else
            assert_int_equal(model_logit_train(&d, rows, N, &lp, &m.logit, &lrep, &err), FR_OK);
        assert_int_equal(model_trained_nfeatures(&m), 2);
        double imp[2];
        model_trained_importance(&m, imp);
        assert_true(fabs(imp[0] + imp[1] - 1) < 1e-12);
        if (kind == MODEL_GBDT)
            assert_true(imp[0] > imp[1]); /* x carries the U-shaped risk, z a little */
        model_trained_free(&m);
        gp.use = lp.use = only_z;
        if (kind == MODEL_GBDT)
            assert_int_equal(model_gbdt_train(&d, rows, N, NULL, 0, &gp, &m.gbdt, &grep, &err), FR_OK);
        else
            assert_int_equal(model_logit_train(&d, rows, N, &lp, &m.logit, &lrep, &err), FR_OK);
        m.kind = (model_kind)kind;
        assert_int_equal(model_trained_nfeatures(&m), 1);
        assert_string_equal(model_trained_feature(&m, 0), "z");
        assert_string_equal(kind == MODEL_GBDT ? grep.dropped : lrep.dropped, ""); /* left out, not "dropped" */
        model_trained_free(&m);
    }
    model_dataset_free(&d);
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gbdt_never_lowers_its_score_as_a_constrained_feature_grows),
        cmocka_unit_test(logistic_keeps_the_sign_of_a_constrained_feature),
        cmocka_unit_test(a_feature_left_out_is_not_in_the_model_and_importance_ranks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
