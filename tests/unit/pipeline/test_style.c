/*
 * test_style.c — the QGIS style document (pipeline/report/style_qml.h).  QGIS
 * itself loads it in tests/qgis/check_outputs.py; here: the renderer, its
 * field and categories, legend labels from the tier shares, escaping, the
 * map tip with and without an address, and the file written.
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

#include "style_qml.h"

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_renderer(void **state)
{
    (void)state;
    fr_style_options o = {.tier_high = 0.05, .tier_medium = 0.2, .has_address = 1};
    char *q;
    fr_error err;
    assert_int_equal(fr_style_qml(&o, &q, &err), FR_OK);
    assert_true(!strncmp(q, "<!DOCTYPE qgis", 14));
    assert_non_null(strstr(q, "<renderer-v2 attr=\"tier\" type=\"categorizedSymbol\""));
    const char *h = strstr(q, "value=\"high\""), *m = strstr(q, "value=\"medium\""), *l = strstr(q, "value=\"low\"");
    assert_true(h && m && l && h < m && m < l);
    assert_non_null(strstr(q, "label=\"high (top 5% of parcels)\""));
    assert_non_null(strstr(q, "label=\"medium (next 15%)\""));
    assert_int_equal(count(q, "<symbol "), 3);
    assert_int_equal(count(q, "</symbol>"), 3);
    assert_int_equal(count(q, "<category "), 3);
    assert_non_null(strstr(q, "215,25,28,255")); /* high is red */
    /* The map tip is XML-escaped (quotes and markup of the expression). */
    assert_non_null(strstr(q, "<mapTip>&lt;b&gt;#[% &quot;rank&quot; %]"));
    assert_non_null(strstr(q, "&quot;address&quot;"));
    assert_null(strstr(q, "<b>"));
    assert_true(!strcmp(q + strlen(q) - 8, "</qgis>\n"));
    free(q);
}

static void test_without_address(void **state)
{
    (void)state;
    fr_style_options o = {.tier_high = 0.1, .tier_medium = 0.3, .has_address = 0};
    char *q;
    fr_error err;
    assert_int_equal(fr_style_qml(&o, &q, &err), FR_OK);
    assert_null(strstr(q, "address"));
    assert_non_null(strstr(q, "label=\"high (top 10% of parcels)\""));
    free(q);
}

/* Homes given as points: circle markers in the tier colours with the
 * target ring enabled by on_list, labels beside the marker, a point layer. */
static void test_point_homes_markers(void **state)
{
    (void)state;
    fr_style_options o = {.tier_high = 0.05, .tier_medium = 0.2, .has_address = 1, .points = 1};
    char *q;
    fr_error err;
    assert_int_equal(fr_style_qml(&o, &q, &err), FR_OK);
    assert_int_equal(count(q, "type=\"marker\""), 3);
    assert_int_equal(count(q, "type=\"fill\""), 0);
    assert_int_equal(count(q, "class=\"SimpleMarker\""), 6);
    assert_int_equal(count(q, "class=\"SimpleFill\""), 0);
    assert_int_equal(count(q, "<prop k=\"name\" v=\"circle\"/>"), 6);
    assert_int_equal(count(q, "&quot;on_list&quot; = 1"), 3);
    assert_non_null(strstr(q, "<Option name=\"color\" type=\"QString\" value=\"215,25,28,255\"/>"));
    assert_non_null(strstr(q, "<placement placement=\"0\""));
    assert_non_null(strstr(q, "<layerGeometryType>0</layerGeometryType>"));
    free(q);
    o.points = 0;
    assert_int_equal(fr_style_qml(&o, &q, &err), FR_OK);
    assert_int_equal(count(q, "class=\"SimpleFill\""), 6);
    assert_int_equal(count(q, "class=\"SimpleMarker\""), 0);
    assert_non_null(strstr(q, "<layerGeometryType>2</layerGeometryType>"));
    free(q);
}

static void test_write(void **state)
{
    (void)state;
    char path[] = "/tmp/test_style_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    fr_style_options o = {.tier_high = 0.05, .tier_medium = 0.2, .has_address = 1};
    fr_error err;
    assert_int_equal(fr_style_write_qml(&o, path, &err), FR_OK);
    char *q;
    assert_int_equal(fr_style_qml(&o, &q, &err), FR_OK);
    FILE *fp = fopen(path, "rb");
    char *buf = malloc(strlen(q) + 16);
    size_t n = fread(buf, 1, strlen(q) + 15, fp);
    fclose(fp);
    assert_int_equal(n, strlen(q));
    assert_memory_equal(buf, q, n);
    free(buf);
    free(q);
    unlink(path);
    assert_int_equal(fr_style_write_qml(&o, "/nonexistent/dir/x.qml", &err), FR_E_OUTPUT);
    assert_non_null(strstr(err.message, "x.qml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_renderer),
        cmocka_unit_test(test_without_address),
        cmocka_unit_test(test_point_homes_markers),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
