/*
 * address_index.c — builds the parcels' address index (address_index.h;
 * geo_address_index_build and _free in join.h).
 *
 * Three passes.  1: every parcel's address is parsed (geo_address_parse),
 * in parallel over fixed blocks of parcels, each block writing its street
 * parts into its own buffer, so the result does not depend on the thread
 * count.  2: in parcel order, each distinct street gets an id (a hash map
 * on the full street key, keys compared byte for byte).  3: the house
 * numbers of each street are sorted by (number, parcel index), and the
 * relaxed keys (no suffix, no directionals, name only) are mapped.
 *
 * A parcel whose address lacks a house number or a street is not indexed
 * (counted in parcels_unusable); parcels may share an address (condominium
 * parcels, a lot split without renumbering): all are indexed, and the
 * matcher treats such an address as ambiguous (join_address.c).
 */
#include "address_index.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "address_norm.h"

#define BLOCK 4096

uint32_t geo_addr_hash32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h ? h : 1; /* 0 means "no city" */
}

size_t geo_addr_key(char *buf, size_t size, int kind, const char *predir, const char *name,
                    const char *suffix, const char *postdir)
{
    int dirs = kind == GEO_ADDR_KEY_FULL || kind == GEO_ADDR_KEY_NO_SUFFIX;
    int sfx = kind == GEO_ADDR_KEY_FULL || kind == GEO_ADDR_KEY_NO_DIRS;
    size_t n = 0;
    const char *parts[4] = {dirs ? predir : "", name, sfx ? suffix : "", dirs ? postdir : ""};
    for (int k = 0; k < 4; k++) {
        const char *p = parts[k] ? parts[k] : "";
        size_t len = strlen(p);
        if (n + len + 2 > size)
            len = n + 2 < size ? size - n - 2 : 0;
        memcpy(buf + n, p, len);
        n += len;
        if (k < 3 && n + 1 < size)
            buf[n++] = '|';
    }
    buf[n < size ? n : size - 1] = '\0';
    return n;
}

/* ---- text arena and maps ----------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
} arena;

/* Copies s into the arena; returns its offset, or UINT32_MAX on failure. */
static uint32_t arena_put(arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    if (a->len + n > UINT32_MAX - 1)
        return UINT32_MAX;
    if (a->len + n > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4096;
        while (cap < a->len + n)
            cap *= 2;
        char *p = realloc(a->p, cap);
        if (!p)
            return UINT32_MAX;
        a->p = p;
        a->cap = cap;
    }
    memcpy(a->p + a->len, s, n);
    uint32_t off = (uint32_t)a->len;
    a->len += n;
    return off;
}

static int map_init(geo_addr_map *m, size_t slots)
{
    size_t size = 16;
    while (size < slots)
        size *= 2;
    m->mask = size - 1;
    m->slot = malloc(size * sizeof *m->slot);
    m->key = malloc(size * sizeof *m->key);
    if (!m->slot || !m->key)
        return 0;
    memset(m->slot, 0xff, size * sizeof *m->slot);
    return 1;
}

static void map_free(geo_addr_map *m)
{
    free(m->slot);
    free(m->key);
    free(m->next);
    memset(m, 0, sizeof *m);
}

/* Slot of key (its street, or an empty slot where it goes). */
static size_t map_probe(const geo_addr_map *m, const char *text, const char *key)
{
    size_t s = geo_addr_hash32(key) & m->mask;
    while (m->slot[s] >= 0 && strcmp(text + m->key[s], key) != 0)
        s = (s + 1) & m->mask;
    return s;
}

/* Doubles the table when it is half full. */
static int map_grow(geo_addr_map *m, const char *text, size_t used)
{
    if (2 * (used + 1) <= m->mask + 1)
        return 1;
    geo_addr_map old = *m;
    if (!map_init(m, 2 * (old.mask + 1))) {
        free(m->slot);
        free(m->key);
        *m = old;
        return 0;
    }
    m->next = old.next;
    for (size_t s = 0; s <= old.mask; s++) {
        if (old.slot[s] < 0)
            continue;
        size_t t = map_probe(m, text, text + old.key[s]);
        m->slot[t] = old.slot[s];
        m->key[t] = old.key[s];
    }
    free(old.slot);
    free(old.key);
    return 1;
}

