/*
 * test_changes.c — target list changes since the last run
 * (pipeline/report/changes.h): first run, entered and left against a previous
 * targets.csv (RFC 4180 quoting, CRLF), a parcel that left the run
 * entirely, unreadable previous files, and the exact CSV written.
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

#include "changes.h"
#include "dates.h"

/* Current run: 5 parcels; the list is parcels 3, 0, 4 (ranks 1..3). */
static const char *const ids[5] = {"P0", "P1", "P2", "P3", "P4"};
static const char *const addr[5] = {"0 A St", "1, \"B\" St", NULL, "3 C St", "4 D St"};
static const char *const tiers[5] = {"high", "medium", "low", "high", "medium"};
static const int32_t ranks[5] = {2, 4, 5, 1, 3};
static const double scores[5] = {0.8, 0.4, 0.1, 0.9, 0.5};
static const size_t rows[3] = {3, 0, 4};
static char g_dir[64];

static fr_status find_all(void *ctx, const char *const *want, size_t n, long *out, fr_error *err)
{
    (void)ctx;
    (void)err;
    for (size_t k = 0; k < n; k++) {
        out[k] = -1;
        for (long i = 0; i < 5; i++)
            if (!strcmp(ids[i], want[k]))
                out[k] = i;
    }
    return FR_OK;
}

