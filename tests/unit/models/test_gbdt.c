/*
 * test_gbdt.c — boosted trees: learn a step and its threshold, learn where
 * missing values go, path contributions add up to the log-odds, early
 * stopping on a validation slice that holds no signal, the same trees at 1
 * and 2 threads, and features without a split point dropped.
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

#include "gbdt.h"
#include "train_data.h"

static uint64_t rng_state;
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* Two slices of n rows: step in 0-10 at 5 (p 0.05 / 0.6); "flag" missing
 * 30% of the time with p 0.5 when missing; "const" constant; "none" all
 * missing.  noise_slice2: the second slice's labels are coin flips. */
static void make_data(model_dataset *d, size_t n, int noise_slice2)
{
    const char *names[] = {"step", "flag", "const", "none"};
    char *nm[4] = {(char *)names[0], (char *)names[1], (char *)names[2], (char *)names[3]};
    double *v = malloc(4 * n * sizeof *v);
    uint8_t *y = malloc(n);
    fr_error err;
    assert_int_equal(model_dataset_init(d, names, 4, 2 * n, &err), FR_OK);
    rng_state = 11;
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < n; i++) {
            double x = floor(uniform() * 100) / 10, miss = uniform() < 0.3;
            v[i] = x;
            v[n + i] = miss ? NAN : 1;
            v[2 * n + i] = 7;
            v[3 * n + i] = NAN;
            double p = miss ? 0.5 : x > 5 ? 0.6 : 0.05;
            y[i] = (s == 1 && noise_slice2) ? uniform() < 0.3 : uniform() < p;
        }
        model_features f = {.nparcels = n, .nfeatures = 4, .names = nm, .values = v};
        assert_int_equal(model_dataset_append(d, &f, y, NULL, 0, 0, &err), FR_OK);
    }
    free(v);
    free(y);
}

static model_gbdt_params params(void)
{
    return (model_gbdt_params){.max_trees = 60, .max_depth = 3, .bins = 255, .early_stopping = 10,
                               .learning_rate = 0.2, .min_child_weight = 1, .l2 = 1, .min_split_gain = 0,
                               .pos_weight = 1, .neg_weight = 1};
}

static double prob(const model_gbdt *m, double step, double flag)
{
    double x[2] = {step, flag};
    return 1 / (1 + exp(-model_gbdt_raw(m, x, NULL, NULL)));
}

static void learns_step_and_missing(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 20000, 0);
    uint32_t *rows;
    size_t n;
    fr_error err;
    assert_int_equal(model_dataset_rows(&d, 0, 1, &rows, &n, &err), FR_OK);
    model_gbdt_params p = params();
    model_gbdt m;
    model_gbdt_report rep;
    assert_int_equal(model_gbdt_train(&d, rows, n, NULL, 0, &p, &m, &rep, &err), FR_OK);
    assert_int_equal(m.ntrees, 60);
    /* const and none have no split point */
    assert_int_equal(m.nfeatures, 2);
    assert_non_null(strstr(rep.dropped, "const (constant)"));
    assert_non_null(strstr(rep.dropped, "none (all missing)"));
    /* the step: either side of 5, and the threshold at 5.0 (values are tenths) */
    assert_true(fabs(prob(&m, 8, 1) - 0.6) < 0.05);
    assert_true(fabs(prob(&m, 2, 1) - 0.05) < 0.02);
    assert_true(prob(&m, 5.0, 1) < 0.1 && prob(&m, 5.1, 1) > 0.5);
    /* missing flag: learned direction (p 0.5 whatever the step) */
    assert_true(fabs(prob(&m, 2, NAN) - 0.5) < 0.06);
    assert_true(fabs(prob(&m, 8, NAN) - 0.5) < 0.06);
    /* contributions: bias + sum = log-odds, and the step is the main reason at 8 */
    double x[2] = {8, 1}, c[2], bias;
    double raw = model_gbdt_raw(&m, x, c, &bias);
    assert_true(fabs(bias + c[0] + c[1] - raw) < 1e-9);
    assert_true(c[0] > 0.5);
    model_gbdt_free(&m);
    model_dataset_free(&d);
    free(rows);
}

static void early_stopping_on_validation(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 20000, 1);
    uint32_t *tr, *va;
    size_t ntr, nva;
    fr_error err;
    assert_int_equal(model_dataset_rows(&d, 0, 0, &tr, &ntr, &err), FR_OK);
    assert_int_equal(model_dataset_rows(&d, 1, 1, &va, &nva, &err), FR_OK);
    model_gbdt_params p = params();
    p.max_trees = 500;
    model_gbdt m;
    model_gbdt_report rep;
    assert_int_equal(model_gbdt_train(&d, tr, ntr, va, nva, &p, &m, &rep, &err), FR_OK);
    /* the validation labels are noise: more trees only hurt, it stops early */
    assert_true(m.ntrees < 20);
    assert_int_equal(rep.trees, m.ntrees);
    assert_true(isfinite(rep.best_validation_loss));
    model_gbdt_free(&m);
    model_dataset_free(&d);
    free(tr);
    free(va);
}

static void same_trees_at_any_thread_count(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 15000, 0);
    uint32_t *tr, *va;
    size_t ntr, nva;
    fr_error err;
    assert_int_equal(model_dataset_rows(&d, 0, 0, &tr, &ntr, &err), FR_OK);
    assert_int_equal(model_dataset_rows(&d, 1, 1, &va, &nva, &err), FR_OK);
    model_gbdt_params p = params();
    p.max_depth = 5;
    model_gbdt a, b;
    model_gbdt_report rep;
    omp_set_num_threads(1);
    assert_int_equal(model_gbdt_train(&d, tr, ntr, va, nva, &p, &a, &rep, &err), FR_OK);
    omp_set_num_threads(2);
    assert_int_equal(model_gbdt_train(&d, tr, ntr, va, nva, &p, &b, &rep, &err), FR_OK);
    assert_int_equal(a.ntrees, b.ntrees);
    assert_memory_equal(a.tree_start, b.tree_start, (a.ntrees + 1) * sizeof *a.tree_start);
    for (size_t k = 0; k < a.tree_start[a.ntrees]; k++) {
        assert_int_equal(a.nodes[k].feature, b.nodes[k].feature);
        assert_int_equal(a.nodes[k].left, b.nodes[k].left);
        assert_memory_equal(&a.nodes[k].value, &b.nodes[k].value, sizeof(double));
        assert_memory_equal(&a.nodes[k].threshold, &b.nodes[k].threshold, sizeof(double));
    }
    model_gbdt_free(&a);
    model_gbdt_free(&b);
    model_dataset_free(&d);
    free(tr);
    free(va);
}

static void bad_settings_refused(void **state)
{
    (void)state;
    model_dataset d;
    make_data(&d, 1000, 0);
    uint32_t *rows;
    size_t n;
    fr_error err;
    assert_int_equal(model_dataset_rows(&d, 0, 1, &rows, &n, &err), FR_OK);
    model_gbdt_params p = params();
    p.bins = 1;
    model_gbdt m;
    model_gbdt_report rep;
    assert_int_equal(model_gbdt_train(&d, rows, n, NULL, 0, &p, &m, &rep, &err), FR_E_CONFIG);
    model_dataset_free(&d);
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(learns_step_and_missing),
        cmocka_unit_test(early_stopping_on_validation),
        cmocka_unit_test(same_trees_at_any_thread_count),
        cmocka_unit_test(bad_settings_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
