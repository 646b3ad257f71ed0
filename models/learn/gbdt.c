/*
 * gbdt.c — histogram gradient boosting for the log-loss (see gbdt.h).
 */
#include "gbdt.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256            /* bin 0 = missing, 1..255 values */
#define SAMPLE_ROWS 200000   /* rows sampled for the quantile cuts (as LightGBM) */

typedef struct {
    int nb;                  /* value bins 1..nb; 0 = dropped */
    float *edges;            /* nb - 1 upper edges */
    int has_missing;
    int mono;                /* +1: the score may only rise with the value, -1 only fall, 0 free */
} fbins;

typedef struct {
    double g, h;
} grad_pair;

typedef struct {
    size_t begin, end;       /* segment of idx */
    double G, H;
    int32_t node;
    int depth;
    double *hist;            /* nf * SLOTS * 2 */
    double lo, hi;           /* bounds on the node's weight set by monotone splits above it */
} task;

typedef struct {
    double gain;
    int bin;                 /* bins <= bin go left */
    int missing_left;
    double GL, HL;
    double wl, wr;           /* the children's weights (bounded; before the learning rate) */
} split;

typedef struct {
    model_gbdt_node *nodes;
    int32_t *bin;            /* split bin of each node (training only) */
    size_t count, cap;
} node_list;

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Quantile cuts of one feature over a sample of the training rows. */
static int make_bins(const float *x, const uint32_t *rows, size_t nrows, int maxbins, fbins *fb)
{
    memset(fb, 0, sizeof *fb);
    size_t stride = nrows > SAMPLE_ROWS ? (nrows + SAMPLE_ROWS - 1) / SAMPLE_ROWS : 1;
    float *v = malloc(((nrows + stride - 1) / stride + 1) * sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    for (size_t k = 0; k < nrows; k += stride) {
        float val = x[rows[k]];
        if (!isnan(val))
            v[n++] = val;
    }
    /* Whether any training row is missing (all rows, not just the sample). */
    for (size_t k = 0; k < nrows && !fb->has_missing; k++)
        fb->has_missing = isnan(x[rows[k]]);
    if (n == 0) {
        free(v);
        return 0;
    }
    qsort(v, n, sizeof *v, cmp_float);
    size_t distinct = 1;
    for (size_t i = 1; i < n; i++)
        distinct += v[i] != v[i - 1];
    fb->edges = malloc((size_t)maxbins * sizeof *fb->edges);
    if (!fb->edges) {
        free(v);
        return -1;
    }
    int ne = 0;
    if ((int)distinct <= maxbins) {
        for (size_t i = 0; i + 1 < n; i++)
            if (v[i] != v[i + 1])
                fb->edges[ne++] = v[i];
    } else {
        for (int j = 1; j < maxbins; j++) {
            float e = v[(size_t)j * n / (size_t)maxbins];
            if (e < v[n - 1] && (ne == 0 || e > fb->edges[ne - 1]))
                fb->edges[ne++] = e;
        }
    }
    fb->nb = ne + 1;
    free(v);
    return 0;
}

static uint8_t bin_of(const fbins *fb, float v)
{
    if (isnan(v))
        return 0;
    int lo = 0, hi = fb->nb - 1; /* first edge >= v, or nb - 1 */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (v <= fb->edges[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint8_t)(lo + 1);
}

static int32_t new_node(node_list *l, double value)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        model_gbdt_node *n = realloc(l->nodes, cap * sizeof *n);
        if (!n)
            return -1;
        l->nodes = n;
        int32_t *b = realloc(l->bin, cap * sizeof *b);
        if (!b)
            return -1;
        l->bin = b;
        l->cap = cap;
    }
    l->nodes[l->count] = (model_gbdt_node){-1, -1, -1, 0, 0, value};
    l->bin[l->count] = 0;
    return (int32_t)l->count++;
}

/* The weight -G/(H + l2), held within [lo, hi] (the bounds monotone
 * constraints put on a node; infinite without), before the learning rate. */
static double bounded_weight(double G, double H, double l2, double lo, double hi)
{
    double w = -G / (H + l2);
    return w < lo ? lo : w > hi ? hi : w;
}

static double leaf_weight(double G, double H, double lo, double hi, const model_gbdt_params *p)
{
    return bounded_weight(G, H, p->l2, lo, hi) * p->learning_rate;
}

/* How much a side lowers the objective with weight w: G^2/(H + l2) at the
 * free optimum; written as such there so that a model without constraints
 * is the same bits as before they existed. */
static double side_gain(double G, double H, double l2, double w, int bounded)
{
    return bounded ? -(2 * G * w + (H + l2) * w * w) : G * G / (H + l2);
}

