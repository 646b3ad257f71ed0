/*
 * test_config_allocation.c — targets.allocation and targets.equity_ratio
 * (pipeline/config/config_targets.c, config_checks.c): the defaults, a
 * proportional list with block groups, and the refusals (an unknown
 * allocation, proportional without block groups or with a capacity per
 * zone, a ratio below 1), each naming the file and the key.
 */
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

#define PARCELS "layers:\n  parcels: {source: city.gpkg, fields: {parcel_id: PIN}}\n"
#define BGS "  block_groups: {source: bg.shp, fields: {geoid: GEOID}}\n"

static void defaults_and_proportional(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(PARCELS, &cfg, &err), FR_OK);
    assert_string_equal(cfg.targets.allocation, "rank");
    assert_true(cfg.targets.equity_ratio == 1.5);
    fr_config_free(&cfg);
    assert_int_equal(load_text(PARCELS BGS "targets: {allocation: proportional, equity_ratio: 2}\n", &cfg, &err),
                     FR_OK);
    assert_string_equal(cfg.targets.allocation, "proportional");
    assert_true(cfg.targets.equity_ratio == 2);
    fr_config_free(&cfg);
}

static void refusals(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(PARCELS BGS "targets: {allocation: fair}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "targets.allocation"));
    assert_int_equal(load_text(PARCELS "targets: {allocation: proportional}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "needs layers.block_groups"));
    assert_non_null(strstr(err.message, "c.yaml"));
    assert_int_equal(load_text(PARCELS BGS "  zones:\n    - {name: battalion, source: b.geojson, field: BAT}\n"
                                           "output: {capacity_per_zone: {zone: battalion, default: 5}}\n"
                                           "targets: {allocation: proportional}\n",
                               &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "cannot be combined"));
    assert_int_equal(load_text(PARCELS BGS "targets: {equity_ratio: 0.5}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "targets.equity_ratio"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_proportional),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
