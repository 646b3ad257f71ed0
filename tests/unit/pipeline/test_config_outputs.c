/*
 * test_config_outputs.c — the output keys of the analyst outputs
 * (pipeline/config/config_output.c): defaults, booleans, capacity per zone
 * with limits, and the refusals (a zone that is not configured, no zone,
 * a negative limit, an unknown key), each naming the file and line.
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

#define BASE "layers:\n  parcels: {source: city.gpkg, fields: {parcel_id: PIN}}\n" \
             "  zones:\n    - {name: battalion, source: b.geojson, field: BAT}\n"

static void defaults(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(BASE, &cfg, &err), FR_OK);
    assert_true(cfg.output.geopackage);
    assert_true(cfg.output.geopackage_spatial_index);
    assert_true(cfg.output.style);
    assert_true(cfg.output.report);
    assert_null(cfg.output.capacity_per_zone.zone);
    fr_config_free(&cfg);
}

static void keys(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    /* output before layers: the zone is checked after the whole file */
    assert_int_equal(load_text("output:\n  geopackage: false\n  geopackage_spatial_index: no\n  style: false\n"
                               "  report: false\n"
                               "  capacity_per_zone:\n    zone: battalion\n    default: 50\n"
                               "    limits: {\"1\": 80, \"7\": 0}\n" BASE,
                               &cfg, &err),
                     FR_OK);
    assert_false(cfg.output.geopackage);
    assert_false(cfg.output.geopackage_spatial_index);
    assert_false(cfg.output.style);
    assert_false(cfg.output.report);
    assert_string_equal(cfg.output.capacity_per_zone.zone, "battalion");
    assert_int_equal(cfg.output.capacity_per_zone.default_limit, 50);
    assert_int_equal(cfg.output.capacity_per_zone.nlimits, 2);
    assert_string_equal(cfg.output.capacity_per_zone.limits[0].label, "1");
    assert_int_equal(cfg.output.capacity_per_zone.limits[0].limit, 80);
    assert_int_equal(cfg.output.capacity_per_zone.limits[1].limit, 0);
    fr_config_free(&cfg);
    /* without default: no limit for unlisted labels */
    assert_int_equal(load_text(BASE "output:\n  capacity_per_zone: {zone: battalion}\n", &cfg, &err), FR_OK);
    assert_int_equal(cfg.output.capacity_per_zone.default_limit, -1);
    fr_config_free(&cfg);
}

static void refusals(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(BASE "output:\n  capacity_per_zone: {zone: district, default: 5}\n", &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "c.yaml:6"));
    assert_non_null(strstr(err.message, "'district' is not the name of one of layers.zones"));
    assert_int_equal(load_text(BASE "output:\n  capacity_per_zone: {default: 5}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "needs 'zone'"));
    assert_int_equal(load_text(BASE "output:\n  capacity_per_zone: {zone: battalion, default: -1}\n", &cfg, &err),
                     FR_E_CONFIG);
    assert_int_equal(load_text(BASE "output:\n  capacity_per_zone: {zone: battalion, limits: {\"1\": lots}}\n",
                               &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "'output.capacity_per_zone.limits.1' must be a number"));
    assert_int_equal(load_text(BASE "output:\n  capacity_per_zone: {zone: battalion, size: 3}\n", &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "unknown key 'size'"));
    assert_int_equal(load_text(BASE "output:\n  report: maybe\n", &cfg, &err), FR_E_CONFIG);
    assert_int_equal(load_text(BASE "output:\n  geopackge: true\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "geopackage, geopackage_spatial_index, style, report, capacity_per_zone"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(keys),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