/* Scores one candidate (left sums gl, hl) of task t on a feature with
 * constraint mono; *ok = 0 when the children's weights break it. */
static double candidate_gain(const task *t, double gl, double hl, int mono, double l2, double *wl, double *wr, int *ok)
{
    double gr = t->G - gl, hr = t->H - hl;
    int bounded = mono != 0 || isfinite(t->lo) || isfinite(t->hi);
    *wl = bounded_weight(gl, hl, l2, t->lo, t->hi);
    *wr = bounded_weight(gr, hr, l2, t->lo, t->hi);
    *ok = !(mono > 0 && *wl > *wr) && !(mono < 0 && *wl < *wr);
    double w = bounded_weight(t->G, t->H, l2, t->lo, t->hi);
    return side_gain(gl, hl, l2, *wl, bounded) + side_gain(gr, hr, l2, *wr, bounded) - side_gain(t->G, t->H, l2, w, bounded);
}

static split best_split_feature(const task *t, size_t f, const fbins *fb, const model_gbdt_params *p)
{
    split best = {0, -1, 0, 0, 0, 0, 0};
    if (fb->nb == 0)
        return best;
    const double *h = t->hist + f * SLOTS * 2;
    double Gm = h[0], Hm = h[1], H = t->H, l2 = p->l2, mcw = p->min_child_weight;
    double GL = 0, HL = 0, wl, wr;
    int ok;
    for (int b = 1; b <= fb->nb; b++) {
        GL += h[2 * b];
        HL += h[2 * b + 1];
        if (b == fb->nb && !(Hm > 0))
            break;
        /* missing right */
        if (HL >= mcw && H - HL >= mcw) {
            double gain = candidate_gain(t, GL, HL, fb->mono, l2, &wl, &wr, &ok);
            if (ok && gain > best.gain)
                best = (split){gain, b, 0, GL, HL, wl, wr};
        }
        if (Hm > 0 && b < fb->nb) { /* missing left */
            double gl = GL + Gm, hl = HL + Hm;
            if (hl >= mcw && H - hl >= mcw) {
                double gain = candidate_gain(t, gl, hl, fb->mono, l2, &wl, &wr, &ok);
                if (ok && gain > best.gain)
                    best = (split){gain, b, 1, gl, hl, wl, wr};
            }
        }
    }
    if (best.bin > 0 && !(Hm > 0))
        best.missing_left = best.HL >= H - best.HL; /* no missing seen: to the larger child */
    return best;
}

typedef struct {
    const model_dataset *d;
    const model_gbdt_params *p;
    const fbins *fb;
    size_t nf;
    const uint8_t *B;         /* row-major bins: B[row * nf + f] */
    uint32_t *idx, *scratch;
    grad_pair *gh;
    double *F;
    double *partials;         /* per-block histograms (hist_jobs) */
    size_t partials_cap;      /* in histograms */
    double *gain_row;         /* nf: the gain of this tree's splits per feature */
} grower;

#define BLOCK_ROWS 8192      /* rows per histogram block, at least */
/* Below this many rows a parallel region costs more than it saves (and on
 * a machine busy with other work, a barrier can cost a time slice). */
#define PAR_MIN_ROWS 100000
#define MAX_BLOCKS 16        /* blocks per node, at most */

typedef struct {
    size_t task, begin, end;
} hist_job;

/* Histograms (every feature) of tasks[0..n): each task's rows are cut into
 * blocks fixed by the row count alone, the blocks summed in parallel into
 * their own buffers, then added in block order, so the sums do not depend
 * on the thread count.  A row's bins are contiguous (row-major), so one
 * pass over the rows fills every feature. */
