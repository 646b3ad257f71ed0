/*
 * id_index.c — parcel id -> parcel index lookup for the key joins
 * (geo_id_index_* in join.h).
 *
 * An open-addressing hash table (linear probing, FNV-1a, load <= 1/2) over
 * the trimmed ids, and a second one for the documented fallback
 * (geo_id_index_find_normalised) over the normalised forms of the ids that
 * normalisation changes: an id already in its normal form ("P-0042",
 * "13") is found in the first table under that form, so a department
 * whose ids are all normal builds an empty second table rather than a
 * copy of the first (at 5M parcels, 280 MB of new memory).  The keys are
 * copied into one arena so the index does not depend on the parcels layer
 * staying alive, and a million ids cost three allocations rather than a
 * million.
 */
#include "join.h"

#include <ctype.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "hugepage.h"

/* 16 bytes: an entry's key is keys[off, next entry's off), as the keys
 * are stored in the order of their entries (one more entry closes the
 * last).  hash is the hash's high half; its low bits chose the slot. */
typedef struct {
    uint64_t off;
    uint32_t hash;
    int32_t parcel;
} id_index_entry;

typedef struct {
    size_t mask;           /* table size - 1 (a power of two) */
    int32_t *slot;         /* entry index or -1 */
    id_index_entry *entry; /* nentries + 1: the last holds the arena's fill */
    size_t nentries;
    char *keys;
} id_table;

/* The exact ids, and the normalised ones (id_index_normalise) for the
 * fallback match; a normalised key several parcels share has parcel
 * ID_AMBIGUOUS.  An index handed over by geo_id_duplicates has the exact
 * ids only (has_norm 0), and the layer it was built over is known by its
 * count and a digest of its feature ids in order (geo_id_index_complete);
 * other indexes leave those two unset. */
struct geo_id_index {
    id_table exact, norm;
    int has_norm;
    size_t nparcels;
    uint64_t fid_digest;
};

#define ID_AMBIGUOUS (-2)

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


/* Entry index holding this key, or -1; *slot_out = the slot where the probe
 * ended (the free slot to use when absent). */
static int32_t id_index_probe(const id_table *ix, const char *key, size_t len, uint64_t h,
                              size_t *slot_out)
{
    size_t s = (size_t)h & ix->mask;
    for (;;) {
        int32_t e = ix->slot[s];
        if (e < 0)
            break;
        const id_index_entry *en = &ix->entry[e];
        if (en->hash == (uint32_t)(h >> 32) && en[1].off - en->off == len &&
            memcmp(ix->keys + en->off, key, len) == 0) {
            *slot_out = s;
            return e;
        }
        s = (s + 1) & ix->mask;
    }
    *slot_out = s;
    return -1;
}

static void id_table_free(id_table *t)
{
    free(t->slot);
    free(t->entry);
    free(t->keys);
}

void geo_id_index_free(geo_id_index *ix)
{
    if (!ix)
        return;
    id_table_free(&ix->exact);
    id_table_free(&ix->norm);
    free(ix);
}

/* The normalised form of trimmed id s (n bytes) into out (n + 1 bytes), its
 * length returned: letters upper-cased, leading zeros before a digit
 * removed, and a number's zero decimals dropped ("13.0", "0013", "13" are
 * all "13"; "a-7" is "A-7").  Ids typed as integers in one layer and as
 * zero-padded text in another then meet. */
static size_t id_index_normalise(const char *s, size_t n, char *out)
{
    size_t i = 0, m = 0;
    while (i + 1 < n && s[i] == '0' && isdigit((unsigned char)s[i + 1]))
        i++;
    size_t dot = n;
    int numeric = i < n;
    for (size_t k = i; k < n; k++) {
        if (s[k] == '.' && dot == n)
            dot = k;
        else if (!isdigit((unsigned char)s[k]))
            numeric = 0;
    }
    if (numeric && dot < n && dot > i) {
        size_t k = dot + 1;
        while (k < n && s[k] == '0')
            k++;
        if (k == n)
            n = dot; /* "13.0" -> "13" */
    }
    for (; i < n; i++)
        out[m++] = (char)toupper((unsigned char)s[i]);
    out[m] = '\0';
    return m;
}