int32_t geo_addr_map_find(const geo_address_index *ix, int kind, const char *key)
{
    const geo_addr_map *m = &ix->map[kind];
    if (!m->slot)
        return -1;
    return m->slot[map_probe(m, ix->text, key)];
}

/* ---- pass 1: parse ------------------------------------------------------- */

typedef struct {
    int32_t lo, hi;
    uint32_t city;
    uint32_t off;     /* parts in the block's buffer: predir\0name\0suffix\0postdir\0 */
    char extra[8];
    char zip[6];
    char unit[16];
    unsigned char state; /* 0 no address text, 1 unusable, 2 indexed */
} parsed;

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} block_buf;

static uint32_t block_put(block_buf *b, const geo_address *a)
{
    const char *parts[4] = {a->predir, a->name, a->suffix, a->postdir};
    size_t need = 0;
    for (int k = 0; k < 4; k++)
        need += strlen(parts[k]) + 1;
    if (b->len + need > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + need)
            cap *= 2;
        char *p = realloc(b->buf, cap);
        if (!p) {
            b->oom = 1;
            return 0;
        }
        b->buf = p;
        b->cap = cap;
    }
    uint32_t off = (uint32_t)b->len;
    for (int k = 0; k < 4; k++) {
        size_t n = strlen(parts[k]) + 1;
        memcpy(b->buf + b->len, parts[k], n);
        b->len += n;
    }
    return off;
}

static void parse_block(const geo_layer *parcels, int addr_col, size_t b, parsed *pp, block_buf *bb)
{
    size_t i0 = b * BLOCK, i1 = i0 + BLOCK < parcels->count ? i0 + BLOCK : parcels->count;
    geo_address a;
    for (size_t i = i0; i < i1; i++) {
        parsed *p = &pp[i];
        memset(p, 0, sizeof *p);
        const char *s = parcels->cols[addr_col].str[i];
        if (!s)
            continue;
        geo_address_parse(s, &a);
        if (a.num_lo < 0 || !a.name[0]) {
            p->state = a.street[0] || a.number[0] ? 1 : 0;
            continue;
        }
        p->state = 2;
        p->lo = a.num_lo;
        p->hi = a.num_hi;
        p->city = a.city[0] ? geo_addr_hash32(a.city) : 0;
        memcpy(p->extra, a.num_extra, sizeof p->extra);
        memcpy(p->zip, a.zip, 5);
        p->zip[5] = '\0';
        geo_address_unit_key(a.unit, p->unit, sizeof p->unit);
        p->off = block_put(bb, &a);
    }
}

/* ---- passes 2 and 3 ------------------------------------------------------ */

static int entry_cmp(const void *a, const void *b)
{
    const geo_addr_entry *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return (x->parcel > y->parcel) - (x->parcel < y->parcel);
}

void geo_address_index_free(geo_address_index *ix)
{
    if (!ix)
        return;
    free(ix->street);
    free(ix->entry);
    free(ix->text);
    for (int k = 0; k < GEO_ADDR_NKEYS; k++)
        map_free(&ix->map[k]);
    free(ix->names);
    free(ix->building_of);
    free(ix);
}

/* Adds street s under its key of kind k (prepending to the key's chain). */
static int map_add(geo_addr_map *m, arena *ar, size_t *used, int32_t s, const char *key)
{
    if (!map_grow(m, ar->p, *used))
        return 0;
    size_t t = map_probe(m, ar->p, key);
    if (m->slot[t] < 0) {
        uint32_t off = arena_put(ar, key);
        if (off == UINT32_MAX)
            return 0;
        m->key[t] = off;
        m->next[s] = -1;
        (*used)++;
    } else {
        m->next[s] = m->slot[t];
    }
    m->slot[t] = s;
    return 1;
}