static fr_status build_hists(grower *g, task *const *tasks, size_t n, fr_error *err)
{
    size_t nf = g->nf, hsize = nf * SLOTS * 2, njobs = 0;
    for (size_t t = 0; t < n; t++) {
        size_t rows = tasks[t]->end - tasks[t]->begin, nb = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        njobs += nb < 1 ? 1 : nb > MAX_BLOCKS ? MAX_BLOCKS : nb;
    }
    if (njobs > g->partials_cap) {
        double *p = realloc(g->partials, njobs * hsize * sizeof *p);
        if (!p)
            return fr_error_oom_while(err, "building histograms");
        g->partials = p;
        g->partials_cap = njobs;
    }
    hist_job *jobs = malloc(njobs * sizeof *jobs);
    size_t *first = malloc((n + 1) * sizeof *first);
    if (!jobs || !first) {
        free(jobs);
        free(first);
        return fr_error_oom_while(err, "building histograms");
    }
    size_t j = 0;
    for (size_t t = 0; t < n; t++) {
        size_t b0 = tasks[t]->begin, rows = tasks[t]->end - b0, nb = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        nb = nb < 1 ? 1 : nb > MAX_BLOCKS ? MAX_BLOCKS : nb;
        first[t] = j;
        for (size_t b = 0; b < nb; b++)
            jobs[j++] = (hist_job){t, b0 + b * rows / nb, b0 + (b + 1) * rows / nb};
    }
    first[n] = j;
    size_t total = 0;
    for (size_t t = 0; t < n; t++)
        total += tasks[t]->end - tasks[t]->begin;
#pragma omp parallel for schedule(dynamic) if (total >= PAR_MIN_ROWS)
    for (size_t k = 0; k < njobs; k++) {
        double *h = g->partials + k * hsize;
        memset(h, 0, hsize * sizeof *h);
        for (size_t q = jobs[k].begin; q < jobs[k].end; q++) {
            uint32_t r = g->idx[q];
            const uint8_t *br = g->B + (size_t)r * nf;
            double gg = g->gh[r].g, hh = g->gh[r].h;
            for (size_t f = 0; f < nf; f++) {
                double *slot = h + (f * SLOTS + br[f]) * 2;
                slot[0] += gg;
                slot[1] += hh;
            }
        }
    }
#pragma omp parallel for schedule(dynamic) if (total >= PAR_MIN_ROWS)
    for (size_t k = 0; k < n * nf; k++) {
        size_t t = k / nf, f = k % nf;
        double *dst = tasks[t]->hist + f * SLOTS * 2;
        memcpy(dst, g->partials + first[t] * hsize + f * SLOTS * 2, SLOTS * 2 * sizeof *dst);
        for (size_t b = first[t] + 1; b < first[t + 1]; b++) {
            const double *src = g->partials + b * hsize + f * SLOTS * 2;
            for (size_t i = 0; i < SLOTS * 2; i++)
                dst[i] += src[i];
        }
    }
    free(jobs);
    free(first);
    return FR_OK;
}

/* Stable partition of a task's rows into the left child then the right. */
static size_t partition(grower *g, const task *t, size_t f, int bin, int missing_left)
{
    size_t l = t->begin, r = t->begin;
    for (size_t k = t->begin; k < t->end; k++) {
        uint32_t row = g->idx[k];
        int b = g->B[(size_t)row * g->nf + f];
        int left = b == 0 ? missing_left : b <= bin;
        if (left)
            g->idx[l++] = row;
        else
            g->scratch[r++] = row;
    }
    memcpy(g->idx + l, g->scratch + t->begin, (r - t->begin) * sizeof *g->idx);
    return l;
}

/* Histogram buffers: reused across levels and trees, allocated on demand. */
typedef struct {
    double **all, **avail;
    size_t nall, navail, cap, size;
} hist_pool;

static double *pool_get(hist_pool *hp)
{
    if (hp->navail)
        return hp->avail[--hp->navail];
    if (hp->nall == hp->cap)
        return NULL;
    double *b = malloc(hp->size * sizeof *b);
    if (b)
        hp->all[hp->nall++] = b;
    return b;
}

static void pool_put(hist_pool *hp, double *b)
{
    hp->avail[hp->navail++] = b;
}

/* The working arrays of one tree, level by level: the nodes of this level
 * (cur) and of the next, the best split of every (node, feature) pair, the
 * feature chosen per node (-1: a leaf), where each node's rows split, and
 * the smaller child of each new pair. */
typedef struct {
    task *cur, *next;
    size_t ncur, nnext;
    split *splits;
    int32_t *chosen;
    size_t *mids;
    task **smaller;
} tree_level;

/* Best split of every (node, feature) pair, then per node in feature order. */
static void level_choose_splits(const grower *g, tree_level *lv, size_t n)
{
    const model_gbdt_params *p = g->p;
    size_t nf = g->nf, ncur = lv->ncur;
    task *cur = lv->cur;
    split *splits = lv->splits;
#pragma omp parallel for schedule(dynamic) if (n >= PAR_MIN_ROWS)
    for (size_t k = 0; k < ncur * nf; k++)
        splits[k] = cur[k / nf].depth < p->max_depth ? best_split_feature(&cur[k / nf], k % nf, &g->fb[k % nf], p)
                                                     : (split){0, -1, 0, 0, 0, 0, 0};
    for (size_t t = 0; t < ncur; t++) {
        lv->chosen[t] = -1;
        double bestgain = p->min_split_gain > 1e-12 ? p->min_split_gain : 1e-12;
        for (size_t f = 0; f < nf; f++)
            if (splits[t * nf + f].bin > 0 && splits[t * nf + f].gain > bestgain) {
                bestgain = splits[t * nf + f].gain;
                lv->chosen[t] = (int32_t)f;
            }
    }
}