static fr_status id_table_alloc(id_table *t, size_t nkeys, size_t bytes)
{
    size_t size = 16;
    while (size < 2 * nkeys)
        size *= 2;
    t->mask = size - 1;
    t->nentries = 0;
    t->slot = malloc(size * sizeof *t->slot);
    t->entry = malloc((nkeys + 1) * sizeof *t->entry);
    t->keys = malloc(bytes ? bytes : 1);
    if (!t->slot || !t->entry || !t->keys)
        return FR_E_MEMORY;
    fr_hugepages_on_touch(t->slot, size * sizeof *t->slot); /* probed at random */
    fr_hugepages_on_touch(t->entry, (nkeys + 1) * sizeof *t->entry);
    /* The table is filled on one thread (the first id keeps its parcel);
     * its new pages are first touched on all of them, which at 5M parcels
     * is most of the duplicate check's time, the other core idle. */
    fr_fill_on_every_thread(t->slot, 0xff, size * sizeof *t->slot); /* all -1 */
    fr_fill_on_every_thread(t->entry, 0, (nkeys + 1) * sizeof *t->entry);
    fr_fill_on_every_thread(t->keys, 0, bytes);
    return FR_OK;
}

/* Adds key -> parcel to t (room reserved by id_table_alloc).  Returns the
 * entry that already held the key, or -1. */
static int32_t id_table_add_hashed(id_table *t, const char *key, size_t n, uint64_t h, int32_t parcel)
{
    size_t slot;
    int32_t e = id_index_probe(t, key, n, h, &slot);
    if (e >= 0)
        return e;
    id_index_entry *en = &t->entry[t->nentries];
    en->hash = (uint32_t)(h >> 32);
    en->parcel = parcel;
    memcpy(t->keys + en->off, key, n);
    en[1].off = en->off + n; /* the next key's start, and the fill */
    t->slot[slot] = (int32_t)t->nentries++;
    return -1;
}

static int32_t id_table_add(id_table *t, const char *key, size_t n, int32_t parcel)
{
    return id_table_add_hashed(t, key, n, fr_fnv1a(key, n), parcel);
}

/* Bytes of entry e's key. */
static size_t id_table_len(const id_table *t, size_t e)
{
    return (size_t)(t->entry[e + 1].off - t->entry[e].off);
}

/* The normalised table: the normalised forms of the exact table's ids
 * that normalisation changes (an id in its normal form is its own entry
 * in the exact table, which geo_id_index_find_normalised asks too). */
static fr_status id_index_build_norm(geo_id_index *ix)
{
    const id_table *x = &ix->exact;
    id_table *t = &ix->norm;
    size_t longest = 0;
    for (size_t e = 0; e < x->nentries; e++)
        if (id_table_len(x, e) > longest)
            longest = id_table_len(x, e);
    char *buf = malloc(longest + 1);
    if (!buf)
        return FR_E_MEMORY;
    /* First the room: how many ids change, and their normal forms' bytes. */
    size_t nkeys = 0, bytes = 0;
    for (size_t e = 0; e < x->nentries; e++) {
        size_t n = id_table_len(x, e);
        size_t m = id_index_normalise(x->keys + x->entry[e].off, n, buf);
        if (m != n || memcmp(buf, x->keys + x->entry[e].off, n) != 0) {
            nkeys++;
            bytes += m;
        }
    }
    if (id_table_alloc(t, nkeys, bytes) != FR_OK) {
        free(buf);
        return FR_E_MEMORY;
    }
    for (size_t e = 0; e < x->nentries && nkeys; e++) {
        size_t n = id_table_len(x, e);
        size_t m = id_index_normalise(x->keys + x->entry[e].off, n, buf);
        if (m == n && memcmp(buf, x->keys + x->entry[e].off, n) == 0)
            continue;
        int32_t had = m ? id_table_add(t, buf, m, x->entry[e].parcel) : -1;
        if (had >= 0)
            t->entry[had].parcel = ID_AMBIGUOUS;
    }
    free(buf);
    return FR_OK;
}

/* The features of the layer, in their order, as one number: an index
 * whose parcel numbers are a layer's positions stays right while this
 * does. */
static uint64_t layer_fid_digest(const geo_layer *l)
{
    return fr_fnv1a(l->fid, l->count * sizeof *l->fid);
}

