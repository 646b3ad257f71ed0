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

/* output.neighbourhood_fields: auto unless said, always, nothing else. */
static void neighbourhood_fields(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(BASE, &cfg, &err), FR_OK);
    assert_string_equal(cfg.output.neighbourhood_fields, "auto");
    fr_config_free(&cfg);
    assert_int_equal(load_text(BASE "output:\n  neighbourhood_fields: always\n", &cfg, &err), FR_OK);
    assert_string_equal(cfg.output.neighbourhood_fields, "always");
    fr_config_free(&cfg);
    assert_int_equal(load_text(BASE "output:\n  neighbourhood_fields: never\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "neighbourhood_fields"));
    assert_non_null(strstr(err.message, "always"));
}

/* output.named_geopackage and output.postgis: names of the user's choosing,
 * defaults, and the refusals that keep them out of SQL trouble. */
static void named_outputs(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(BASE "output:\n  named_geopackage: {file: fire.gpkg, targets: visit_list}\n"
                                    "  postgis: {connection: 'PG:dbname=fire', schema: gis}\n",
                               &cfg, &err),
                     FR_OK);
    assert_non_null(strstr(cfg.output.named_geopackage.file, "/fire.gpkg")); /* relative to the config */
    assert_string_equal(cfg.output.named_geopackage.layers.targets, "visit_list");
    assert_string_equal(cfg.output.named_geopackage.layers.ranked_parcels, "ranked_parcels");
    assert_string_equal(cfg.output.postgis.connection, "PG:dbname=fire");
    assert_string_equal(cfg.output.postgis.schema, "gis");
    assert_string_equal(cfg.output.postgis.table_prefix, "firerisk_");
    fr_config_free(&cfg);
    assert_int_equal(load_text(BASE, &cfg, &err), FR_OK);
    assert_null(cfg.output.named_geopackage.file);
    assert_null(cfg.output.postgis.connection);
    fr_config_free(&cfg);

    assert_int_equal(load_text(BASE "output:\n  named_geopackage: {file: f.gpkg, matches: \"a'b\"}\n", &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "c.yaml:"));
    assert_non_null(strstr(err.message, "matches 'a'b' must be 1 to"));
    assert_int_equal(load_text(BASE "output:\n  postgis: {connection: 'dbname=fire'}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "must be a GDAL connection string starting 'PG:'"));
    assert_int_equal(load_text(BASE "output:\n  postgis: {connection: 'PG:x', table_prefix: "
                                    "a_prefix_much_too_long_for_postgresql_table_names_}\n",
                               &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "table_prefix"));
    /* the ranked layer is copied from the staged GeoPackage */
    assert_int_equal(load_text(BASE "output:\n  geopackage: false\n  named_geopackage: {file: f.gpkg}\n", &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "named_geopackage needs output.geopackage: true"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(keys),
        cmocka_unit_test(refusals),
        cmocka_unit_test(neighbourhood_fields),
        cmocka_unit_test(named_outputs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