static fr_changes_current current(void)
{
    fr_changes_current c = {.nrows = 3, .rows = rows, .id = ids, .address = addr, .tier = tiers,
                            .rank = ranks, .score = scores, .find_all = find_all};
    return c;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *fp = fopen(path, "wb");
    fputs(text, fp);
    fclose(fp);
    return path;
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/test_changes_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_first_run(void **state)
{
    (void)state;
    fr_changes_current cur = current();
    fr_changes ch;
    fr_error err;
    char path[128];
    snprintf(path, sizeof path, "%s/none.csv", g_dir);
    assert_int_equal(fr_changes_compute(path, &cur, &ch, &err), FR_OK);
    assert_false(ch.had_previous);
    assert_non_null(strstr(ch.note, "first run"));
    assert_int_equal(ch.entered, 3);
    assert_int_equal(ch.left, 0);
    assert_string_equal(ch.items[0].parcel_id, "P3"); /* list order */
    assert_int_equal(ch.items[0].rank, 1);
    assert_int_equal(ch.items[0].previous_rank, 0);
    fr_changes_free(&ch);
}

static void test_entered_and_left(void **state)
{
    (void)state;
    /* Previous list: P0 (stays), P1 (left, still ranked 4th), P9 (left, gone
     * from the run), with quoted fields and CRLF line ends. */
    const char *prev = write_file("prev.csv",
                                  "rank,parcel_id,address,score,tier\r\n"
                                  "1,P1,\"1, \"\"B\"\" St\",0.95,high\r\n"
                                  "2,P9,\"gone\nroad\",0.9,high\r\n"
                                  "3,P0,0 A St,0.85,high\r\n");
    fr_changes_current cur = current();
    fr_changes ch;
    fr_error err;
    assert_int_equal(fr_changes_compute(prev, &cur, &ch, &err), FR_OK);
    assert_true(ch.had_previous);
    assert_int_equal(ch.previous_rows, 3);
    assert_int_equal(ch.entered, 2);
    assert_int_equal(ch.left, 2);
    /* entered, by rank: P3 (1), P4 (3) */
    assert_string_equal(ch.items[0].parcel_id, "P3");
    assert_true(ch.items[0].entered);
    assert_string_equal(ch.items[1].parcel_id, "P4");
    /* left, by previous rank: P1 (now rank 4), P9 (no longer in the run) */
    assert_string_equal(ch.items[2].parcel_id, "P1");
    assert_false(ch.items[2].entered);
    assert_int_equal(ch.items[2].previous_rank, 1);
    assert_int_equal(ch.items[2].rank, 4);
    assert_string_equal(ch.items[2].tier, "medium");
    assert_true(fabs(ch.items[2].previous_score - 0.95) < 1e-12);
    assert_string_equal(ch.items[3].parcel_id, "P9");
    assert_int_equal(ch.items[3].rank, 0);
    assert_null(ch.items[3].tier);
    assert_string_equal(ch.items[3].address, "gone\nroad"); /* the previous list's address */
    assert_true(isnan(ch.items[3].score));

    /* Why: P3's fires moved (a points term, before building_age, which is
     * not one); P4's failed visit held it back on the previous run's date
     * (70 days, within 90) and no longer (100 days); P1 was visited; P9 is
     * gone. */
    const char *const names[2] = {"building_age", "fires_parcel_5y"};
    const double now[10] = {50, 50, 50, 51, 50, /* fires: */ 1, 1, 0, 2, 0};
    const double before[10] = {50, 50, 50, 50, 50, /* fires: */ 1, 1, 0, 0, 0};
    const double weight[2] = {0, 3}, cap[2] = {100, 2};
    int32_t as_of = fr_days_from_civil(2025, 6, 1);
    int32_t last[5] = {INT32_MIN, fr_days_from_civil(2025, 5, 1), INT32_MIN, INT32_MIN, as_of - 100};
    const uint8_t failed[5] = {0, 0, 0, 0, 1}, held[5] = {0, 1, 0, 0, 0};
    fr_changes_context x = {.nparcels = 5, .nfeatures = 2, .names = names, .now = now, .before = before,
                            .term_weight = weight, .term_cap = cap, .previous_as_of = "2025-03-23",
                            .last_visit = last, .last_failed = failed, .held_back = held,
                            .revisit_after_days = 365, .failed_revisit_days = 90, .as_of = as_of, .rank = ranks,
                            .last_listed_rank = 3, .list_full = 1};
    assert_int_equal(fr_changes_explain(&ch, &x, &err), FR_OK);
    assert_string_equal(ch.items[0].why, "fires_parcel_5y 0 -> 2; building_age 50 -> 51");
    assert_string_equal(ch.items[1].why, "due again: visited on 2025-02-21 (failed), 100 days ago");
    assert_string_equal(ch.items[2].why, "visited on 2025-05-01");
    assert_string_equal(ch.items[3].why, "no longer among the parcels");

    char out[128];
    snprintf(out, sizeof out, "%s/changes.csv", g_dir);
    assert_int_equal(fr_changes_write_csv(&ch, out, &err), FR_OK);
    FILE *fp = fopen(out, "rb");
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_string_equal(buf, "change,parcel_id,address,rank,previous_rank,score,previous_score,tier,why\n"
                             "entered,P3,3 C St,1,,0.9,,high,fires_parcel_5y 0 -> 2; building_age 50 -> 51\n"
                             "entered,P4,4 D St,3,,0.5,,medium,\"due again: visited on 2025-02-21 (failed), 100 days ago\"\n"
                             "left,P1,\"1, \"\"B\"\" St\",4,1,0.4,0.95,medium,visited on 2025-05-01\n"
                             "left,P9,\"gone\nroad\",,2,,0.9,,no longer among the parcels\n");
    fr_changes_free(&ch);
}

static void test_unreadable_previous(void **state)
{
    (void)state;
    fr_changes_current cur = current();
    fr_changes ch;
    fr_error err;
    const char *bad = write_file("bad.csv", "rank,parcel_id\n1,\"P0\n");
    assert_int_equal(fr_changes_compute(bad, &cur, &ch, &err), FR_OK);
    assert_false(ch.had_previous);
    assert_non_null(strstr(ch.note, "malformed"));
    assert_int_equal(ch.entered, 3);
    fr_changes_free(&ch);
    const char *noid = write_file("noid.csv", "rank,id\n1,P0\n");
    assert_int_equal(fr_changes_compute(noid, &cur, &ch, &err), FR_OK);
    assert_false(ch.had_previous);
    assert_non_null(strstr(ch.note, "parcel_id"));
    fr_changes_free(&ch);
    const char *empty = write_file("empty.csv", "");
    assert_int_equal(fr_changes_compute(empty, &cur, &ch, &err), FR_OK);
    assert_false(ch.had_previous);
    fr_changes_free(&ch);
    /* Same list as now: nothing changed. */
    const char *same = write_file("same.csv", "\xEF\xBB\xBFparcel_id\nP3\nP0\nP4\n");
    assert_int_equal(fr_changes_compute(same, &cur, &ch, &err), FR_OK);
    assert_true(ch.had_previous);
    assert_int_equal(ch.count, 0);
    fr_changes_free(&ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_run),
        cmocka_unit_test(test_entered_and_left),
        cmocka_unit_test(test_unreadable_previous),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
