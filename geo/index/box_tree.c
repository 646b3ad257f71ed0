/*
 * box_tree.c — the packed Hilbert R-tree of box_tree.h.
 *
 * Written here rather than taken from a library: GEOS' STRtree (the one the
 * joins used, and the one Debian's libraries offer through a C API) cannot
 * be built from arrays, and a flat tree over the envelopes the layer
 * already holds is a few dozen lines (box_tree.h says why it matters).
 */
#include "box_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOX_TREE_FANOUT 16
#define BOX_TREE_MAX_LEVELS 16 /* 16^8 > INT32_MAX: 9 levels at most */

struct geo_box_tree {
    const double *bbox;                      /* the layer's envelopes (not owned) */
    size_t nlevels;                          /* 0 for a tree without items */
    size_t level_start[BOX_TREE_MAX_LEVELS]; /* first box of each level; level 0 = the items */
    size_t level_count[BOX_TREE_MAX_LEVELS];
    float *box;                              /* 4 floats a box, every level */
    int32_t *item;                           /* item of each level-0 box */
};

/* The float at or below v, and at or above: a float box rounded outward
 * holds the double box it stands for. */
static float box_tree_down(double v)
{
    float f = (float)v;
    if ((double)f > v)
        f = nextafterf(f, -INFINITY);
    return f;
}

static float box_tree_up(double v)
{
    float f = (float)v;
    if ((double)f < v)
        f = nextafterf(f, INFINITY);
    return f;
}

/* Position of (x, y) on the Hilbert curve over a 65536 x 65536 grid
 * (the branch-free form of "Fast Hilbert curve generation" by
 * rawrunprotected, public domain, as flatbush uses it). */
static uint32_t box_tree_hilbert(uint32_t x, uint32_t y)
{
    uint32_t a = x ^ y;
    uint32_t b = 0xFFFF ^ a;
    uint32_t c = 0xFFFF ^ (x | y);
    uint32_t d = x & (y ^ 0xFFFF);

    uint32_t A = a | (b >> 1);
    uint32_t B = (a >> 1) ^ a;
    uint32_t C = ((c >> 1) ^ (b & (d >> 1))) ^ c;
    uint32_t D = ((a & (c >> 1)) ^ (d >> 1)) ^ d;

    a = A;
    b = B;
    c = C;
    d = D;
    A = (a & (a >> 2)) ^ (b & (b >> 2));
    B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
    C ^= (a & (c >> 2)) ^ (b & (d >> 2));
    D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));

    a = A;
    b = B;
    c = C;
    d = D;
    A = (a & (a >> 4)) ^ (b & (b >> 4));
    B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
    C ^= (a & (c >> 4)) ^ (b & (d >> 4));
    D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));

    a = A;
    b = B;
    c = C;
    d = D;
    C ^= (a & (c >> 8)) ^ (b & (d >> 8));
    D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));

    a = C ^ (C >> 1);
    b = D ^ (D >> 1);

    uint32_t i0 = x ^ y;
    uint32_t i1 = b | (0xFFFF ^ (i0 | a));

    i0 = (i0 | (i0 << 8)) & 0x00FF00FF;
    i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F;
    i0 = (i0 | (i0 << 2)) & 0x33333333;
    i0 = (i0 | (i0 << 1)) & 0x55555555;

    i1 = (i1 | (i1 << 8)) & 0x00FF00FF;
    i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F;
    i1 = (i1 | (i1 << 2)) & 0x33333333;
    i1 = (i1 | (i1 << 1)) & 0x55555555;

    return (i1 << 1) | i0;
}

static int box_tree_has_box(const double *b)
{
    return !isnan(b[0]) && !isnan(b[1]) && !isnan(b[2]) && !isnan(b[3]);
}

