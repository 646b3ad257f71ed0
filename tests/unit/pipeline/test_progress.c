/*
 * test_progress.c — the terminal progress bar (pipeline/ops/progress.h): the
 * line's format, nothing drawn for a stage shorter than a second, a bar
 * for a longer one, the line erased at the end, NULL accepted everywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "progress.h"

static void test_format(void **state)
{
    (void)state;
    char buf[160];
    fr_progress_format(buf, sizeof buf, "write", NULL, 5, 5, 0.5, 12.34, -1, 0);
    assert_non_null(strstr(buf, "5/5 write ["));
    assert_non_null(strstr(buf, "[#######-------]"));
    assert_non_null(strstr(buf, " 50%"));
    assert_non_null(strstr(buf, "12.3s"));
    assert_null(strstr(buf, "left"));
    fr_progress_format(buf, sizeof buf, "read", NULL, 1, 5, -1, 1.0, -1, 3);
    assert_non_null(strstr(buf, "[---#####------]")); /* the block has moved 3 steps */
    assert_null(strstr(buf, "%"));
    fr_progress_format(buf, sizeof buf, "read", NULL, 1, 5, 7, 1.0, -1, 0); /* clamped */
    assert_non_null(strstr(buf, "100%"));
    assert_true(strlen(buf) < 80);
}

static void test_format_item_and_time_left(void **state)
{
    (void)state;
    char buf[160];
    fr_progress_format(buf, sizeof buf, "read", "parcels: city.gpkg", 1, 5, 0.25, 20.0, 65.4, 0);
    assert_non_null(strstr(buf, "1/5 read parcels: city.gpkg ["));
    assert_true(strlen(buf) < 80);
    assert_non_null(strstr(buf, " 25% 1:05 left"));
    assert_null(strstr(buf, "20.0s")); /* the time left replaces the time spent */
    fr_progress_format(buf, sizeof buf, "read", "x", 1, 5, 0.5, 1.0, 3725, 0);
    assert_non_null(strstr(buf, " 1:02:05 left"));
    /* a long item keeps its end (the file name) and the line fits 80 columns */
    fr_progress_format(buf, sizeof buf, "features", "inspections: /srv/exports/nightly/very/long/path/inspections.gpkg",
                       3, 5, 0.999, 1234.5, 3600 * 99, 0);
    assert_non_null(strstr(buf, " ..."));
    assert_non_null(strstr(buf, "ections.gpkg ["));
    assert_true(strlen(buf) < 80);
    /* no estimate without a share */
    fr_progress_format(buf, sizeof buf, "read", "parcels: a.shp", 1, 5, -1, 5.0, 10, 0);
    assert_null(strstr(buf, "left"));
}

static char *read_all(FILE *fp)
{
    fflush(fp);
    long n = ftell(fp);
    rewind(fp);
    char *buf = calloc(1, (size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    buf[got] = '\0';
    return buf;
}

static void test_short_stage_draws_nothing(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    fr_progress *p = fr_progress_new(fp);
    assert_non_null(p);
    fr_progress_stage(p, "score", 4, 5);
    usleep(300000);
    fr_progress_free(p);
    char *s = read_all(fp);
    assert_string_equal(s, "");
    free(s);
    fclose(fp);
}

static void test_long_stage_draws_a_bar(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    fr_progress *p = fr_progress_new(fp);
    fr_progress_stage(p, "write", 5, 5);
    fr_progress_fraction(p, 0.5);
    usleep(1600000);
    fr_progress_free(p);
    char *s = read_all(fp);
    assert_non_null(strstr(s, "\r\033[Kfirerisk 5/5 write"));
    assert_non_null(strstr(s, " 50%"));
    size_t n = strlen(s);
    assert_true(n >= 4 && !strcmp(s + n - 4, "\r\033[K")); /* erased before anything else prints */
    free(s);
    fclose(fp);
}

static void test_item_shows_and_estimates(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    fr_progress *p = fr_progress_new(fp);
    fr_progress_stage(p, "read", 1, 5);
    fr_progress_item(p, "parcels: city.gpkg");
    fr_progress_fraction(p, 0.4);
    usleep(1600000);
    fr_progress_free(p);
    char *s = read_all(fp);
    assert_non_null(strstr(s, "1/5 read parcels: city.gpkg ["));
    assert_non_null(strstr(s, " 40% "));
    assert_non_null(strstr(s, " left\r")); /* 1.5 s for 40%: about 0:02 left */
    free(s);
    fclose(fp);
}

static void test_no_stage_stops_drawing(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    fr_progress *p = fr_progress_new(fp);
    fr_progress_stage(p, "read", 1, 5);
    usleep(1400000);
    fr_progress_stage(p, NULL, 0, 0); /* erases now */
    fflush(fp);
    long after_erase = ftell(fp);
    usleep(700000);
    fr_progress_free(p);
    fflush(fp);
    assert_int_equal(ftell(fp), after_erase); /* nothing drawn since */
    char *s = read_all(fp);
    assert_non_null(strstr(s, "1/5 read"));
    assert_true(!strcmp(s + strlen(s) - 4, "\r\033[K"));
    free(s);
    fclose(fp);
}

static void test_null_is_fine(void **state)
{
    (void)state;
    fr_progress_stage(NULL, "read", 1, 5);
    fr_progress_fraction(NULL, 0.5);
    fr_progress_item(NULL, "x");
    fr_progress_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_item_and_time_left),
        cmocka_unit_test(test_item_shows_and_estimates),
        cmocka_unit_test(test_short_stage_draws_nothing),
        cmocka_unit_test(test_long_stage_draws_a_bar),
        cmocka_unit_test(test_no_stage_stops_drawing),
        cmocka_unit_test(test_null_is_fine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