/* The exact table always; the normalised one when `norm`. */
static fr_status build(const geo_layer *parcels, int id_col, int norm, geo_id_index **out, size_t **dups,
                       size_t *ndups, fr_error *err)
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

    /* The ids' hashes and the room on every thread; the table is filled
     * on one (the first of a duplicate keeps its parcel, in layer order),
     * its slots fetched ahead from the hashes.  Why: at 5M parcels the fill
     * was 0.3-0.4 s of one thread, mostly waiting for a slot at random,
     * with the other core idle. */
    const long long np = (long long)parcels->count;
    uint64_t *hash = malloc((np ? (size_t)np : 1) * sizeof *hash);
    if (!hash)
        return fr_error_oom_while(err, "indexing the ids of layer '%s'", parcels->name);
    size_t nkeys = 0, bytes = 0;
#pragma omp parallel for schedule(static) reduction(+ : nkeys, bytes)
    for (long long i = 0; i < np; i++) {
        const char *s = str ? str[i] : NULL;
        size_t n = s ? id_index_trim(&s) : 0;
        hash[i] = n ? fr_fnv1a(s, n) : 0;
        nkeys += n > 0;
        bytes += n;
    }

    geo_id_index *ix = calloc(1, sizeof *ix);
    size_t *dv = NULL, nd = 0, dcap = 0;
    if (!ix || id_table_alloc(&ix->exact, nkeys, bytes) != FR_OK)
        goto oom;

    enum { AHEAD = 16 }; /* slots fetched ahead of the one probed */
    for (size_t i = 0; i < parcels->count; i++) {
        if (i + AHEAD < parcels->count)
            __builtin_prefetch(&ix->exact.slot[(size_t)hash[i + AHEAD] & ix->exact.mask]);
        const char *s = str ? str[i] : NULL;
        if (!s)
            continue;
        size_t n = id_index_trim(&s);
        if (n == 0)
            continue;
        if (id_table_add_hashed(&ix->exact, s, n, hash[i], (int32_t)i) >= 0) {
            if (nd == dcap) {
                size_t cap = dcap ? dcap * 2 : 16;
                size_t *p = realloc(dv, cap * sizeof *p);
                if (!p)
                    goto oom;
                dv = p;
                dcap = cap;
            }
            dv[nd++] = i;
        }
    }
    free(hash);
    hash = NULL;
    if (norm && id_index_build_norm(ix) != FR_OK)
        goto oom;
    ix->has_norm = norm;
    *out = ix;
    *dups = dv;
    *ndups = nd;
    return FR_OK;

oom:
    free(hash);
    free(dv);
    geo_id_index_free(ix);
    return fr_error_oom_while(err, "indexing the ids of layer '%s'",
                        parcels->name);
}

fr_status geo_id_index_build(const geo_layer *parcels, int id_col, geo_id_index **out,
                             size_t **dups, size_t *ndups, fr_error *err)
{
    return build(parcels, id_col, 1, out, dups, ndups, err);
}

fr_status geo_id_duplicates(const geo_layer *parcels, int id_col, size_t **dups, size_t *ndups,
                            geo_id_index **exact, fr_error *err)
{
    geo_id_index *ix = NULL;
    fr_status st = build(parcels, id_col, 0, &ix, dups, ndups, err);
    if (exact && st == FR_OK) { /* the layer it stands for, for geo_id_index_complete */
        ix->nparcels = parcels->count;
        ix->fid_digest = layer_fid_digest(parcels);
        *exact = ix;
    } else
        geo_id_index_free(ix);
    return st;
}

fr_status geo_id_index_complete(geo_id_index **ix, const geo_layer *parcels, int id_col, fr_error *err)
{
    geo_id_index *had = *ix;
    if (had && !had->has_norm && had->nparcels == parcels->count && had->fid_digest == layer_fid_digest(parcels)) {
        if (id_index_build_norm(had) != FR_OK) {
            id_table_free(&had->norm);
            memset(&had->norm, 0, sizeof had->norm);
            return fr_error_oom_while(err, "indexing the ids of layer '%s'", parcels->name);
        }
        had->has_norm = 1;
        return FR_OK;
    }
    /* no index, or the layer lost features since: built anew */
    geo_id_index_free(had);
    *ix = NULL;
    size_t *dups = NULL, ndups = 0;
    fr_status st = build(parcels, id_col, 1, ix, &dups, &ndups, err);
    free(dups);
    return st;
}

int32_t geo_id_index_find(const geo_id_index *ix, const char *id)
{
    if (!ix || !id)
        return -1;
    size_t n = id_index_trim(&id);
    if (n == 0)
        return -1;
    size_t slot;
    int32_t e = id_index_probe(&ix->exact, id, n, fr_fnv1a(id, n), &slot);
    return e < 0 ? -1 : ix->exact.entry[e].parcel;
}

