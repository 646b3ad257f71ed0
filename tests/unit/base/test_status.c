/*
 * test_status.c — the error type: messages, context prefixes, the
 * out-of-memory helpers, exit codes (documented in the README), and the
 * text buffer's escaping and failure flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "status.h"
#include "strbuf.h"

static void messages_and_prefixes(void **state)
{
    (void)state;
    fr_error err = {0};
    assert_int_equal(fr_error_set(&err, FR_E_INPUT, "field '%s' is empty", "date"), FR_E_INPUT);
    assert_int_equal(err.status, FR_E_INPUT);
    assert_string_equal(err.message, "field 'date' is empty");
    fr_error_prefix(&err, "%s: layer '%s'", "parcels.shp", "parcels");
    assert_string_equal(err.message, "parcels.shp: layer 'parcels': field 'date' is empty");
    /* A prefix longer than the buffer is cut, never overflows. */
    char longtext[2000];
    memset(longtext, 'x', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    fr_error_prefix(&err, "%s", longtext);
    assert_true(strlen(err.message) < sizeof err.message);
    /* A NULL error is allowed (the caller does not want the message). */
    assert_int_equal(fr_error_set(NULL, FR_E_OUTPUT, "x"), FR_E_OUTPUT);
}

static void out_of_memory(void **state)
{
    (void)state;
    fr_error err = {0};
    assert_int_equal(fr_error_oom(&err), FR_E_MEMORY);
    assert_string_equal(err.message, "out of memory");
    assert_int_equal(fr_error_oom_while(&err, "reading %s", "parcels.gpkg"), FR_E_MEMORY);
    assert_int_equal(err.status, FR_E_MEMORY);
    assert_string_equal(err.message, "out of memory reading parcels.gpkg");
    assert_int_equal(fr_error_oom_while(NULL, "x"), FR_E_MEMORY);
}

static void exit_codes(void **state)
{
    (void)state;
    assert_int_equal(fr_status_exit_code(FR_OK), 0);
    assert_int_equal(fr_status_exit_code(FR_E_USAGE), 1);
    assert_int_equal(fr_status_exit_code(FR_E_CONFIG), 1);
    assert_int_equal(fr_status_exit_code(FR_E_INPUT), 2);
    assert_int_equal(fr_status_exit_code(FR_E_OUTPUT), 3);
    assert_int_equal(fr_status_exit_code(FR_E_MEMORY), 4);
    assert_int_equal(fr_status_exit_code(FR_E_INTERNAL), 4);
    assert_int_equal(fr_status_exit_code(FR_E_BUSY), 5);
    assert_int_equal(fr_status_exit_code(FR_E_HELD), 6); /* a quality check held the run */
    assert_string_equal(fr_status_text(FR_E_INPUT), "input data error");
}

static void text_buffer(void **state)
{
    (void)state;
    fr_strbuf b = {0};
    fr_sb_puts(&b, "<td>");
    fr_sb_xml(&b, "Tom & \"Jerry\" <'s>");
    fr_sb_xml(&b, NULL);
    for (int i = 0; i < 1000; i++)
        fr_sb_printf(&b, "%d,", i);
    assert_false(b.oom);
    const char *want = "<td>Tom &amp; &quot;Jerry&quot; &lt;&#39;s&gt;0,1,2,";
    assert_int_equal(strncmp(b.s, want, strlen(want)), 0);
    assert_int_equal(b.len, strlen(b.s));
    char *text = fr_sb_take(&b);
    assert_non_null(text);
    assert_null(b.s);
    free(text);
}

static void clock_never_goes_back(void **state)
{
    (void)state;
    double a = fr_clock_seconds();
    for (int i = 0; i < 1000; i++) {
        double b = fr_clock_seconds();
        assert_true(b >= a);
        a = b;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_and_prefixes), cmocka_unit_test(out_of_memory), cmocka_unit_test(exit_codes),
        cmocka_unit_test(text_buffer),           cmocka_unit_test(clock_never_goes_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