/* The two children of every split node, in order (sequential: node
 * numbering is part of the model); children are stored relative to the
 * tree's first node, base. */
static fr_status level_make_children(const grower *g, tree_level *lv, node_list *nodes, size_t base, fr_error *err)
{
    const model_gbdt_params *p = g->p;
    size_t nf = g->nf;
    lv->nnext = 0;
    for (size_t t = 0; t < lv->ncur; t++) {
        if (lv->chosen[t] < 0)
            continue;
        const split *s = &lv->splits[t * nf + (size_t)lv->chosen[t]];
        const task *pt = &lv->cur[t];
        double GR = pt->G - s->GL, HR = pt->H - s->HL;
        /* a monotone split bounds everything below it at the children's midpoint */
        double llo = pt->lo, lhi = pt->hi, rlo = pt->lo, rhi = pt->hi, mid = (s->wl + s->wr) / 2;
        int mono = g->fb[lv->chosen[t]].mono;
        if (mono > 0) {
            lhi = mid;
            rlo = mid;
        } else if (mono < 0) {
            llo = mid;
            rhi = mid;
        }
        int32_t l = new_node(nodes, leaf_weight(s->GL, s->HL, llo, lhi, p));
        int32_t r = l >= 0 ? new_node(nodes, leaf_weight(GR, HR, rlo, rhi, p)) : -1;
        if (r < 0)
            return fr_error_oom_while(err, "growing a tree");
        model_gbdt_node *nd = &nodes->nodes[pt->node];
        nd->feature = lv->chosen[t];
        g->gain_row[lv->chosen[t]] += s->gain;
        nd->left = (int32_t)((size_t)l - base);
        nd->right = (int32_t)((size_t)r - base);
        nd->missing_left = (uint8_t)s->missing_left;
        nodes->bin[pt->node] = s->bin;
        const fbins *fb = &g->fb[lv->chosen[t]];
        nd->threshold = s->bin < fb->nb ? (double)fb->edges[s->bin - 1] : (double)FLT_MAX;
        lv->next[lv->nnext++] = (task){0, 0, s->GL, s->HL, l, pt->depth + 1, NULL, llo, lhi};
        lv->next[lv->nnext++] = (task){0, 0, GR, HR, r, pt->depth + 1, NULL, rlo, rhi};
    }
    return FR_OK;
}

/* Partitions the rows of every split node; leaves add their value to F. */
static void level_partition(grower *g, tree_level *lv, const node_list *nodes, size_t n)
{
    size_t nf = g->nf, ncur = lv->ncur;
#pragma omp parallel for schedule(dynamic) if (n >= PAR_MIN_ROWS)
    for (size_t t = 0; t < ncur; t++) {
        const task *pt = &lv->cur[t];
        if (lv->chosen[t] < 0) {
            double v = nodes->nodes[pt->node].value;
            for (size_t k = pt->begin; k < pt->end; k++)
                g->F[g->idx[k]] += v;
            continue;
        }
        const split *s = &lv->splits[t * nf + (size_t)lv->chosen[t]];
        lv->mids[t] = partition(g, pt, (size_t)lv->chosen[t], s->bin, s->missing_left);
    }
}

/* Child segments (same order as the nodes were made) and their histograms:
 * the larger child takes over the parent's histogram, the smaller one's is
 * built from its rows, then the larger = parent - smaller. */
static fr_status level_child_histograms(grower *g, tree_level *lv, hist_pool *hp, size_t n, fr_error *err)
{
    size_t nf = g->nf, c = 0;
    task *next = lv->next;
    for (size_t t = 0; t < lv->ncur; t++) {
        if (lv->chosen[t] < 0) {
            pool_put(hp, lv->cur[t].hist);
            continue;
        }
        size_t mid = lv->mids[t];
        next[c].begin = lv->cur[t].begin;
        next[c].end = mid;
        next[c + 1].begin = mid;
        next[c + 1].end = lv->cur[t].end;
        int small_left = mid - lv->cur[t].begin <= lv->cur[t].end - mid;
        next[small_left ? c + 1 : c].hist = lv->cur[t].hist;
        double *h = pool_get(hp);
        if (!h)
            return fr_error_oom_while(err, "growing a tree");
        next[small_left ? c : c + 1].hist = h;
        c += 2;
    }
    size_t npairs = lv->nnext / 2;
    for (size_t pair = 0; pair < npairs; pair++) {
        task *a = &next[2 * pair], *b = &next[2 * pair + 1];
        lv->smaller[pair] = a->end - a->begin <= b->end - b->begin ? a : b;
    }
    if (npairs) {
        fr_status st = build_hists(g, lv->smaller, npairs, err);
        if (st != FR_OK)
            return st;
    }
    task **smaller = lv->smaller;
#pragma omp parallel for schedule(dynamic) if (n >= PAR_MIN_ROWS)
    for (size_t k = 0; k < npairs * nf; k++) {
        size_t pair = k / nf, f = k % nf;
        task *sm = smaller[pair], *lg = sm == &next[2 * pair] ? &next[2 * pair + 1] : &next[2 * pair];
        double *hl = lg->hist + f * SLOTS * 2, *hs = sm->hist + f * SLOTS * 2;
        for (size_t i = 0; i < SLOTS * 2; i++)
            hl[i] -= hs[i];
    }
    return FR_OK;
}

