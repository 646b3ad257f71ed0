/*
 * id_index.c — parcel id -> parcel index lookup for the key joins
 * (geo_id_index_* in join.h).
 *
 * An open-addressing hash table (linear probing, FNV-1a, load <= 1/2) over
 * the trimmed ids.  The keys are copied into one arena so the index does not
 * depend on the parcels layer staying alive, and a million ids cost three
 * allocations rather than a million.
 */
#include "join.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t hash;
    size_t off;   /* key bytes in the arena */
    size_t len;
    int32_t parcel;
} id_index_entry;

struct geo_id_index {
    size_t mask;           /* table size - 1 (a power of two) */
    int32_t *slot;         /* entry index or -1 */
    id_index_entry *entry;
    size_t nentries;
    char *keys;
};

/* The id without surrounding white space: start in *s, length returned. */
static size_t id_index_trim(const char **s)
{
    const char *p = *s;
    while (*p && isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    *s = p;
    return n;
}

static uint64_t id_index_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Entry index holding this key, or -1; *slot_out = the slot where the probe
 * ended (the free slot to use when absent). */
static int32_t id_index_probe(const geo_id_index *ix, const char *key, size_t len, uint64_t h,
                              size_t *slot_out)
{
    size_t s = (size_t)h & ix->mask;
    for (;;) {
        int32_t e = ix->slot[s];
        if (e < 0)
            break;
        const id_index_entry *en = &ix->entry[e];
        if (en->hash == h && en->len == len && memcmp(ix->keys + en->off, key, len) == 0) {
            *slot_out = s;
            return e;
        }
        s = (s + 1) & ix->mask;
    }
    *slot_out = s;
    return -1;
}

void geo_id_index_free(geo_id_index *ix)
{
    if (!ix)
        return;
    free(ix->slot);
    free(ix->entry);
    free(ix->keys);
    free(ix);
}

fr_status geo_id_index_build(const geo_layer *parcels, int id_col, geo_id_index **out,
                             size_t **dups, size_t *ndups, fr_error *err)
{
    *out = NULL;
    *dups = NULL;
    *ndups = 0;
    if (id_col < 0 || (size_t)id_col >= parcels->ncols ||
        parcels->cols[id_col].type != GEO_COL_STRING)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': id column %d is not a string column",
                            parcels->name, id_col);
    if (parcels->count > (size_t)INT32_MAX)
        return fr_error_set(err, FR_E_INPUT, "layer '%s' (%s): %zu features, more than %d",
                            parcels->name, parcels->source, parcels->count, INT32_MAX);
    char **str = parcels->cols[id_col].str;

    size_t nkeys = 0, bytes = 0;
    for (size_t i = 0; i < parcels->count; i++) {
        const char *s = str ? str[i] : NULL;
        if (!s)
            continue;
        size_t n = id_index_trim(&s);
        if (n == 0)
            continue;
        nkeys++;
        bytes += n;
    }

    geo_id_index *ix = calloc(1, sizeof *ix);
    size_t size = 16;
    while (size < 2 * nkeys)
        size *= 2;
    if (ix) {
        ix->mask = size - 1;
        ix->slot = malloc(size * sizeof *ix->slot);
        ix->entry = malloc((nkeys ? nkeys : 1) * sizeof *ix->entry);
        ix->keys = malloc(bytes ? bytes : 1);
    }
    size_t *dv = NULL, nd = 0, dcap = 0;
    if (!ix || !ix->slot || !ix->entry || !ix->keys)
        goto oom;
    memset(ix->slot, 0xff, size * sizeof *ix->slot); /* all -1 */

    size_t off = 0;
    for (size_t i = 0; i < parcels->count; i++) {
        const char *s = str ? str[i] : NULL;
        if (!s)
            continue;
        size_t n = id_index_trim(&s);
        if (n == 0)
            continue;
        uint64_t h = id_index_hash(s, n);
        size_t slot;
        if (id_index_probe(ix, s, n, h, &slot) >= 0) {
            if (nd == dcap) {
                size_t cap = dcap ? dcap * 2 : 16;
                size_t *p = realloc(dv, cap * sizeof *p);
                if (!p)
                    goto oom;
                dv = p;
                dcap = cap;
            }
            dv[nd++] = i;
            continue;
        }
        id_index_entry *en = &ix->entry[ix->nentries];
        en->hash = h;
        en->off = off;
        en->len = n;
        en->parcel = (int32_t)i;
        memcpy(ix->keys + off, s, n);
        off += n;
        ix->slot[slot] = (int32_t)ix->nentries++;
    }
    *out = ix;
    *dups = dv;
    *ndups = nd;
    return FR_OK;

oom:
    free(dv);
    geo_id_index_free(ix);
    return fr_error_oom_while(err, "indexing the ids of layer '%s'",
                        parcels->name);
}

int32_t geo_id_index_find(const geo_id_index *ix, const char *id)
{
    if (!ix || !id)
        return -1;
    size_t n = id_index_trim(&id);
    if (n == 0)
        return -1;
    size_t slot;
    int32_t e = id_index_probe(ix, id, n, id_index_hash(id, n), &slot);
    return e < 0 ? -1 : ix->entry[e].parcel;
}