/* Grid cell (0..65535) of v on [lo, lo + span]. */
static uint32_t box_tree_cell(double v, double lo, double span)
{
    if (!(span > 0.0))
        return 0;
    double c = (v - lo) / span * 65535.0;
    if (!(c > 0.0))
        return 0;
    return c >= 65535.0 ? 65535u : (uint32_t)c;
}

/* Sorts keys[0..n) by their upper 32 bits, keeping the order of equal
 * ones: an LSD radix sort in three passes (11, 11, 10 bits), tmp as its
 * scratch.  The lower 32 bits are the item, ascending on input, so equal
 * Hilbert values keep the item order. */
static void box_tree_sort(uint64_t *keys, uint64_t *tmp, size_t n)
{
    static const unsigned shift[3] = {32, 43, 54};
    uint64_t *src = keys, *dst = tmp;
    for (int pass = 0; pass < 3; pass++) {
        size_t count[2048] = {0};
        unsigned s = shift[pass];
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> s) & 2047]++;
        size_t at = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> s) & 2047]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys) /* three passes end in tmp */
        memcpy(keys, src, n * sizeof *keys);
}

/* The keys of the items with an envelope, in input order: the Hilbert
 * value of the envelope's centre over the whole extent, and the item. */
static size_t box_tree_keys(const double *bbox, size_t n, uint64_t *keys)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double *b = &bbox[4 * i];
        if (!box_tree_has_box(b))
            continue;
        minx = fmin(minx, b[0]);
        miny = fmin(miny, b[1]);
        maxx = fmax(maxx, b[2]);
        maxy = fmax(maxy, b[3]);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *b = &bbox[4 * i];
        if (!box_tree_has_box(b))
            continue;
        uint32_t hx = box_tree_cell(0.5 * b[0] + 0.5 * b[2], minx, maxx - minx);
        uint32_t hy = box_tree_cell(0.5 * b[1] + 0.5 * b[3], miny, maxy - miny);
        keys[m++] = (uint64_t)box_tree_hilbert(hx, hy) << 32 | (uint64_t)i;
    }
    return m;
}

/* The boxes of level k from those of level k - 1: each the union of 16. */
static void box_tree_parents(geo_box_tree *t, size_t k)
{
    const float *child = t->box + 4 * t->level_start[k - 1];
    float *node = t->box + 4 * t->level_start[k];
    size_t nchild = t->level_count[k - 1];
    for (size_t j = 0; j < t->level_count[k]; j++) {
        size_t c0 = j * BOX_TREE_FANOUT, c1 = c0 + BOX_TREE_FANOUT < nchild ? c0 + BOX_TREE_FANOUT : nchild;
        float b[4] = {child[4 * c0], child[4 * c0 + 1], child[4 * c0 + 2], child[4 * c0 + 3]};
        for (size_t c = c0 + 1; c < c1; c++) {
            const float *cb = &child[4 * c];
            b[0] = cb[0] < b[0] ? cb[0] : b[0];
            b[1] = cb[1] < b[1] ? cb[1] : b[1];
            b[2] = cb[2] > b[2] ? cb[2] : b[2];
            b[3] = cb[3] > b[3] ? cb[3] : b[3];
        }
        memcpy(&node[4 * j], b, sizeof b);
    }
}

