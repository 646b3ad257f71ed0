/*
 * textstore.h — copies of many short strings packed into chained blocks,
 * released all at once.
 *
 * Why: a layer holds one text per record and field (parcel ids, addresses,
 * inspection results): 16 M strings at 5 M parcels.  One malloc each cost
 * a 32- or 48-byte chunk for a 9-byte id, a call to malloc on the read and
 * one to free at the end; the new 4 KB pages under those chunks were a good
 * part of the 5M city's memory new to the process.  Packed, a text costs
 * its bytes and its terminating NUL.
 *
 * Stored texts never move (blocks are chained, never reallocated), so the
 * pointers stay valid until fr_textstore_free.  A store is for one thread
 * at a time; the parallel reader fills one per range and moves its blocks
 * into the whole layer's store (fr_textstore_take) without copying a byte.
 */
#ifndef FR_TEXTSTORE_H
#define FR_TEXTSTORE_H

#include <stddef.h>

typedef struct fr_textstore_block fr_textstore_block;

typedef struct {
    fr_textstore_block *blocks; /* newest first; a zeroed store is an empty one */
} fr_textstore;

/* A stored copy of the n bytes at s followed by a NUL, or NULL when memory
 * runs out (the store stays usable and freeable). */
char *fr_textstore_copy(fr_textstore *st, const char *s, size_t n);

/* Moves every block of src into dst; src is left empty.  Pointers into
 * src's texts stay valid, now owned by dst. */
void fr_textstore_take(fr_textstore *dst, fr_textstore *src);

/* Releases every stored text and leaves st empty. */
void fr_textstore_free(fr_textstore *st);

#endif
