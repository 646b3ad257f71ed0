/*
 * test_mask.c — passwords never reach the manifest or the messages: the
 * value after password=/pwd=/passwd= (any case, quoted or not) and the
 * password of a URI are masked; everything else is left as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mask.h"

static void check(const char *in, const char *want)
{
    char *got = fr_mask_secrets(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void masks_connection_string_passwords(void **state)
{
    (void)state;
    check("PG:dbname=gis host=db password=s3cret user=fire", "PG:dbname=gis host=db password=*** user=fire");
    check("PG:\"dbname=gis password='two words' user=fire\"", "PG:\"dbname=gis password='***' user=fire\"");
    check("MSSQL:server=db;database=gis;UID=fire;PWD=x;", "MSSQL:server=db;database=gis;UID=fire;PWD=***;");
    check("PASSWORD = spaced", "PASSWORD = ***");
    check("passwd=abc\nnext: line", "passwd=***\nnext: line");
}

static void masks_uri_credentials(void **state)
{
    (void)state;
    check("PG:postgresql://fire:hunter2@db:5432/gis", "PG:postgresql://fire:***@db:5432/gis");
    check("https://example.org/a:b@c", "https://example.org/a:b@c"); /* not credentials: '/' before '@' */
    check("https://user@host/x", "https://user@host/x");            /* no password */
}

static void leaves_other_text_alone(void **state)
{
    (void)state;
    check("source: city.gpkg\nmypwd=1", "source: city.gpkg\nmypwd=1");
    check("where: \"password_reset = 'Y'\"", "where: \"password_reset = 'Y'\"");
    check("", "");
    check("password=", "password=");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masks_connection_string_passwords),
        cmocka_unit_test(masks_uri_credentials),
        cmocka_unit_test(leaves_other_text_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