fr_status geo_box_tree_build(const double *bbox, size_t n, geo_box_tree **out, fr_error *err)
{
    *out = NULL;
    if (n >= (size_t)INT32_MAX)
        return fr_error_set(err, FR_E_INPUT, "%zu features are more than the spatial index takes (%d)", n,
                            INT32_MAX - 1);
    geo_box_tree *t = calloc(1, sizeof *t);
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!t || !keys) {
        free(t);
        free(keys);
        return fr_error_oom_while(err, "building the spatial index");
    }
    t->bbox = bbox;
    size_t m = box_tree_keys(bbox, n, keys);
    if (m == 0) {
        free(keys);
        *out = t;
        return FR_OK;
    }
    /* the levels: m items, then a node for every 16 below, up to one */
    size_t total = 0;
    for (size_t count = m;; count = (count + BOX_TREE_FANOUT - 1) / BOX_TREE_FANOUT) {
        t->level_start[t->nlevels] = total;
        t->level_count[t->nlevels] = count;
        t->nlevels++;
        total += count;
        if (count == 1)
            break;
    }
    uint64_t *tmp = malloc(m * sizeof *tmp);
    t->box = malloc(4 * total * sizeof *t->box);
    t->item = malloc(m * sizeof *t->item);
    if (!tmp || !t->box || !t->item) {
        free(tmp);
        free(keys);
        geo_box_tree_free(t);
        return fr_error_oom_while(err, "building the spatial index");
    }
    box_tree_sort(keys, tmp, m);
    free(tmp);
    for (size_t k = 0; k < m; k++) {
        int32_t i = (int32_t)(keys[k] & 0xFFFFFFFFu);
        const double *b = &bbox[4 * (size_t)i];
        t->item[k] = i;
        t->box[4 * k] = box_tree_down(b[0]);
        t->box[4 * k + 1] = box_tree_down(b[1]);
        t->box[4 * k + 2] = box_tree_up(b[2]);
        t->box[4 * k + 3] = box_tree_up(b[3]);
    }
    free(keys);
    for (size_t k = 1; k < t->nlevels; k++)
        box_tree_parents(t, k);
    *out = t;
    return FR_OK;
}

void geo_box_tree_free(geo_box_tree *t)
{
    if (!t)
        return;
    free(t->box);
    free(t->item);
    free(t);
}

static int box_tree_meets(const float *b, double minx, double miny, double maxx, double maxy)
{
    return (double)b[0] <= maxx && (double)b[2] >= minx && (double)b[1] <= maxy && (double)b[3] >= miny;
}

int geo_box_tree_query(const geo_box_tree *t, double minx, double miny, double maxx, double maxy,
                       geo_box_tree_visit visit, void *arg)
{
    if (t->nlevels == 0)
        return 0;
    size_t top = t->nlevels - 1;
    if (!box_tree_meets(t->box + 4 * t->level_start[top], minx, miny, maxx, maxy))
        return 0;
    /* Depth first; a node on the stack meets the box.  At most 15 siblings
     * wait on each level below the one being read. */
    struct {
        uint8_t level;
        uint32_t node;
    } stack[BOX_TREE_FANOUT * BOX_TREE_MAX_LEVELS];
    size_t sp = 0;
    stack[sp].level = (uint8_t)top;
    stack[sp].node = 0;
    sp++;
    while (sp > 0) {
        sp--;
        size_t k = stack[sp].level, j = stack[sp].node;
        if (k == 0) { /* the root is the only item */
            int32_t i = t->item[0];
            const double *b = &t->bbox[4 * (size_t)i];
            if (b[0] <= maxx && b[2] >= minx && b[1] <= maxy && b[3] >= miny && visit(i, arg))
                return 1;
            continue;
        }
        size_t nchild = t->level_count[k - 1];
        size_t c0 = j * BOX_TREE_FANOUT, c1 = c0 + BOX_TREE_FANOUT < nchild ? c0 + BOX_TREE_FANOUT : nchild;
        const float *cb = t->box + 4 * t->level_start[k - 1];
        for (size_t c = c0; c < c1; c++) {
            if (!box_tree_meets(&cb[4 * c], minx, miny, maxx, maxy))
                continue;
            if (k - 1 > 0) {
                stack[sp].level = (uint8_t)(k - 1);
                stack[sp].node = (uint32_t)c;
                sp++;
                continue;
            }
            int32_t i = t->item[c];
            const double *b = &t->bbox[4 * (size_t)i];
            if (b[0] <= maxx && b[2] >= minx && b[1] <= maxy && b[3] >= miny && visit(i, arg))
                return 1;
        }
    }
    return 0;
}
