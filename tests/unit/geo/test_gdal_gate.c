/*
 * test_gdal_gate.c — the GDAL error gate: the first failure is kept and
 * reported with what was being done, warnings are kept but never reported,
 * a failure already reported keeps its own message, clear forgets, gates
 * nest and pop exactly their own handler, and two threads capture their own
 * errors at the same time.  Errors are raised with CPLError, as a driver
 * raises them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <omp.h>

#include <cpl_error.h>

#include "gdal_gate.h"

static void first_failure_is_reported_with_context(void **state)
{
    (void)state;
    geo_gdal_gate g;
    geo_gdal_gate_begin(&g);
    CPLError(CE_Warning, CPLE_AppDefined, "a warning before");
    CPLError(CE_Failure, CPLE_FileIO, "disk full");
    CPLError(CE_Failure, CPLE_AppDefined, "cannot commit");
    assert_true(geo_gdal_gate_failed(&g));
    assert_int_equal(g.failure_class, CE_Failure);
    assert_int_equal(g.failure_num, CPLE_FileIO);
    fr_error err = {0};
    assert_int_equal(geo_gdal_gate_end(&g, FR_OK, &err, FR_E_OUTPUT, "%s: closing failed", "out.gpkg"), FR_E_OUTPUT);
    assert_int_equal(err.status, FR_E_OUTPUT);
    assert_string_equal(err.message, "out.gpkg: closing failed: disk full");
}

static void warnings_are_kept_not_reported(void **state)
{
    (void)state;
    geo_gdal_gate g;
    geo_gdal_gate_begin(&g);
    CPLError(CE_Warning, CPLE_AppDefined, "recoded");
    CPLError(CE_Warning, CPLE_AppDefined, "truncated");
    assert_false(geo_gdal_gate_failed(&g));
    assert_int_equal(g.warnings, 2);
    assert_string_equal(geo_gdal_gate_msg(&g, "none"), "truncated");
    fr_error err = {.message = "untouched"};
    assert_int_equal(geo_gdal_gate_end(&g, FR_OK, &err, FR_E_OUTPUT, "writing"), FR_OK);
    assert_string_equal(err.message, "untouched");
}

static void reported_failure_keeps_its_message(void **state)
{
    (void)state;
    geo_gdal_gate g;
    geo_gdal_gate_begin(&g);
    CPLError(CE_Failure, CPLE_AppDefined, "driver refused the row");
    fr_error err;
    fr_status st = geo_gdal_gate_error(&g, &err, FR_E_OUTPUT, "unused", "%s: table '%s': cannot write row %d",
                                       "out.gpkg", "rejects", 3);
    assert_string_equal(err.message, "out.gpkg: table 'rejects': cannot write row 3: driver refused the row");
    assert_int_equal(geo_gdal_gate_check(&g, st, &err, FR_E_INTERNAL, "flush"), FR_E_OUTPUT);
    assert_int_equal(geo_gdal_gate_end(&g, st, &err, FR_E_INTERNAL, "closing"), FR_E_OUTPUT);
    assert_string_equal(err.message, "out.gpkg: table 'rejects': cannot write row 3: driver refused the row");
}

static void fallback_when_gdal_says_nothing(void **state)
{
    (void)state;
    geo_gdal_gate g;
    geo_gdal_gate_begin(&g);
    fr_error err;
    geo_gdal_gate_error(&g, &err, FR_E_OUTPUT, "driver refused the layer", "%s: cannot create layer", "a.shp");
    assert_string_equal(err.message, "a.shp: cannot create layer: driver refused the layer");
    assert_null(geo_gdal_gate_msg(&g, NULL));
    geo_gdal_gate_end_quiet(&g);
}

static void clear_forgets_a_handled_failure(void **state)
{
    (void)state;
    geo_gdal_gate g;
    geo_gdal_gate_begin(&g);
    CPLError(CE_Failure, CPLE_AppDefined, "record 1 is corrupt");
    assert_true(geo_gdal_gate_failed(&g));
    geo_gdal_gate_clear(&g);
    assert_false(geo_gdal_gate_failed(&g));
    CPLError(CE_Failure, CPLE_AppDefined, "record 2 is corrupt");
    assert_string_equal(geo_gdal_gate_msg(&g, NULL), "record 2 is corrupt");
    geo_gdal_gate_clear(&g);
    fr_error err;
    assert_int_equal(geo_gdal_gate_end(&g, FR_OK, &err, FR_E_INPUT, "reading"), FR_OK);
}

static void gates_nest_and_pop_their_own_handler(void **state)
{
    (void)state;
    geo_gdal_gate outer, inner;
    geo_gdal_gate_begin(&outer);
    geo_gdal_gate_begin(&inner);
    CPLError(CE_Failure, CPLE_AppDefined, "inner failure");
    geo_gdal_gate_end_quiet(&inner);
    assert_true(geo_gdal_gate_failed(&inner));
    assert_false(geo_gdal_gate_failed(&outer));
    CPLError(CE_Failure, CPLE_AppDefined, "outer failure");
    assert_string_equal(geo_gdal_gate_msg(&outer, NULL), "outer failure");
    geo_gdal_gate_end_quiet(&outer);
    assert_string_equal(geo_gdal_gate_msg(&inner, NULL), "inner failure");
}

/* Two threads raise at once; each gate holds only its own thread's errors. */
static void threads_capture_their_own_errors(void **state)
{
    (void)state;
    char got[2][GEO_GDAL_GATE_MSG] = {"", ""};
    int failures[2] = {0, 0}, threads = 1;
#pragma omp parallel num_threads(2)
    {
        int t = omp_get_thread_num();
#pragma omp single
        threads = omp_get_num_threads();
        geo_gdal_gate g;
        geo_gdal_gate_begin(&g);
        for (int k = 0; k < 2000; k++)
            CPLError(CE_Failure, CPLE_AppDefined, "thread %d error %d", t, k);
        geo_gdal_gate_end_quiet(&g);
        if (t < 2) {
            snprintf(got[t], sizeof got[t], "%s", geo_gdal_gate_msg(&g, ""));
            failures[t] = geo_gdal_gate_failed(&g);
        }
    }
    for (int t = 0; t < threads; t++) {
        char want[64];
        snprintf(want, sizeof want, "thread %d error 0", t);
        assert_true(failures[t]);
        assert_string_equal(got[t], want);
    }
}

int main(void)
{
    /* Threads without a gate stay silent, as in the program (geo_init). */
    geo_gdal_gate_quiet_default();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_failure_is_reported_with_context),
        cmocka_unit_test(warnings_are_kept_not_reported),
        cmocka_unit_test(reported_failure_keeps_its_message),
        cmocka_unit_test(fallback_when_gdal_says_nothing),
        cmocka_unit_test(clear_forgets_a_handled_failure),
        cmocka_unit_test(gates_nest_and_pop_their_own_handler),
        cmocka_unit_test(threads_capture_their_own_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