/* The root of a tree over the rows g->idx[0..n), with its histograms. */
static fr_status tree_root(grower *g, tree_level *lv, node_list *nodes, hist_pool *hp, size_t n, fr_error *err)
{
    double G = 0, H = 0;
    for (size_t k = 0; k < n; k++) {
        G += g->gh[g->idx[k]].g;
        H += g->gh[g->idx[k]].h;
    }
    int32_t root = new_node(nodes, leaf_weight(G, H, -INFINITY, INFINITY, g->p));
    double *h = pool_get(hp);
    lv->cur[0] = (task){0, n, G, H, root, 0, h, -INFINITY, INFINITY};
    lv->ncur = 1;
    if (root < 0 || !h)
        return fr_error_oom_while(err, "growing a tree");
    task *root_task = &lv->cur[0];
    return build_hists(g, &root_task, 1, err);
}

/* Grows one tree on the rows in g->idx[0..n) and adds its leaves to F. */
static fr_status grow_tree(grower *g, size_t n, node_list *nodes, hist_pool *hp, fr_error *err)
{
    size_t nf = g->nf;
    size_t cap = (size_t)1 << (g->p->max_depth + 1);
    tree_level lv = {.cur = calloc(cap, sizeof *lv.cur),
                     .next = calloc(cap, sizeof *lv.next),
                     .splits = calloc(cap * (nf ? nf : 1), sizeof *lv.splits),
                     .chosen = calloc(cap, sizeof *lv.chosen),
                     .mids = calloc(cap, sizeof *lv.mids),
                     .smaller = calloc(cap, sizeof *lv.smaller)};
    fr_status st = lv.cur && lv.next && lv.splits && lv.chosen && lv.mids && lv.smaller
                       ? FR_OK
                       : fr_error_oom_while(err, "growing a tree");
    size_t base = nodes->count; /* children are stored relative to the tree's first node */
    if (st == FR_OK)
        st = tree_root(g, &lv, nodes, hp, n, err);
    while (st == FR_OK && lv.ncur > 0) {
        level_choose_splits(g, &lv, n);
        st = level_make_children(g, &lv, nodes, base, err);
        if (st != FR_OK)
            break;
        level_partition(g, &lv, nodes, n);
        st = level_child_histograms(g, &lv, hp, n, err);
        if (st != FR_OK)
            break;
        task *tmp = lv.cur;
        lv.cur = lv.next;
        lv.next = tmp;
        lv.ncur = lv.nnext;
    }
    /* On failure, give back what the unfinished level still holds. */
    for (size_t t = 0; st != FR_OK && lv.cur && t < lv.ncur; t++)
        if (lv.cur[t].hist)
            pool_put(hp, lv.cur[t].hist);
    free(lv.cur);
    free(lv.next);
    free(lv.splits);
    free(lv.chosen);
    free(lv.mids);
    free(lv.smaller);
    return st;
}

static double weighted_loss(const model_dataset *d, const uint32_t *rows, size_t n, const double *F,
                            const model_gbdt_params *p)
{
    double loss = 0, wsum = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t r = rows[k];
        int y = d->y[r];
        double w = y ? p->pos_weight : p->neg_weight, eta = F[r];
        loss += w * ((eta > 0 ? eta : 0) + log1p(exp(-fabs(eta))) - (y ? eta : 0));
        wsum += w;
    }
    return wsum > 0 ? loss / wsum : NAN;
}

static double tree_value_binned(const node_list *nl, size_t start, const uint8_t *B, size_t nf, uint32_t r)
{
    size_t k = start;
    while (nl->nodes[k].feature >= 0) {
        const model_gbdt_node *nd = &nl->nodes[k];
        int b = B[(size_t)r * nf + (size_t)nd->feature];
        int left = b == 0 ? nd->missing_left : b <= nl->bin[k];
        k = start + (size_t)(left ? nd->left : nd->right);
    }
    return nl->nodes[k].value;
}

