/*
 * test_config.c — the YAML configuration: a full config parses with the
 * right values and relative paths resolved; typos, wrong types and missing
 * required keys are refused with the file and line.  The key tables
 * (config_keys.h): every row is complete (help, a count for lists, a parser
 * for custom keys), a config without keys loads to the documented defaults,
 * the unknown-key message lists exactly a table's keys, and what loaded
 * before the tables (cut-off fractions, `weights: []`) loads as it did.
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
#include "config_keys.h"
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
    assert_string_equal(cfg.layers.parcels.source, expect);
    assert_string_equal(cfg.layers.parcels.where, "land_use = 'SFR'");
    assert_int_equal(cfg.layers.parcels.nfields, 2);
    assert_string_equal(cfg.layers.parcels.fields[1].logical, "year_built");
    assert_string_equal(cfg.layers.parcels.fields[1].source, "YRBLT");
    assert_string_equal(cfg.layers.incidents.source, "PG:dbname=fire user=x password=secret");
    assert_null(strstr(cfg.layers.incidents.source_label, "secret"));
    assert_string_equal(cfg.layers.incidents.geometry.x, "lon");
    assert_string_equal(cfg.layers.incidents.date_format, "%m/%d/%Y");
    assert_int_equal(cfg.layers.nzones, 1);
    assert_string_equal(cfg.layers.zones[0].role, "battalion");
    assert_string_equal(cfg.layers.zones[0].source, "/abs/b.geojson");
    assert_true(cfg.join.tolerance_m == 20 && cfg.join.radius_m == 300);
    assert_int_equal(cfg.features.nfire_codes, 2);
    assert_true(cfg.features.fire_codes[0].lo == 100 && cfg.features.fire_codes[0].hi == 199);
    assert_true(cfg.features.fire_codes[1].lo == 561 && cfg.features.fire_codes[1].hi == 561);
    assert_int_equal(cfg.features.nfail_values, 1);
    assert_int_equal(cfg.score.nweights, 2);
    assert_true(cfg.score.weights[1].invert);
    assert_true(cfg.score.tiers.high == 0.1 && cfg.score.tiers.medium == 0.3);
    assert_int_equal(cfg.output.target_list_size, 50);
    assert_false(cfg.output.shapefile);
    assert_true(cfg.output.geojson);
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
    expect_error(buf, FR_E_CONFIG, "c.yaml:6: 'join.radius_m' must be a number");
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

#define HEAD "layers:\n  parcels:\n    source: p.gpkg\n    fields: {parcel_id: PIN}\n"

static void check_rows(const cfg_section *s, int depth)
{
    assert_true(depth < 8);
    if (s->extends)
        check_rows(s->extends, depth + 1);
    for (size_t i = 0; i < s->nkeys; i++) {
        const cfg_key *k = &s->keys[i];
        if (k->type == CFG_SECTION) {
            assert_non_null(k->section);
            check_rows(k->section, depth + 1);
            continue;
        }
        if (!k->help || !*k->help)
            fail_msg("key '%s' has no help (docs/CONFIG.md is generated from it)", k->key);
        if (k->type == CFG_TEXT_LIST || k->type == CFG_LIST)
            assert_true(k->count != 0);
        if (k->type == CFG_LIST) {
            assert_non_null(k->section);
            assert_true(k->section->size != 0);
            check_rows(k->section, depth + 1);
        }
        if (k->type == CFG_CUSTOM)
            assert_non_null(k->parse);
        if (k->type == CFG_CHOICE)
            assert_non_null(k->choices);
        if (k->valid)
            assert_non_null(k->must);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s->keys[j].key, k->key);
    }
}

static void rows_complete(void **state)
{
    (void)state;
    check_rows(&cfg_root_section, 0);
}

static void defaults(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(HEAD "  inspections: {source: i.csv, fields: {date: d}}\n", &cfg, &err), FR_OK);
    assert_false(cfg.as_of_set);
    assert_null(cfg.working_crs);
    assert_int_equal(cfg.layers.inspections.address_range, 10);
    assert_int_equal(cfg.layers.inspections.njoin_steps, 0);
    assert_true(cfg.join.tolerance_m == 15 && cfg.join.radius_m == 250 && cfg.join.study_area_km == 500);
    assert_int_equal(cfg.features.nfire_codes, 1);
    assert_true(cfg.features.fire_codes[0].lo == 110 && cfg.features.fire_codes[0].hi == 129);
    assert_int_equal(cfg.features.nfail_values, 7);
    assert_string_equal(cfg.features.fail_values[6], "NONCOMPLIANT");
    assert_null(cfg.features.fail_values[7]);
    assert_string_equal(cfg.score.model, "points");
    assert_int_equal(cfg.score.nweights, 10);
    assert_string_equal(cfg.score.weights[6].feature, "owner_occupied");
    assert_true(cfg.score.weights[6].invert && !cfg.score.weights[5].invert);
    assert_true(cfg.score.weights[9].cap == 0.5 && cfg.score.weights[5].weight == 1.5);
    assert_true(cfg.score.tiers.high == 0.05 && cfg.score.tiers.medium == 0.20);
    assert_true(cfg.score.gbdt.max_trees == 1000 && cfg.score.gbdt.bins == 255 && cfg.score.gbdt.early_stopping == 30);
    assert_true(cfg.score.gbdt.min_child_weight == 1 && cfg.score.gbdt.l2 == 1 && cfg.score.gbdt.min_split_gain == 0);
    assert_int_equal(cfg.score.logistic.max_iterations, 50);
    assert_null(cfg.output.dir);
    assert_int_equal(cfg.output.target_list_size, 500);
    assert_true(cfg.output.geojson && cfg.output.shapefile);
    assert_int_equal(cfg.output.coordinate_precision, 7);
    assert_string_equal(cfg.output.writer, "native");
    assert_int_equal(cfg.output.capacity_per_zone.default_limit, CFG_NO_LIMIT);
    fr_config_free(&cfg);
}

/* The message lists the table's keys, those of the sections it extends first. */
static void unknown_key_lists_the_table(void **state)
{
    (void)state;
    char allowed[400], want[500];
    fr_config cfg;
    fr_error err = {0};
    cfg_list_keys(&cfg_output_section, allowed, sizeof allowed);
    assert_non_null(strstr(allowed, "dir, target_list_size, geojson"));
    snprintf(want, sizeof want, "c.yaml:6: unknown key 'colour' in output (allowed: %s)", allowed);
    assert_int_equal(load_text(HEAD "output:\n  colour: red\n", &cfg, &err), FR_E_CONFIG);
    if (!strstr(err.message, want))
        fail_msg("'%s' not in '%s'", want, err.message);
    assert_int_equal(load_text(HEAD "  stations: {source: s.csv, join: [nearest]}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "unknown key 'join' in layers.stations (allowed: source, layer, where, crs, "
                                        "open_options, geometry, date_format, fields)"));
    assert_int_equal(load_text(HEAD "  zones:\n    - {name: b, source: z.csv, field: B, fields: {}}\n", &cfg, &err),
                     FR_E_CONFIG);
    assert_non_null(strstr(err.message, "unknown key 'fields' in layers.zones[0] (allowed: source, layer, where, crs, "
                                        "open_options, name, field)"));
}

/* What loaded before the tables loads to the same values. */
static void kept_behaviour(void **state)
{
    (void)state;
    fr_config cfg;
    fr_error err = {0};
    assert_int_equal(load_text(HEAD "score:\n  weights: []\n"
                                    "output: {target_list_size: 7.9, coordinate_precision: 3.5}\n",
                               &cfg, &err),
                     FR_OK);
    assert_int_equal(cfg.score.nweights, 10); /* an empty list has always meant the default terms */
    assert_int_equal(cfg.output.target_list_size, 7);
    assert_int_equal(cfg.output.coordinate_precision, 3);
    fr_config_free(&cfg);
    assert_int_equal(load_text(HEAD "features: {fail_values: []}\n", &cfg, &err), FR_OK);
    assert_int_equal(cfg.features.nfail_values, 0); /* here an empty list is empty */
    fr_config_free(&cfg);
    assert_int_equal(load_text(HEAD "score:\n  weights:\n    - {feature: a, weight: 1}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "c.yaml:7: score.weights[0] needs feature, weight and cap"));
    assert_int_equal(load_text(HEAD "output: {writer: fast}\n", &cfg, &err), FR_E_CONFIG);
    assert_non_null(strstr(err.message, "output.writer 'fast' is not known (native or gdal)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_config),
        cmocka_unit_test(refusals),
        cmocka_unit_test(rows_complete),
        cmocka_unit_test(defaults),
        cmocka_unit_test(unknown_key_lists_the_table),
        cmocka_unit_test(kept_behaviour),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
