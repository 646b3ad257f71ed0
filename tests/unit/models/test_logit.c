/*
 * test_logit.c — logistic regression: recovers planted coefficients,
 * standardises, imputes and flags missing values, drops constant and
 * all-missing features, is bit-identical at 1 and 2 threads, and refuses a
 * single-class sample.
 */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "logit.h"
#include "train_data.h"

static uint64_t rng_state;
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}
static double normal(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* n rows: x0 normal, x1 0/1, x2 constant 3, x3 all missing, x4 normal with 20% missing (no effect).
 * logit p = -1 + 1.5 x0 + 0.8 x1 */
static void make_data(model_dataset *d, size_t n, uint32_t **rows)
{
    const char *names[] = {"x0", "x1", "x2", "x3", "x4"};
    double *v = malloc(5 * n * sizeof *v);
    uint8_t *y = malloc(n);
    rng_state = 42;
    for (size_t i = 0; i < n; i++) {
        double x0 = normal(), x1 = uniform() < 0.4;
        v[i] = x0;
        v[n + i] = x1;
        v[2 * n + i] = 3;
        v[3 * n + i] = NAN;
        v[4 * n + i] = uniform() < 0.2 ? NAN : normal();
        y[i] = uniform() < 1 / (1 + exp(-(-1 + 1.5 * x0 + 0.8 * x1)));
    }
    char *nm[5];
    for (int k = 0; k < 5; k++)
        nm[k] = (char *)names[k];
    model_features f = {.nparcels = n, .nfeatures = 5, .names = nm, .values = v};
    fr_error err;
    assert_int_equal(model_dataset_init(d, names, 5, n, &err), FR_OK);
    assert_int_equal(model_dataset_append(d, &f, y, NULL, 0, 0, &err), FR_OK);
    assert_int_equal(model_dataset_rows(d, 0, 0, rows, &n, &err), FR_OK);
    free(v);
    free(y);
}

static const model_logit_column *find_col(const model_logit *m, const char *name, model_column_kind kind)
{
    for (size_t c = 0; c < m->ncolumns; c++)
        if (!strcmp(m->names[m->columns[c].feature], name) && m->columns[c].kind == kind)
            return &m->columns[c];
    return NULL;
}

static void recovers_planted_coefficients(void **state)
{
    (void)state;
    model_dataset d;
    uint32_t *rows;
    size_t n = 40000;
    make_data(&d, n, &rows);
    model_logit_params p = {.l2 = 1e-3, .max_iterations = 50, .pos_weight = 1, .neg_weight = 1};
    model_logit m;
    model_logit_report rep;
    fr_error err;
    assert_int_equal(model_logit_train(&d, rows, n, &p, &m, &rep, &err), FR_OK);
    assert_true(rep.converged);
    /* coefficient per raw unit = coef / scale */
    const model_logit_column *c0 = find_col(&m, "x0", MODEL_COL_LINEAR), *c1 = find_col(&m, "x1", MODEL_COL_LINEAR);
    assert_non_null(c0);
    assert_non_null(c1);
    assert_true(fabs(c0->coef / c0->scale - 1.5) < 0.08);
    assert_true(fabs(c1->coef / c1->scale - 0.8) < 0.08);
    double icpt = m.intercept - c0->coef * c0->center / c0->scale - c1->coef * c1->center / c1->scale;
    /* x4 has no effect; its imputed mean and missing flag shift the intercept a little */
    assert_true(fabs(icpt - (-1.0)) < 0.12);
    /* no log1p column for a feature with negative values or a 0/1 one */
    assert_null(find_col(&m, "x0", MODEL_COL_LOG1P));
    assert_null(find_col(&m, "x1", MODEL_COL_LOG1P));
    /* constant and all-missing features are dropped and reported */
    assert_int_equal(m.nfeatures, 3);
    assert_non_null(strstr(rep.dropped, "x2 (constant)"));
    assert_non_null(strstr(rep.dropped, "x3 (all missing)"));
    /* x4: a missing flag, and a missing value is imputed at the mean (z = 0) */
    const model_logit_column *m4 = find_col(&m, "x4", MODEL_COL_MISSING), *l4 = find_col(&m, "x4", MODEL_COL_LINEAR);
    assert_non_null(m4);
    assert_true(fabs(m4->center - 0.2) < 0.01);
    assert_true(model_logit_z(l4, NAN) == 0.0);
    assert_true(model_logit_z(m4, NAN) > 0 && model_logit_z(m4, 1.0) < 0);
    /* contributions add up to the log-odds */
    double x[3] = {1.0, 1.0, NAN}, contrib[3];
    double raw = model_logit_raw(&m, x, contrib);
    assert_true(fabs(m.intercept + contrib[0] + contrib[1] + contrib[2] - raw) < 1e-12);
    assert_true(contrib[0] > 0 && contrib[1] > 0);
    model_logit_free(&m);
    model_dataset_free(&d);
    free(rows);
}

static void same_bits_at_any_thread_count(void **state)
{
    (void)state;
    model_dataset d;
    uint32_t *rows;
    size_t n = 30000;
    make_data(&d, n, &rows);
    model_logit_params p = {.l2 = 1, .max_iterations = 50, .pos_weight = 3, .neg_weight = 1};
    model_logit a, b;
    model_logit_report rep;
    fr_error err;
    omp_set_num_threads(1);
    assert_int_equal(model_logit_train(&d, rows, n, &p, &a, &rep, &err), FR_OK);
    omp_set_num_threads(2);
    assert_int_equal(model_logit_train(&d, rows, n, &p, &b, &rep, &err), FR_OK);
    assert_int_equal(a.ncolumns, b.ncolumns);
    assert_memory_equal(a.columns, b.columns, a.ncolumns * sizeof *a.columns);
    assert_memory_equal(&a.intercept, &b.intercept, sizeof a.intercept);
    model_logit_free(&a);
    model_logit_free(&b);
    model_dataset_free(&d);
    free(rows);
}

static void log1p_column_for_counts(void **state)
{
    (void)state;
    /* a count whose effect is logarithmic gets a log1p column */
    size_t n = 20000;
    const char *names[] = {"count"};
    double *v = malloc(n * sizeof *v);
    uint8_t *y = malloc(n);
    rng_state = 7;
    for (size_t i = 0; i < n; i++) {
        v[i] = floor(exp(4 * uniform())) - 1;
        y[i] = uniform() < 1 / (1 + exp(-(-3 + 1.2 * log1p(v[i]))));
    }
    char *nm[] = {(char *)names[0]};
    model_features f = {.nparcels = n, .nfeatures = 1, .names = nm, .values = v};
    model_dataset d;
    uint32_t *rows;
    fr_error err;
    assert_int_equal(model_dataset_init(&d, names, 1, n, &err), FR_OK);
    assert_int_equal(model_dataset_append(&d, &f, y, NULL, 0, 0, &err), FR_OK);
    assert_int_equal(model_dataset_rows(&d, 0, 0, &rows, &n, &err), FR_OK);
    model_logit_params p = {.l2 = 1e-3, .max_iterations = 50, .pos_weight = 1, .neg_weight = 1};
    model_logit m;
    model_logit_report rep;
    assert_int_equal(model_logit_train(&d, rows, n, &p, &m, &rep, &err), FR_OK);
    const model_logit_column *lc = find_col(&m, "count", MODEL_COL_LOG1P);
    assert_non_null(lc);
    assert_true(fabs(lc->coef / lc->scale - 1.2) < 0.35);
    model_logit_free(&m);
    model_dataset_free(&d);
    free(rows);
    free(v);
    free(y);
}

static void single_class_refused(void **state)
{
    (void)state;
    size_t n = 100;
    const char *names[] = {"a"};
    double v[100];
    uint8_t y[100] = {0};
    for (size_t i = 0; i < n; i++)
        v[i] = (double)i;
    char *nm[] = {(char *)names[0]};
    model_features f = {.nparcels = n, .nfeatures = 1, .names = nm, .values = v};
    model_dataset d;
    uint32_t *rows;
    fr_error err;
    assert_int_equal(model_dataset_init(&d, names, 1, n, &err), FR_OK);
    assert_int_equal(model_dataset_append(&d, &f, y, NULL, 0, 0, &err), FR_OK);
    assert_int_equal(model_dataset_rows(&d, 0, 0, &rows, &n, &err), FR_OK);
    model_logit_params p = {.l2 = 1, .max_iterations = 50, .pos_weight = 1, .neg_weight = 1};
    model_logit m;
    model_logit_report rep;
    assert_int_equal(model_logit_train(&d, rows, n, &p, &m, &rep, &err), FR_E_INPUT);
    assert_non_null(strstr(err.message, "both fires and homes without"));
    model_dataset_free(&d);
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovers_planted_coefficients),
        cmocka_unit_test(same_bits_at_any_thread_count),
        cmocka_unit_test(log1p_column_for_counts),
        cmocka_unit_test(single_class_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