static fr_status index_streets(geo_address_index *ix, const geo_layer *parcels, const parsed *pp,
                               block_buf *bufs, int32_t *street_of, arena *ar, fr_error *err)
{
    size_t n = parcels->count, cap = 0, used = 0;
    geo_addr_map *full = &ix->map[GEO_ADDR_KEY_FULL];
    char key[4 * GEO_ADDR_STREET_MAX];
    if (!map_init(full, 64))
        goto oom;
    for (size_t i = 0; i < n; i++) {
        street_of[i] = -1;
        if (pp[i].state != 2)
            continue;
        const char *pre = bufs[i / BLOCK].buf + pp[i].off;
        const char *name = pre + strlen(pre) + 1;
        const char *sfx = name + strlen(name) + 1;
        const char *post = sfx + strlen(sfx) + 1;
        geo_addr_key(key, sizeof key, GEO_ADDR_KEY_FULL, pre, name, sfx, post);
        if (!map_grow(full, ar->p, used))
            goto oom;
        size_t t = map_probe(full, ar->p, key);
        if (full->slot[t] < 0) {
            if (ix->nstreets == cap) {
                size_t nc = cap ? cap * 2 : 256;
                geo_addr_street *s = realloc(ix->street, nc * sizeof *s);
                if (!s)
                    goto oom;
                ix->street = s;
                cap = nc;
            }
            geo_addr_street *s = &ix->street[ix->nstreets];
            memset(s, 0, sizeof *s);
            uint32_t k = arena_put(ar, key);
            s->predir = arena_put(ar, pre);
            s->name = arena_put(ar, name);
            s->suffix = arena_put(ar, sfx);
            s->postdir = arena_put(ar, post);
            if (k == UINT32_MAX || s->predir == UINT32_MAX || s->name == UINT32_MAX ||
                s->suffix == UINT32_MAX || s->postdir == UINT32_MAX)
                goto oom;
            full->slot[t] = (int32_t)ix->nstreets;
            full->key[t] = k;
            ix->nstreets++;
            used++;
        }
        street_of[i] = full->slot[t];
        ix->street[street_of[i]].count++;
        ix->parcels_with_address++;
    }
    return FR_OK;
oom:
    return fr_error_oom_while(err, "indexing the addresses of layer '%s'", parcels->name);
}

static fr_status index_entries(geo_address_index *ix, const geo_layer *parcels, const parsed *pp,
                               const int32_t *street_of, fr_error *err)
{
    size_t total = 0;
    for (size_t s = 0; s < ix->nstreets; s++) {
        ix->street[s].first = (uint32_t)total;
        total += ix->street[s].count;
        ix->street[s].count = 0;
    }
    ix->entry = malloc((total ? total : 1) * sizeof *ix->entry);
    if (!ix->entry)
        return fr_error_oom_while(err, "indexing the addresses of layer '%s'",
                            parcels->name);
    ix->nentries = total;
    for (size_t i = 0; i < parcels->count; i++) {
        if (street_of[i] < 0)
            continue;
        geo_addr_street *s = &ix->street[street_of[i]];
        geo_addr_entry *e = &ix->entry[s->first + s->count++];
        e->lo = pp[i].lo;
        e->hi = pp[i].hi;
        e->parcel = (int32_t)i;
        e->city = pp[i].city;
        memcpy(e->extra, pp[i].extra, sizeof e->extra);
        memcpy(e->zip, pp[i].zip, sizeof e->zip);
        memcpy(e->unit, pp[i].unit, sizeof e->unit);
        e->building = -1;
        if (e->hi - e->lo > s->max_span)
            s->max_span = e->hi - e->lo;
    }
#pragma omp parallel for schedule(dynamic, 64)
    for (size_t s = 0; s < ix->nstreets; s++)
        qsort(ix->entry + ix->street[s].first, ix->street[s].count, sizeof *ix->entry, entry_cmp);
    return FR_OK;
}