static void append_note(char *buf, size_t size, const char *name, const char *why)
{
    size_t used = strlen(buf);
    if (used + 1 < size)
        snprintf(buf + used, size - used, "%s%s (%s)", used ? ", " : "", name, why);
}

/* Everything one training owns, freed by fit_free: the bins of every
 * feature, the usable features' bins and binned matrix, the grower's
 * buffers, the trees grown so far and the histogram pool. */
typedef struct {
    const model_dataset *d;
    const model_gbdt_params *p;
    const uint32_t *train, *val;
    size_t ntrain, nval, npos;
    fbins *fball;            /* bins of every dataset feature */
    int32_t *newix;          /* dataset feature -> usable feature, or -1 */
    fbins *fb;               /* bins of the usable features */
    size_t nf;
    uint8_t *B;              /* binned matrix over every dataset row (only used rows filled) */
    grower g;
    node_list nl;
    size_t *starts;          /* first node of each tree grown */
    double *tree_gain;       /* max_trees * nf: each tree's gain per feature */
    hist_pool hp;
} gbdt_fit;

static void fit_free(gbdt_fit *t)
{
    for (size_t f = 0; t->fball && f < t->d->nfeatures; f++)
        free(t->fball[f].edges);
    for (size_t f = 0; t->fb && f < t->nf; f++)
        free(t->fb[f].edges);
    free(t->fball);
    free(t->fb);
    free(t->newix);
    free(t->B);
    free(t->g.idx);
    free(t->g.scratch);
    free(t->g.gh);
    free(t->g.F);
    free(t->g.partials);
    free(t->starts);
    free(t->tree_gain);
    free(t->nl.nodes);
    free(t->nl.bin);
    for (size_t k = 0; k < t->hp.nall; k++)
        free(t->hp.all[k]);
    free(t->hp.all);
    free(t->hp.avail);
}

/* Refuses a training set of one class and settings out of range. */
static fr_status fit_check(gbdt_fit *t, fr_error *err)
{
    for (size_t k = 0; k < t->ntrain; k++)
        t->npos += t->d->y[t->train[k]];
    if (t->npos == 0 || t->npos == t->ntrain)
        return fr_error_set(err, FR_E_INPUT, "the %zu training rows are all %s: a model needs both fires and homes without",
                            t->ntrain, t->npos ? "fires" : "without a fire");
    const model_gbdt_params *p = t->p;
    if (p->bins < 2 || p->bins > SLOTS - 1 || p->max_depth < 1 || p->max_depth > 12 || p->max_trees < 1)
        return fr_error_set(err, FR_E_CONFIG, "gbdt settings out of range (bins 2-255, max_depth 1-12, max_trees >= 1)");
    return FR_OK;
}

/* Bins every feature on the training rows and keeps those with a possible
 * split (several value bins, or values and missing) as the model's
 * features; the others are named in rep->dropped. */
static fr_status fit_select_features(gbdt_fit *t, model_gbdt *m, model_gbdt_report *rep, fr_error *err)
{
    const model_dataset *d = t->d;
    size_t nfall = d->nfeatures, cap = nfall ? nfall : 1;
    t->fball = calloc(cap, sizeof *t->fball);
    t->newix = malloc(cap * sizeof *t->newix);
    t->fb = calloc(cap, sizeof *t->fb);
    m->names = calloc(cap, sizeof *m->names);
    if (!t->fball || !t->newix || !t->fb || !m->names)
        return fr_error_oom(err);
    int bad = 0;
#pragma omp parallel for schedule(dynamic) reduction(| : bad)
    for (size_t f = 0; f < nfall; f++)
        bad |= make_bins(d->x + f * d->nrows, t->train, t->ntrain, t->p->bins, &t->fball[f]) != 0;
    if (bad)
        return fr_error_oom_while(err, "binning features");
    for (size_t f = 0; f < nfall; f++) {
        t->newix[f] = -1;
        if (t->p->use && !t->p->use[f]) /* left out by the user: not "dropped" */
            continue;
        if (t->fball[f].nb == 0 || (t->fball[f].nb == 1 && !t->fball[f].has_missing)) {
            append_note(rep->dropped, sizeof rep->dropped, d->names[f], t->fball[f].nb ? "constant" : "all missing");
            continue;
        }
        t->newix[f] = (int32_t)t->nf;
        t->fb[t->nf] = t->fball[f];
        t->fb[t->nf].mono = t->p->monotone ? t->p->monotone[f] : 0;
        t->fball[f].edges = NULL;
        if (!(m->names[t->nf++] = strdup(d->names[f])))
            return fr_error_oom(err);
    }
    m->nfeatures = t->nf;
    if (t->nf == 0)
        return fr_error_set(err, FR_E_INPUT,
                            "no usable feature for the gbdt model: every feature is constant or missing in the "
                            "%zu training rows (%s)", t->ntrain, rep->dropped);
    return FR_OK;
}

