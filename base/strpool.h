/*
 * strpool.h — a pool of interned strings: each distinct text is stored once
 * and every copy of it is the same pointer.
 *
 * Why: the write stage gives every parcel three reason texts ("24 fires
 * within 250 m in the past 3 years"), 3 M strings at 1 M parcels, but only a
 * few thousand distinct ones.  A fixed 80-byte slot per reason held 240 MB
 * through the whole write stage; the pool holds the distinct texts only.
 *
 * Stored texts never move (they live in an fr_textstore), so the
 * pointers stay valid until fr_strpool_free.  One pool is for one thread;
 * several threads each intern into a pool of their own.
 */
#ifndef FR_STRPOOL_H
#define FR_STRPOOL_H

#include <stddef.h>

#include "textstore.h"

typedef struct {
    const char **slot;        /* open addressing: NULL or a stored text */
    size_t nslots, count;     /* nslots a power of two (0 before the first text) */
    fr_textstore text;        /* the stored bytes */
} fr_strpool;

/* The stored copy of s (equal bytes give the same pointer), or NULL when
 * memory runs out (the pool stays usable and freeable).  A zeroed pool is
 * an empty one. */
const char *fr_strpool_intern(fr_strpool *p, const char *s);

/* Releases every stored text and resets p to empty. */
void fr_strpool_free(fr_strpool *p);

#endif