static fr_status index_relaxed(geo_address_index *ix, arena *ar, const char *layer, fr_error *err)
{
    char key[4 * GEO_ADDR_STREET_MAX];
    size_t ns = ix->nstreets;
    ix->map[GEO_ADDR_KEY_FULL].next = malloc((ns ? ns : 1) * sizeof(int32_t));
    if (!ix->map[GEO_ADDR_KEY_FULL].next)
        goto oom;
    for (size_t s = 0; s < ns; s++)
        ix->map[GEO_ADDR_KEY_FULL].next[s] = -1; /* full keys are unique */
    size_t nnames = 0;
    for (int k = GEO_ADDR_KEY_NO_SUFFIX; k < GEO_ADDR_NKEYS; k++) {
        geo_addr_map *m = &ix->map[k];
        size_t used = 0;
        if (!map_init(m, 64) || !(m->next = malloc((ns ? ns : 1) * sizeof *m->next)))
            goto oom;
        for (size_t s = 0; s < ns; s++) {
            const geo_addr_street *st = &ix->street[s];
            geo_addr_key(key, sizeof key, k, ar->p + st->predir, ar->p + st->name, ar->p + st->suffix,
                         ar->p + st->postdir);
            if (!map_add(m, ar, &used, (int32_t)s, key))
                goto oom;
        }
        if (k == GEO_ADDR_KEY_NAME)
            nnames = used;
    }
    /* distinct names, in the order of their first street */
    ix->names = malloc((nnames ? nnames : 1) * sizeof *ix->names);
    if (!ix->names)
        goto oom;
    ix->text = ar->p; /* geo_addr_map_find reads the arena; it no longer moves */
    for (size_t s = 0; s < ns; s++) {
        const char *name = ar->p + ix->street[s].name;
        geo_addr_key(key, sizeof key, GEO_ADDR_KEY_NAME, "", name, "", "");
        int32_t first = -1;
        for (int32_t t = geo_addr_map_find(ix, GEO_ADDR_KEY_NAME, key); t >= 0;
             t = ix->map[GEO_ADDR_KEY_NAME].next[t])
            first = t; /* chains are prepended: the last is the lowest street */
        if (first == (int32_t)s)
            ix->names[ix->nnames++] = ix->street[s].name;
    }
    return FR_OK;
oom:
    return fr_error_oom_while(err, "indexing the addresses of layer '%s'", layer);
}

fr_status geo_address_index_build(const geo_layer *parcels, int addr_col, geo_address_index **out,
                                  fr_error *err)
{
    *out = NULL;
    if (addr_col < 0 || (size_t)addr_col >= parcels->ncols || parcels->cols[addr_col].type != GEO_COL_STRING)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': address column %d is not a string column",
                            parcels->name, addr_col);
    if (parcels->count > (size_t)INT32_MAX)
        return fr_error_set(err, FR_E_INPUT, "layer '%s' (%s): %zu features, more than %d", parcels->name,
                            parcels->source, parcels->count, INT32_MAX);
    size_t n = parcels->count, nblocks = (n + BLOCK - 1) / BLOCK;
    geo_address_index *ix = calloc(1, sizeof *ix);
    parsed *pp = malloc((n ? n : 1) * sizeof *pp);
    block_buf *bufs = calloc(nblocks ? nblocks : 1, sizeof *bufs);
    int32_t *street_of = malloc((n ? n : 1) * sizeof *street_of);
    arena ar = {0};
    fr_status st = FR_OK;
    if (!ix || !pp || !bufs || !street_of)
        st = fr_error_oom_while(err, "indexing the addresses of layer '%s'", parcels->name);
    if (st == FR_OK) {
#pragma omp parallel for schedule(dynamic, 1)
        for (size_t b = 0; b < nblocks; b++)
            parse_block(parcels, addr_col, b, pp, &bufs[b]);
        for (size_t b = 0; b < nblocks; b++)
            if (bufs[b].oom)
                st = fr_error_oom_while(err, "indexing the addresses of layer '%s'",
                                  parcels->name);
        for (size_t i = 0; i < n && st == FR_OK; i++)
            ix->parcels_unusable += pp[i].state == 1;
    }
    if (st == FR_OK && arena_put(&ar, "") == UINT32_MAX) /* offset 0: the empty string */
        st = fr_error_oom(err);
    if (st == FR_OK)
        st = index_streets(ix, parcels, pp, bufs, street_of, &ar, err);
    if (st == FR_OK)
        st = index_entries(ix, parcels, pp, street_of, err);
    if (st == FR_OK)
        st = index_relaxed(ix, &ar, parcels->name, err);
    if (ix) {
        ix->text = ar.p;
        ix->text_len = ar.len;
        ix->nparcels = n;
    } else {
        free(ar.p);
    }
    for (size_t b = 0; bufs && b < nblocks; b++)
        free(bufs[b].buf);
    free(bufs);
    free(pp);
    free(street_of);
    if (st != FR_OK) {
        geo_address_index_free(ix);
        return st;
    }
    *out = ix;
    return FR_OK;
}

/* ---- buildings ----------------------------------------------------------- */

/* Entries k and j hold the same house number (the same letter or fraction). */
static int same_number(const geo_addr_entry *a, const geo_addr_entry *b)
{
    return a->lo == b->lo && a->hi == b->hi && !strcmp(a->extra, b->extra);
}

