/*
 * test_report.c — the HTML run report (pipeline/report/report.h) from a small
 * hand-made run: every section present, nothing fetched or scripted,
 * values from data escaped, the map's ten labelled targets, the backtest
 * table and lift chart from a backtest.json, the notes when there is none
 * or it is unreadable.  tests/e2e/html_report.sh opens a real one in
 * headless Chromium.
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

#include "report.h"

#define N 40
static double xs[N], ys[N], scores[N], ranks[N];
static uint8_t tiers[N];
static int32_t irank[N];
static const char *ids[N], *addrs[N], *tier_names[N];
static char idbuf[N][8];
static size_t order[N];
static fr_run_summary sum;
static geo_rejects rejects;

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < N; i++) {
        xs[i] = 740000 + (i % 8) * 30.0;
        ys[i] = 3730000 + (i / 8) * 40.0;
        irank[i] = N - i;
        ranks[i] = N - i;
        scores[i] = (double)i / N;
        tiers[i] = i >= N - 2 ? 0 : i >= N - 8 ? 1 : 2;
        tier_names[i] = tiers[i] == 0 ? "high" : tiers[i] == 1 ? "medium" : "low";
        snprintf(idbuf[i], sizeof idbuf[i], "P%02d", i);
        ids[i] = idbuf[i];
        addrs[i] = i == N - 1 ? "<script>alert(1)</script> & Co" : "1 Main St";
        order[i] = (size_t)(N - 1 - i);
    }
    snprintf(sum.as_of, sizeof sum.as_of, "2026-01-01");
    snprintf(sum.working_crs, sizeof sum.working_crs, "EPSG:32616");
    sum.nlayers = 2;
    sum.layers[0] = (fr_layer_counts){.present = 1, .read = 41, .kept = N, .rejected = 1, .used = N};
    snprintf(sum.layers[0].name, sizeof sum.layers[0].name, "parcels");
    sum.layers[1] = (fr_layer_counts){.present = 1, .read = 10, .kept = 10, .by_id = 5, .by_contains = 2,
                                      .by_nearest = 1, .unmatched = 2, .rejected = 2, .used = 8};
    snprintf(sum.layers[1].name, sizeof sum.layers[1].name, "inspections");
    sum.seconds[FR_STAGE_READ] = 1.5;
    sum.total_rejects = 3;
    geo_rejects_add(&rejects, "parcels", 3, NULL, "no_geometry", "no geometry");
    geo_rejects_add(&rejects, "inspections", 4, NULL, "beyond_tolerance", "far");
    geo_rejects_add(&rejects, "inspections", 5, NULL, "beyond_tolerance", "far");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    geo_rejects_clear(&rejects);
    return 0;
}

static geo_out_field fields[5];
static geo_out_table targets;

static fr_report_input input(void)
{
    geo_out_field f[5] = {
        {.name = "rank", .type = GEO_COL_NUMBER, .is_integer = 1, .num = ranks},
        {.name = "parcel_id", .type = GEO_COL_STRING, .str = ids},
        {.name = "address", .type = GEO_COL_STRING, .str = addrs},
        {.name = "score", .type = GEO_COL_NUMBER, .num = scores},
        {.name = "tier", .type = GEO_COL_STRING, .str = tier_names},
    };
    memcpy(fields, f, sizeof f);
    targets = (geo_out_table){.order = order, .nrows = 12, .fields = fields, .nfields = 5};
    static const char *const files[] = {"ranked_parcels.gpkg", "targets.csv"};
    fr_report_input in = {
        .sum = &sum, .rejects = &rejects, .nparcels = N, .tier_count = {2, 6, 32}, .targets = &targets,
        .top_rows = 5, .changes_rows = 5, .files = files, .nfiles = 2, .write_seconds = 0.25,
        .map = {.n = N, .x = xs, .y = ys, .tier = tiers, .rank = irank, .id = ids, .address = addrs,
                .targets = order, .ntargets = 12},
    };
    return in;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_sections_and_safety(void **state)
{
    (void)state;
    fr_report_input in = input();
    char *h;
    fr_error err;
    assert_int_equal(fr_report_html(&in, &h, &err), FR_OK);
    assert_true(!strncmp(h, "<!DOCTYPE html>", 15));
    const char *sections[] = {"Map of the target list", "Target list", "Changes since the last run",
                              "Inputs and counts", "Match audit", "Rejected records", "Backtest",
                              "Run time per stage", "Files"};
    for (size_t k = 0; k < sizeof sections / sizeof sections[0]; k++)
        assert_non_null(strstr(h, sections[k]));
    /* Self-contained and script-free: the data's markup is escaped. */
    assert_null(strstr(h, "<script"));
    assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert_null(strstr(h, "src="));
    assert_null(strstr(h, "href=\"http"));
    assert_null(strstr(h, "url("));
    /* The map: one svg, 12 targets as dots with titles, 10 rank labels. */
    assert_int_equal(count(h, "<svg class=\"map\""), 1);
    assert_int_equal(count(h, "<title>#"), 12);
    assert_non_null(strstr(h, "<text x="));
    assert_non_null(strstr(h, ">10</text>"));
    assert_null(strstr(h, ">11</text>"));
    /* Target rows: 5 shown, of 12. */
    assert_non_null(strstr(h, "The first 5 of 12 rows"));
    /* Match audit with the unmatched reason and shares of kept. */
    assert_non_null(strstr(h, "<code>beyond_tolerance</code></td><td class=\"n\">2</td>"));
    assert_non_null(strstr(h, "5 <small>(50.0%)</small>"));
    assert_non_null(strstr(h, "No backtest"));
    assert_non_null(strstr(h, "Not computed"));
    assert_true(!strcmp(h + strlen(h) - 8, "</html>\n"));
    free(h);
}

