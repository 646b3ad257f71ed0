/*
 * test_config.c — the YAML configuration: a full config parses with the
 * right values and relative paths resolved; typos, wrong types and missing
 * required keys are refused with the file and line.
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
#include "dates.h"

static void full_config(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text("as_of: 2024-07-01\n"
                               "working_crs: EPSG:32616\n"
                               "layers:\n"
                               "  parcels:\n"
                               "    source: city.gpkg\n"
                               "    layer: parcels\n"
                               "    where: \"land_use = 'SFR'\"\n"
                               "    fields: {parcel_id: PIN, year_built: YRBLT}\n"
                               "  incidents:\n"
                               "    source: PG:dbname=fire user=x password=secret\n"
                               "    geometry: {x: lon, y: lat}\n"
                               "    crs: EPSG:4326\n"
                               "    date_format: \"%m/%d/%Y\"\n"
                               "    fields: {date: alarm}\n"
                               "  zones:\n"
                               "    - {name: battalion, source: /abs/b.geojson, field: BATT}\n"
                               "join: {tolerance_m: 20, radius_m: 300}\n"
                               "features: {fire_codes: [\"100-199\", 561], fail_values: [NO]}\n"
                               "score:\n"
                               "  tiers: {high: 0.1, medium: 0.3}\n"
                               "  weights:\n"
                               "    - {feature: fires_near_3y, weight: 2, cap: 5}\n"
                               "    - {feature: owner_occupied, weight: 1, cap: 1, invert: true}\n"
                               "output: {dir: results, target_list_size: 50, shapefile: false}\n",
                               &cfg, &err),
                     FR_OK);
    assert_int_equal(cfg.as_of, fr_days_from_civil(2024, 7, 1));
    assert_string_equal(cfg.working_crs, "EPSG:32616");
    char expect[300];
    snprintf(expect, sizeof expect, "%s/city.gpkg", dir);
    assert_string_equal(cfg.parcels.source, expect);
    assert_string_equal(cfg.parcels.where, "land_use = 'SFR'");
    assert_int_equal(cfg.parcels.nfields, 2);
    assert_string_equal(cfg.parcels.fields[1].logical, "year_built");
    assert_string_equal(cfg.parcels.fields[1].source, "YRBLT");
    assert_string_equal(cfg.incidents.source, "PG:dbname=fire user=x password=secret");
    assert_null(strstr(cfg.incidents.source_label, "secret"));
    assert_string_equal(cfg.incidents.x_field, "lon");
    assert_string_equal(cfg.incidents.date_format, "%m/%d/%Y");
    assert_int_equal(cfg.nzones, 1);
    assert_string_equal(cfg.zones[0].role, "battalion");
    assert_string_equal(cfg.zones[0].source, "/abs/b.geojson");
    assert_true(cfg.tolerance_m == 20 && cfg.radius_m == 300);
    assert_int_equal(cfg.nfire_codes, 2);
    assert_true(cfg.fire_codes[0].lo == 100 && cfg.fire_codes[0].hi == 199);
    assert_true(cfg.fire_codes[1].lo == 561 && cfg.fire_codes[1].hi == 561);
    assert_int_equal(cfg.nfail_values, 1);
    assert_int_equal(cfg.nweights, 2);
    assert_true(cfg.weights[1].invert);
    assert_true(cfg.tier_high == 0.1 && cfg.tier_medium == 0.3);
    assert_int_equal(cfg.target_list_size, 50);
    assert_false(cfg.write_shapefile);
    assert_true(cfg.write_geojson);
    fr_config_free(&cfg);
}

static void expect_error(const char *text, fr_status status, const char *needle)
{
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(text, &cfg, &err), status);
    if (!strstr(err.message, needle))
        fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void refusals(void **state)
{
    (void)state;
    const char *parcels = "layers:\n  parcels:\n    source: p.gpkg\n    fields: {parcel_id: id}\n";
    char buf[1024];
    expect_error("", FR_E_CONFIG, "empty");
    expect_error("layers: [unclosed\n", FR_E_CONFIG, "not valid YAML");
    expect_error("as_of: 2024-07-01\n", FR_E_CONFIG, "layers.parcels is required");
    snprintf(buf, sizeof buf, "%sjoin:\n  tolerence_m: 5\n", parcels); /* typo */
    expect_error(buf, FR_E_CONFIG, "c.yaml:6: unknown key 'tolerence_m' in join");
    snprintf(buf, sizeof buf, "%sjoin:\n  radius_m: far\n", parcels);
    expect_error(buf, FR_E_CONFIG, "'radius_m' must be a number");
    snprintf(buf, sizeof buf, "as_of: 2024-02-30\n%s", parcels);
    expect_error(buf, FR_E_CONFIG, "as_of must be a date");
    expect_error("layers:\n  parcels:\n    source: p.gpkg\n    fields: {address: a}\n", FR_E_CONFIG, "needs parcel_id");
    expect_error("layers:\n  parcels:\n    fields: {parcel_id: a}\n", FR_E_CONFIG, "needs a 'source'");
    expect_error("layers:\n  parcels:\n    source: p\n    fields: {parcel_id: a, colour: c}\n", FR_E_CONFIG,
                 "unknown field 'colour'");
    snprintf(buf, sizeof buf, "%s  incidents:\n    source: i.csv\n    fields: {incident_type: t}\n", parcels);
    expect_error(buf, FR_E_CONFIG, "layers.incidents.fields needs date");
    snprintf(buf, sizeof buf, "%sscore:\n  model: neural\n", parcels);
    expect_error(buf, FR_E_CONFIG, "not known");
    snprintf(buf, sizeof buf, "%sscore:\n  tiers: {high: 0.5, medium: 0.2}\n", parcels);
    expect_error(buf, FR_E_CONFIG, "must be >= tiers.high");
    char path[256];
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(fr_config_load(path, &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "missing.yaml"));
    assert_int_equal(fr_config_load(dir, &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(full_config), cmocka_unit_test(refusals)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