int32_t geo_id_index_find_normalised(const geo_id_index *ix, const char *id, int *ambiguous)
{
    *ambiguous = 0;
    if (!ix || !ix->has_norm || !id)
        return -1;
    size_t n = id_index_trim(&id);
    char small[128], *buf = n < sizeof small ? small : malloc(n + 1);
    if (n == 0 || !buf)
        return -1;
    size_t m = id_index_normalise(id, n, buf);
    /* The parcels whose id normalises to buf: the one whose id is buf
     * already (the exact table), and those whose id normalisation changed
     * (the normalised table, ID_AMBIGUOUS for several). */
    size_t slot;
    uint64_t h = m ? fr_fnv1a(buf, m) : 0;
    int32_t as_is = m ? id_index_probe(&ix->exact, buf, m, h, &slot) : -1;
    int32_t changed = m ? id_index_probe(&ix->norm, buf, m, h, &slot) : -1;
    if (buf != small)
        free(buf);
    if (as_is < 0 && changed < 0)
        return -1;
    int32_t parcel = as_is >= 0 ? ix->exact.entry[as_is].parcel : ix->norm.entry[changed].parcel;
    *ambiguous = (as_is >= 0 && changed >= 0) || parcel == ID_AMBIGUOUS;
    return *ambiguous ? -1 : parcel;
}

fr_status geo_id_find_many(const geo_layer *parcels, int id_col, const char *const *ids, size_t n, long *out,
                           fr_error *err)
{
    for (size_t k = 0; k < n; k++)
        out[k] = -1;
    if (n == 0 || id_col < 0 || (size_t)id_col >= parcels->ncols || parcels->cols[id_col].type != GEO_COL_STRING)
        return FR_OK;
    if (n > (size_t)INT32_MAX)
        return fr_error_set(err, FR_E_INPUT, "%zu parcel ids to look up, more than %d", n, INT32_MAX);
    /* The ids asked for, trimmed, in a table of their own: an entry's
     * "parcel" is the first query with that id. */
    size_t bytes = 0;
    for (size_t k = 0; k < n; k++) {
        const char *s = ids[k] ? ids[k] : "";
        bytes += id_index_trim(&s);
    }
    id_table q = {0};
    int32_t *entry_of = malloc(n * sizeof *entry_of); /* each query's entry, -1 for an empty id */
    int nt = omp_get_max_threads() < 1 ? 1 : omp_get_max_threads();
    long *found = malloc((size_t)nt * n * sizeof *found); /* per thread: the lowest parcel of each entry */
    if (!entry_of || !found || id_table_alloc(&q, n, bytes) != FR_OK) {
        free(entry_of);
        free(found);
        id_table_free(&q);
        return fr_error_oom_while(err, "looking up %zu parcel ids", n);
    }
    for (size_t k = 0; k < n; k++) {
        const char *s = ids[k] ? ids[k] : "";
        size_t len = id_index_trim(&s);
        int32_t had = len ? id_table_add(&q, s, len, (int32_t)k) : -1;
        entry_of[k] = len == 0 ? -1 : had >= 0 ? had : (int32_t)q.nentries - 1;
    }
    for (size_t e = 0; e < (size_t)nt * n; e++)
        found[e] = -1;
    char **str = parcels->cols[id_col].str;
    const long long count = (long long)parcels->count;
#pragma omp parallel num_threads(nt)
    {
        long *mine = found + (size_t)omp_get_thread_num() * n;
#pragma omp for schedule(static)
        for (long long i = 0; i < count; i++) {
            const char *s = str[i];
            if (!s)
                continue;
            size_t len = id_index_trim(&s), slot;
            int32_t e = len ? id_index_probe(&q, s, len, fr_fnv1a(s, len), &slot) : -1;
            if (e >= 0 && mine[e] < 0)
                mine[e] = (long)i; /* the thread's indexes ascend */
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (entry_of[k] < 0)
            continue; /* an empty id is nobody's */
        for (int t = 0; t < nt; t++) {
            long i = found[(size_t)t * n + (size_t)entry_of[k]];
            if (i >= 0 && (out[k] < 0 || i < out[k]))
                out[k] = i;
        }
    }
    free(entry_of);
    free(found);
    id_table_free(&q);
    return FR_OK;
}