static void test_changes_section(void **state)
{
    (void)state;
    fr_report_input in = input();
    static char p39[] = "P39", p77[] = "P77", addr[] = "x";
    fr_change items[2] = {
        {.parcel_id = p39, .address = addr, .rank = 1, .score = 0.9, .previous_score = NAN, .tier = "high", .entered = 1},
        {.parcel_id = p77, .rank = 0, .previous_rank = 3, .score = NAN, .previous_score = 0.7},
    };
    fr_changes ch = {.had_previous = 1, .previous_rows = 12, .current_rows = 12, .items = items, .count = 2,
                     .entered = 1, .left = 1};
    in.changes = &ch;
    char *h;
    fr_error err;
    assert_int_equal(fr_report_html(&in, &h, &err), FR_OK);
    assert_non_null(strstr(h, "<b>1</b> entered, <b>1</b> left, 11 stayed"));
    assert_non_null(strstr(h, "Entered the list (1)"));
    assert_non_null(strstr(h, "(no longer ranked)"));
    free(h);
    ch.had_previous = 0;
    snprintf(ch.note, sizeof ch.note, "no previous target list (first run)");
    assert_int_equal(fr_report_html(&in, &h, &err), FR_OK);
    assert_non_null(strstr(h, "no previous target list (first run)"));
    free(h);
}

static void test_backtest(void **state)
{
    (void)state;
    char path[] = "/tmp/test_report_XXXXXX";
    int fd = mkstemp(path);
    const char *json = "{\"model\": \"logistic\", \"auc\": 0.8123, \"metrics\": {\"precision_at_500\": 0.2},"
                       " \"lift\": [0.3, 0.2, 0.1, 0.1, 0.08, 0.07, 0.05, 0.04, 0.03, 0.03],"
                       " \"at\": [{\"k\": 100, \"precision\": 0.25}]}";
    assert_true(write(fd, json, strlen(json)) == (ssize_t)strlen(json));
    close(fd);
    fr_report_input in = input();
    in.backtest_path = path;
    char *h;
    fr_error err;
    assert_int_equal(fr_report_html(&in, &h, &err), FR_OK);
    assert_non_null(strstr(h, "<td>auc</td><td class=\"n\">0.8123</td>"));
    assert_non_null(strstr(h, "metrics.precision_at_500"));
    assert_non_null(strstr(h, "<svg class=\"chart\""));
    assert_non_null(strstr(h, "share of fires"));
    assert_non_null(strstr(h, "<th>precision</th>"));
    assert_null(strstr(h, "No backtest"));
    free(h);
    FILE *fp = fopen(path, "w");
    fputs("{not json", fp);
    fclose(fp);
    assert_int_equal(fr_report_html(&in, &h, &err), FR_OK);
    assert_non_null(strstr(h, "could not be read"));
    free(h);
    unlink(path);
}

static void test_write_and_empty(void **state)
{
    (void)state;
    fr_report_input in = input();
    in.map.n = 0;
    targets.nrows = 0;
    in.map.ntargets = 0;
    char *h;
    fr_error err;
    assert_int_equal(fr_report_html(&in, &h, &err), FR_OK);
    assert_non_null(strstr(h, "No parcel has coordinates"));
    assert_non_null(strstr(h, "The target list is empty"));
    free(h);
    assert_int_equal(fr_report_write(&in, "/nonexistent/report.html", &err), FR_E_OUTPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_safety),
        cmocka_unit_test(test_changes_section),
        cmocka_unit_test(test_backtest),
        cmocka_unit_test(test_write_and_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
