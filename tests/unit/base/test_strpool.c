/*
 * test_strpool.c — interned strings: equal texts share one pointer,
 * different texts never do, stored texts survive the table's growth and
 * new blocks, long texts fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

static void equal_texts_share_one_copy(void **state)
{
    (void)state;
    fr_strpool p = {0};
    char a[32], b[32];
    snprintf(a, sizeof a, "%d fires within %d m", 24, 250);
    snprintf(b, sizeof b, "%d fires within %d m", 24, 250);
    const char *x = fr_strpool_intern(&p, a), *y = fr_strpool_intern(&p, b);
    assert_non_null(x);
    assert_ptr_equal(x, y);
    assert_ptr_not_equal(x, a);
    assert_string_equal(x, "24 fires within 250 m");
    const char *z = fr_strpool_intern(&p, "24 fires within 250 m in the past 3 years");
    assert_ptr_not_equal(x, z);
    assert_string_equal(x, "24 fires within 250 m"); /* a longer text with the same start is another text */
    assert_ptr_equal(fr_strpool_intern(&p, ""), fr_strpool_intern(&p, ""));
    assert_int_equal(p.count, 3);
    fr_strpool_free(&p);
    assert_int_equal(p.count, 0);
    assert_null(p.slot);
}

static void many_texts_keep_their_pointers(void **state)
{
    (void)state;
    fr_strpool p = {0};
    enum { N = 20000 };
    const char **first = malloc(N * sizeof *first);
    assert_non_null(first);
    char buf[64];
    for (int i = 0; i < N; i++) { /* ~30 bytes each: several blocks, many table doublings */
        snprintf(buf, sizeof buf, "text number %d of the pool", i);
        first[i] = fr_strpool_intern(&p, buf);
        assert_non_null(first[i]);
    }
    assert_int_equal(p.count, N);
    for (int i = N - 1; i >= 0; i--) {
        snprintf(buf, sizeof buf, "text number %d of the pool", i);
        assert_ptr_equal(fr_strpool_intern(&p, buf), first[i]);
        assert_string_equal(first[i], buf);
    }
    char *big = malloc(200000); /* longer than a block */
    assert_non_null(big);
    memset(big, 'x', 199999);
    big[199999] = '\0';
    const char *s = fr_strpool_intern(&p, big);
    assert_non_null(s);
    assert_string_equal(s, big);
    assert_string_equal(first[0], "text number 0 of the pool");
    free(big);
    free(first);
    fr_strpool_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_texts_share_one_copy),
        cmocka_unit_test(many_texts_keep_their_pointers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