/* The binned matrix of the training and validation rows, the grower's
 * buffers, and every row's raw score set to the base rate. */
static fr_status fit_prepare(gbdt_fit *t, model_gbdt *m, fr_error *err)
{
    const model_dataset *d = t->d;
    const model_gbdt_params *p = t->p;
    size_t nf = t->nf;
    t->g = (grower){.d = d, .p = p, .fb = t->fb, .nf = nf};
    t->B = malloc(nf * d->nrows > 0 ? nf * d->nrows : 1);
    t->g.idx = malloc((t->ntrain ? t->ntrain : 1) * sizeof *t->g.idx);
    t->g.scratch = malloc((t->ntrain ? t->ntrain : 1) * sizeof *t->g.scratch);
    t->g.gh = malloc(d->nrows * sizeof *t->g.gh);
    t->g.F = malloc(d->nrows * sizeof *t->g.F);
    t->starts = malloc(((size_t)p->max_trees + 1) * sizeof *t->starts);
    t->tree_gain = calloc((size_t)p->max_trees * (nf ? nf : 1), sizeof *t->tree_gain);
    t->hp.cap = ((size_t)1 << (p->max_depth + 1)) + 1;
    t->hp.size = nf * SLOTS * 2;
    t->hp.all = calloc(t->hp.cap, sizeof *t->hp.all);
    t->hp.avail = calloc(t->hp.cap, sizeof *t->hp.avail);
    if (!t->B || !t->g.idx || !t->g.scratch || !t->g.gh || !t->g.F || !t->starts || !t->tree_gain)
        return fr_error_oom_while(err, "for gbdt training (%zu rows)", d->nrows);
    if (!t->hp.all || !t->hp.avail)
        return fr_error_oom(err);
    const uint32_t *train = t->train, *val = t->val;
    size_t ntrain = t->ntrain, nval = t->nval;
    uint8_t *B = t->B;
    for (size_t f0 = 0; f0 < d->nfeatures; f0++) {
        if (t->newix[f0] < 0)
            continue;
        size_t f = (size_t)t->newix[f0];
        const float *x = d->x + f0 * d->nrows;
        const fbins *fb = t->fb;
#pragma omp parallel for schedule(static)
        for (size_t k = 0; k < ntrain; k++)
            B[(size_t)train[k] * nf + f] = bin_of(&fb[f], x[train[k]]);
#pragma omp parallel for schedule(static)
        for (size_t k = 0; k < nval; k++)
            B[(size_t)val[k] * nf + f] = bin_of(&fb[f], x[val[k]]);
    }
    m->base = log(p->pos_weight * (double)t->npos / (p->neg_weight * (double)(ntrain - t->npos)));
    for (size_t k = 0; k < ntrain; k++)
        t->g.F[train[k]] = m->base;
    for (size_t k = 0; k < nval; k++)
        t->g.F[val[k]] = m->base;
    t->g.B = B;
    return FR_OK;
}

/* Boosting: one tree at a time on the log-loss gradients, each judged on
 * the validation rows; stops at max_trees or after early_stopping trees
 * without a better validation loss.  *ntrees = trees grown, *best_trees =
 * the count with the best validation loss (all of them without one). */
static fr_status fit_boost(gbdt_fit *t, size_t *ntrees, size_t *best_trees, double *best, fr_error *err)
{
    const model_dataset *d = t->d;
    const model_gbdt_params *p = t->p;
    grower *g = &t->g;
    const uint32_t *train = t->train, *val = t->val;
    size_t ntrain = t->ntrain, nval = t->nval;
    *best = INFINITY;
    *ntrees = *best_trees = 0;
    for (int tr = 0; tr < p->max_trees; tr++) {
#pragma omp parallel for schedule(static) if (ntrain >= PAR_MIN_ROWS)
        for (size_t k = 0; k < ntrain; k++) {
            uint32_t r = train[k];
            double pr = 1.0 / (1.0 + exp(-g->F[r]));
            double w = d->y[r] ? p->pos_weight : p->neg_weight;
            g->gh[r].g = w * (pr - d->y[r]);
            double h = w * pr * (1 - pr);
            g->gh[r].h = h > 1e-16 ? h : 1e-16;
        }
        memcpy(g->idx, train, ntrain * sizeof *g->idx);
        t->starts[tr] = t->nl.count;
        g->gain_row = t->tree_gain + (size_t)tr * t->nf;
        fr_status st = grow_tree(g, ntrain, &t->nl, &t->hp, err);
        if (st != FR_OK)
            return st;
        (*ntrees)++;
        if (nval == 0) {
            *best_trees = *ntrees;
            continue;
        }
#pragma omp parallel for schedule(static) if (nval >= PAR_MIN_ROWS)
        for (size_t k = 0; k < nval; k++)
            g->F[val[k]] += tree_value_binned(&t->nl, t->starts[tr], t->B, t->nf, val[k]);
        double loss = weighted_loss(d, val, nval, g->F, p);
        if (loss < *best) {
            *best = loss;
            *best_trees = *ntrees;
        } else if (p->early_stopping > 0 && *ntrees - *best_trees >= (size_t)p->early_stopping) {
            break;
        }
    }
    return FR_OK;
}

