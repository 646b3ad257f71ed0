/*
 * textstore.c — short strings packed into chained blocks (see textstore.h).
 */
#include "textstore.h"

#include <stdlib.h>
#include <string.h>

/* Below glibc's mmap threshold, so a block comes from the thread's arena
 * (no system call per block).  What a store wastes is the unused tail of
 * its newest block and of each block moved in by fr_textstore_take: under
 * 64 KB for each range of the parallel read. */
#define TEXTSTORE_BLOCK_BYTES ((size_t)64 << 10)

struct fr_textstore_block {
    fr_textstore_block *next;
    size_t used, cap;
    char bytes[];
};

char *fr_textstore_copy(fr_textstore *st, const char *s, size_t n)
{
    fr_textstore_block *b = st->blocks;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > TEXTSTORE_BLOCK_BYTES ? n + 1 : TEXTSTORE_BLOCK_BYTES;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = st->blocks;
        b->used = 0;
        b->cap = cap;
        st->blocks = b;
    }
    char *t = b->bytes + b->used;
    memcpy(t, s, n);
    t[n] = '\0';
    b->used += n + 1;
    return t;
}

void fr_textstore_take(fr_textstore *dst, fr_textstore *src)
{
    if (!src->blocks)
        return;
    fr_textstore_block *last = src->blocks;
    while (last->next)
        last = last->next;
    /* src's newest block stays dst's newest: its room is used first */
    last->next = dst->blocks;
    dst->blocks = src->blocks;
    src->blocks = NULL;
}

void fr_textstore_free(fr_textstore *st)
{
    while (st->blocks) {
        fr_textstore_block *next = st->blocks->next;
        free(st->blocks);
        st->blocks = next;
    }
}
