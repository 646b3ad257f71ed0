/*
 * strpool.c — interned strings in chained blocks (see strpool.h).
 */
#include "strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

#define POOL_BLOCK_BYTES ((size_t)64 << 10)

struct fr_strpool_block {
    fr_strpool_block *next;
    size_t used, cap;
    char bytes[];
};

static const char **find_slot(const char **slots, size_t nslots, const char *s, size_t n, uint64_t h)
{
    size_t mask = nslots - 1;
    for (size_t k = (size_t)h & mask;; k = (k + 1) & mask)
        if (!slots[k] || (!strncmp(slots[k], s, n) && slots[k][n] == '\0'))
            return &slots[k];
}

/* Doubles the table (load kept under one half). */
static int grow_table(fr_strpool *p)
{
    size_t nslots = p->nslots ? p->nslots * 2 : 256;
    const char **slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < p->nslots; k++)
        if (p->slot[k]) {
            size_t n = strlen(p->slot[k]);
            *find_slot(slots, nslots, p->slot[k], n, fr_fnv1a(p->slot[k], n)) = p->slot[k];
        }
    free(p->slot);
    p->slot = slots;
    p->nslots = nslots;
    return 0;
}

/* Room for n bytes in the newest block, or a new block. */
static char *store(fr_strpool *p, const char *s, size_t n)
{
    fr_strpool_block *b = p->blocks;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > POOL_BLOCK_BYTES ? n + 1 : POOL_BLOCK_BYTES;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = p->blocks;
        b->used = 0;
        b->cap = cap;
        p->blocks = b;
    }
    char *t = b->bytes + b->used;
    memcpy(t, s, n);
    t[n] = '\0';
    b->used += n + 1;
    return t;
}

const char *fr_strpool_intern(fr_strpool *p, const char *s)
{
    if ((p->count + 1) * 2 > p->nslots && grow_table(p) != 0)
        return NULL;
    size_t n = strlen(s);
    const char **slot = find_slot(p->slot, p->nslots, s, n, fr_fnv1a(s, n));
    if (*slot)
        return *slot;
    char *t = store(p, s, n);
    if (!t)
        return NULL;
    *slot = t;
    p->count++;
    return t;
}

void fr_strpool_free(fr_strpool *p)
{
    while (p->blocks) {
        fr_strpool_block *next = p->blocks->next;
        free(p->blocks);
        p->blocks = next;
    }
    free(p->slot);
    memset(p, 0, sizeof *p);
}