fr_status geo_address_index_buildings(geo_address_index *ix, const double *rx, const double *ry,
                                      double tolerance_m, fr_error *err)
{
    free(ix->building_of);
    ix->building_of = malloc((ix->nparcels ? ix->nparcels : 1) * sizeof *ix->building_of);
    if (!ix->building_of)
        return fr_error_oom_while(err, "grouping the parcels that share an address");
    for (size_t i = 0; i < ix->nparcels; i++)
        ix->building_of[i] = -1;
    ix->nbuildings = 0;
    ix->parcels_sharing = ix->parcels_in_buildings = 0;
    double tol2 = tolerance_m * tolerance_m;
    /* Entries of a street are sorted by (number, parcel): the parcels of
     * one address are a run.  Each parcel joins the first earlier parcel
     * of its run (a seed) within the tolerance, else seeds a group of its
     * own; groups of two and more are buildings, in street and number
     * order, so the ids do not depend on the thread count. */
    for (size_t s = 0; s < ix->nstreets; s++) {
        geo_addr_entry *e = ix->entry + ix->street[s].first;
        uint32_t n = ix->street[s].count;
        for (uint32_t i = 0; i < n;) {
            uint32_t j = i + 1;
            while (j < n && same_number(&e[i], &e[j]))
                j++;
            if (j - i >= 2) {
                ix->parcels_sharing += j - i;
                for (uint32_t k = i; k < j; k++)
                    e[k].building = -2 - (int32_t)k; /* its own group (seed k), for now */
                for (uint32_t k = i + 1; k < j; k++) {
                    double xk = rx[e[k].parcel], yk = ry[e[k].parcel];
                    for (uint32_t q = i; q < k; q++) {
                        if (e[q].building != -2 - (int32_t)q)
                            continue; /* not a seed */
                        double dx = rx[e[q].parcel] - xk, dy = ry[e[q].parcel] - yk;
                        if (dx * dx + dy * dy <= tol2) { /* NAN (no geometry) never is */
                            e[k].building = -2 - (int32_t)q;
                            break;
                        }
                    }
                }
                /* number the groups of two and more */
                for (uint32_t q = i; q < j; q++) {
                    int32_t tag = -2 - (int32_t)q;
                    uint32_t size = 0;
                    for (uint32_t k = q; k < j; k++)
                        size += e[k].building == tag;
                    if (size < 2)
                        continue;
                    for (uint32_t k = q; k < j; k++)
                        if (e[k].building == tag)
                            e[k].building = ix->nbuildings;
                    ix->parcels_in_buildings += size;
                    ix->nbuildings++;
                }
                for (uint32_t k = i; k < j; k++)
                    if (e[k].building < -1)
                        e[k].building = -1;
            }
            i = j;
        }
    }
    for (size_t k = 0; k < ix->nentries; k++)
        if (ix->entry[k].building >= 0 && ix->building_of[ix->entry[k].parcel] < 0)
            ix->building_of[ix->entry[k].parcel] = ix->entry[k].building;
    return FR_OK;
}

const int32_t *geo_address_index_building_of(const geo_address_index *ix, int32_t *nbuildings,
                                             size_t *sharing, size_t *in_buildings)
{
    if (nbuildings)
        *nbuildings = ix ? ix->nbuildings : 0;
    if (sharing)
        *sharing = ix ? ix->parcels_sharing : 0;
    if (in_buildings)
        *in_buildings = ix ? ix->parcels_in_buildings : 0;
    return ix ? ix->building_of : NULL;
}

const char *geo_address_index_street(const geo_address_index *ix, int32_t street, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (!ix || street < 0 || (size_t)street >= ix->nstreets || !size)
        return buf;
    const geo_addr_street *s = &ix->street[street];
    const char *parts[4] = {ix->text + s->predir, ix->text + s->name, ix->text + s->suffix,
                            ix->text + s->postdir};
    size_t n = 0;
    for (int k = 0; k < 4; k++) {
        size_t len = strlen(parts[k]);
        if (!len)
            continue;
        if (n + len + 2 > size)
            break;
        if (n)
            buf[n++] = ' ';
        memcpy(buf + n, parts[k], len + 1);
        n += len;
    }
    return buf;
}
