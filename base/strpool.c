/*
 * strpool.c — interned strings: a hash table over an fr_textstore (see strpool.h).
 */
#include "strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

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

const char *fr_strpool_intern(fr_strpool *p, const char *s)
{
    if ((p->count + 1) * 2 > p->nslots && grow_table(p) != 0)
        return NULL;
    size_t n = strlen(s);
    const char **slot = find_slot(p->slot, p->nslots, s, n, fr_fnv1a(s, n));
    if (*slot)
        return *slot;
    char *t = fr_textstore_copy(&p->text, s, n);
    if (!t)
        return NULL;
    *slot = t;
    p->count++;
    return t;
}

void fr_strpool_free(fr_strpool *p)
{
    fr_textstore_free(&p->text);
    free(p->slot);
    memset(p, 0, sizeof *p);
}