/* The model keeps the first best_trees trees of the ntrees grown. */
static fr_status fit_keep_trees(const gbdt_fit *t, size_t ntrees, size_t best_trees, model_gbdt *m, fr_error *err)
{
    size_t nnodes = best_trees < ntrees ? t->starts[best_trees] : t->nl.count;
    m->ntrees = best_trees;
    m->tree_start = malloc((best_trees + 1) * sizeof *m->tree_start);
    m->nodes = malloc((nnodes ? nnodes : 1) * sizeof *m->nodes);
    m->gain = calloc(t->nf ? t->nf : 1, sizeof *m->gain);
    if (!m->tree_start || !m->nodes || !m->gain)
        return fr_error_oom(err);
    for (size_t tr = 0; tr < best_trees; tr++) /* in tree order: the same sum at any thread count */
        for (size_t f = 0; f < t->nf; f++)
            m->gain[f] += t->tree_gain[tr * t->nf + f];
    memcpy(m->tree_start, t->starts, best_trees * sizeof *t->starts);
    m->tree_start[best_trees] = nnodes;
    memcpy(m->nodes, t->nl.nodes, nnodes * sizeof *m->nodes);
    return FR_OK;
}

fr_status model_gbdt_train(const model_dataset *d, const uint32_t *train, size_t ntrain, const uint32_t *val,
                           size_t nval, const model_gbdt_params *p, model_gbdt *m, model_gbdt_report *rep,
                           fr_error *err)
{
    memset(m, 0, sizeof *m);
    memset(rep, 0, sizeof *rep);
    rep->best_validation_loss = NAN;
    gbdt_fit t = {.d = d, .p = p, .train = train, .val = val, .ntrain = ntrain, .nval = nval};
    size_t ntrees = 0, best_trees = 0;
    double best = INFINITY;
    fr_status st = fit_check(&t, err);
    if (st == FR_OK)
        st = fit_select_features(&t, m, rep, err);
    if (st == FR_OK)
        st = fit_prepare(&t, m, err);
    if (st == FR_OK)
        st = fit_boost(&t, &ntrees, &best_trees, &best, err);
    if (st == FR_OK) {
        rep->trees = best_trees;
        rep->best_validation_loss = nval ? best : NAN;
        st = fit_keep_trees(&t, ntrees, best_trees, m, err);
    }
    fit_free(&t);
    if (st != FR_OK)
        model_gbdt_free(m);
    return st;
}

double model_gbdt_raw(const model_gbdt *m, const double *x, double *contrib, double *bias)
{
    double raw = m->base, b = m->base;
    if (contrib)
        memset(contrib, 0, m->nfeatures * sizeof *contrib);
    for (size_t t = 0; t < m->ntrees; t++) {
        const model_gbdt_node *nodes = m->nodes + m->tree_start[t];
        size_t k = 0;
        b += nodes[0].value;
        while (nodes[k].feature >= 0) {
            const model_gbdt_node *nd = &nodes[k];
            double v = x[nd->feature];
            int left = isnan(v) ? nd->missing_left : (float)v <= (float)nd->threshold;
            size_t next = (size_t)(left ? nd->left : nd->right);
            if (contrib)
                contrib[nd->feature] += nodes[next].value - nd->value;
            k = next;
        }
        raw += nodes[k].value;
    }
    if (bias)
        *bias = b;
    return raw;
}

void model_gbdt_free(model_gbdt *m)
{
    for (size_t f = 0; m->names && f < m->nfeatures; f++)
        free(m->names[f]);
    free(m->names);
    free(m->tree_start);
    free(m->nodes);
    free(m->gain);
    memset(m, 0, sizeof *m);
}
