/*
 * test_textstore.c — packed copies of short strings: each copy is its own
 * bytes and NUL, copies survive new blocks, a text longer than a block
 * fits, and moving a store's blocks into another keeps every pointer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textstore.h"

static void copies_are_their_own_bytes(void **state)
{
    (void)state;
    fr_textstore st = {0};
    char buf[16] = "P-0042 and more";
    char *a = fr_textstore_copy(&st, buf, 6); /* only the first 6 bytes */
    assert_non_null(a);
    assert_ptr_not_equal(a, buf);
    assert_string_equal(a, "P-0042");
    buf[0] = 'X';
    assert_string_equal(a, "P-0042");
    char *b = fr_textstore_copy(&st, "P-0042", 6); /* equal texts are two copies (no interning) */
    assert_ptr_not_equal(a, b);
    assert_string_equal(b, "P-0042");
    char *e = fr_textstore_copy(&st, "", 0);
    assert_non_null(e);
    assert_string_equal(e, "");
    assert_string_equal(a, "P-0042"); /* the next copy did not run over the NUL */
    fr_textstore_free(&st);
    assert_null(st.blocks);
}

/* Texts over several blocks, one longer than a block, then moved into a
 * store that already holds texts: every pointer still reads its text. */
static void many_texts_and_a_move_keep_their_pointers(void **state)
{
    (void)state;
    enum { N = 30000 };
    fr_textstore src = {0}, dst = {0};
    char **t = malloc(N * sizeof *t);
    assert_non_null(t);
    char buf[64];
    char *before = fr_textstore_copy(&dst, "already here", 12);
    assert_non_null(before);
    for (int i = 0; i < N; i++) { /* ~25 bytes each: more than ten 64 KB blocks */
        int n = snprintf(buf, sizeof buf, "%d OAK STREET UNIT %d", i, i % 7);
        t[i] = fr_textstore_copy(&src, buf, (size_t)n);
        assert_non_null(t[i]);
    }
    size_t big_n = 300000; /* longer than a block */
    char *big = malloc(big_n);
    assert_non_null(big);
    memset(big, 'x', big_n);
    char *long_copy = fr_textstore_copy(&src, big, big_n);
    assert_non_null(long_copy);
    char *after_long = fr_textstore_copy(&src, "after", 5);
    assert_non_null(after_long);
    fr_textstore_take(&dst, &src);
    assert_null(src.blocks);
    fr_textstore_take(&dst, &src); /* an empty store moves nothing */
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "%d OAK STREET UNIT %d", i, i % 7);
        assert_string_equal(t[i], buf);
    }
    assert_int_equal(strlen(long_copy), big_n);
    assert_int_equal(memcmp(long_copy, big, big_n), 0);
    assert_string_equal(after_long, "after");
    assert_string_equal(before, "already here");
    char *more = fr_textstore_copy(&dst, "more", 4); /* dst goes on after the move */
    assert_string_equal(more, "more");
    fr_textstore_free(&dst); /* ASan/valgrind: every block released once */
    free(big);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copies_are_their_own_bytes),
        cmocka_unit_test(many_texts_and_a_move_keep_their_pointers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
