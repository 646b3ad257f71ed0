/*
 * layer.c — growth, lookup and release of geo_layer (see layer.h).
 */
#include "layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hugepage.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

geo_layer *geo_layer_new(const char *name, const char *source, const char *source_layer,
                         geo_geom_kind kind)
{
    geo_layer *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->name = dup_or_null(name ? name : "");
    l->source = dup_or_null(source ? source : "");
    l->source_layer = dup_or_null(source_layer);
    l->kind = kind;
    l->ring_start = calloc(1, sizeof *l->ring_start);
    l->pt_start = calloc(1, sizeof *l->pt_start);
    if (!l->name || !l->source || (source_layer && !l->source_layer) || !l->ring_start ||
        !l->pt_start) {
        geo_layer_free(l);
        return NULL;
    }
    return l;
}

void geo_layer_free(geo_layer *l)
{
    if (!l)
        return;
    for (size_t c = 0; c < l->ncols; c++) {
        geo_column *col = &l->cols[c];
        free(col->str);
        free(col->num);
        free(col->date);
        free(col->name);
        free(col->source_name);
    }
    free(l->cols);
    free(l->name);
    free(l->source);
    free(l->source_layer);
    free(l->srs_wkt);
    free(l->fid);
    free(l->x);
    free(l->y);
    free(l->ring_start);
    free(l->pt_start);
    free(l->ring_shell);
    free(l->px);
    free(l->py);
    free(l->bbox);
    fr_textstore_free(&l->text);
    free(l);
}

fr_status geo_layer_set_srs(geo_layer *l, const char *wkt, fr_error *err)
{
    char *copy = dup_or_null(wkt);
    if (wkt && !copy)
        return fr_error_oom_while(err, "copying a CRS");
    free(l->srs_wkt);
    l->srs_wkt = copy;
    return FR_OK;
}

fr_status geo_layer_add_column(geo_layer *l, const char *name, const char *source_name,
                               geo_column_type type, size_t *out_index, fr_error *err)
{
    if (l->count > 0)
        return fr_error_set(err, FR_E_INTERNAL, "column '%s' added after features", name);
    geo_column *cols = realloc(l->cols, (l->ncols + 1) * sizeof *cols);
    if (!cols)
        return fr_error_oom_while(err, "adding column '%s'", name);
    l->cols = cols;
    geo_column *c = &cols[l->ncols];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    c->source_name = strdup(source_name ? source_name : name);
    c->type = type;
    if (!c->name || !c->source_name) {
        free(c->name);
        free(c->source_name);
        return fr_error_oom_while(err, "adding column '%s'", name);
    }
    if (out_index)
        *out_index = l->ncols;
    l->ncols++;
    return FR_OK;
}

int geo_layer_find_column(const geo_layer *l, const char *name)
{
    for (size_t c = 0; c < l->ncols; c++)
        if (strcmp(l->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

/* Every per-feature array grown to hold cap features (cap > l->cap), on
 * huge pages as they are filled (fr_hugepages_on_touch): the join reads
 * them at random, the writers in rank order. */
static fr_status grow_features_to(geo_layer *l, size_t cap, size_t need, fr_error *err)
{
#define GROW_BY(ptr, per)                                                          \
    do {                                                                           \
        void *p_ = realloc((ptr), (per) * sizeof *(ptr));                          \
        if (!p_)                                                                   \
            return fr_error_oom_while(err, "at %zu features of layer '%s'", need, l->name); \
        (ptr) = p_;                                                                \
        fr_hugepages_on_touch(p_, (per) * sizeof *(ptr));                          \
    } while (0)
#define GROW(ptr) GROW_BY(ptr, cap)
    GROW(l->fid);
    GROW_BY(l->bbox, cap * 4);
    if (l->kind == GEO_GEOM_POINT) {
        GROW(l->x);
        GROW(l->y);
    }
    GROW_BY(l->ring_start, cap + 1);
    for (size_t c = 0; c < l->ncols; c++) {
        geo_column *col = &l->cols[c];
        switch (col->type) {
        case GEO_COL_STRING: GROW(col->str); break;
        case GEO_COL_NUMBER: GROW(col->num); break;
        case GEO_COL_DATE: GROW(col->date); break;
        }
    }
#undef GROW
#undef GROW_BY
    l->cap = cap;
    return FR_OK;
}

/* Grows every per-feature array to hold at least need features. */
static fr_status grow_features(geo_layer *l, size_t need, fr_error *err)
{
    if (need <= l->cap)
        return FR_OK;
    size_t cap = l->cap ? l->cap * 2 : 1024;
    while (cap < need)
        cap *= 2;
    return grow_features_to(l, cap, need, err);
}

fr_status geo_layer_add_feature(geo_layer *l, int64_t fid, size_t *out_index, fr_error *err)
{
    fr_status st = grow_features(l, l->count + 1, err);
    if (st != FR_OK)
        return st;
    size_t i = l->count;
    l->fid[i] = fid;
    for (int k = 0; k < 4; k++)
        l->bbox[4 * i + k] = NAN;
    if (l->kind == GEO_GEOM_POINT) {
        l->x[i] = NAN;
        l->y[i] = NAN;
    }
    l->ring_start[i + 1] = l->nrings;
    for (size_t c = 0; c < l->ncols; c++) {
        geo_column *col = &l->cols[c];
        switch (col->type) {
        case GEO_COL_STRING: col->str[i] = NULL; break;
        case GEO_COL_NUMBER: col->num[i] = NAN; break;
        case GEO_COL_DATE: col->date[i] = GEO_DATE_MISSING; break;
        }
    }
    l->count++;
    if (out_index)
        *out_index = i;
    return FR_OK;
}

static void bbox_extend(double *b, double x, double y)
{
    if (isnan(b[0])) {
        b[0] = b[2] = x;
        b[1] = b[3] = y;
        return;
    }
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
}

fr_status geo_layer_make_points(geo_layer *l, fr_error *err)
{
    if (l->kind == GEO_GEOM_POINT)
        return FR_OK;
    if (l->kind != GEO_GEOM_POLYGON || l->nrings)
        return fr_error_set(err, FR_E_INTERNAL, "layer '%s': only a polygon layer without rings can become points",
                            l->name);
    size_t cap = l->cap ? l->cap : 1;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return fr_error_oom_while(err, "reading layer '%s'", l->name);
    }
    for (size_t i = 0; i < l->count; i++)
        x[i] = y[i] = NAN;
    l->x = x;
    l->y = y;
    l->kind = GEO_GEOM_POINT;
    return FR_OK;
}

void geo_layer_set_point(geo_layer *l, double x, double y)
{
    size_t i = l->count - 1;
    l->x[i] = x;
    l->y[i] = y;
    double *b = &l->bbox[4 * i];
    b[0] = b[1] = b[2] = b[3] = NAN;
    if (!isnan(x) && !isnan(y))
        bbox_extend(b, x, y);
}

/* The point arrays grown to cap points (cap > l->pt_cap). */
static fr_status grow_points_to(geo_layer *l, size_t cap, fr_error *err)
{
    double *px = realloc(l->px, cap * sizeof *px);
    if (!px)
        return fr_error_oom_while(err, "reading coordinates of layer '%s'", l->name);
    l->px = px;
    double *py = realloc(l->py, cap * sizeof *py);
    if (!py)
        return fr_error_oom_while(err, "reading coordinates of layer '%s'", l->name);
    l->py = py;
    l->pt_cap = cap;
    fr_hugepages_on_touch(px, cap * sizeof *px);
    fr_hugepages_on_touch(py, cap * sizeof *py);
    return FR_OK;
}

/* The ring arrays grown to cap rings (cap >= l->ring_cap; one more start). */
static fr_status grow_rings_to(geo_layer *l, size_t cap, fr_error *err)
{
    size_t *ps = realloc(l->pt_start, (cap + 1) * sizeof *ps);
    if (!ps)
        return fr_error_oom_while(err, "reading rings of layer '%s'", l->name);
    l->pt_start = ps;
    unsigned char *rs = realloc(l->ring_shell, cap * sizeof *rs);
    if (!rs)
        return fr_error_oom_while(err, "reading rings of layer '%s'", l->name);
    l->ring_shell = rs;
    l->ring_cap = cap;
    fr_hugepages_on_touch(ps, (cap + 1) * sizeof *ps);
    return FR_OK;
}

/* Room for add_rings more rings and add_pts more points. */
static fr_status reserve_rings(geo_layer *l, size_t add_rings, size_t add, fr_error *err)
{
    if (l->npts + add > l->pt_cap) {
        size_t cap = l->pt_cap ? l->pt_cap * 2 : 8192;
        while (cap < l->npts + add)
            cap *= 2;
        fr_status st = grow_points_to(l, cap, err);
        if (st != FR_OK)
            return st;
    }
    if (l->nrings + add_rings >= l->ring_cap) {
        size_t cap = l->ring_cap ? l->ring_cap * 2 : 2048;
        while (cap <= l->nrings + add_rings)
            cap *= 2;
        return grow_rings_to(l, cap, err);
    }
    return FR_OK;
}

fr_status geo_layer_reserve(geo_layer *l, size_t features, size_t rings, size_t points, fr_error *err)
{
    fr_status st = FR_OK;
    if (features > l->cap)
        st = grow_features_to(l, features, features, err);
    if (st == FR_OK && l->kind == GEO_GEOM_POLYGON && points > l->pt_cap)
        st = grow_points_to(l, points, err);
    if (st == FR_OK && l->kind == GEO_GEOM_POLYGON && rings >= l->ring_cap)
        st = grow_rings_to(l, rings + 1, err);
    return st;
}

fr_status geo_layer_add_ring(geo_layer *l, const double *xs, const double *ys, size_t n, int shell,
                             fr_error *err)
{
    if (n == 0)
        return FR_OK;
    int close = !(xs[0] == xs[n - 1] && ys[0] == ys[n - 1]);
    fr_status st = reserve_rings(l, 1, n + (size_t)close, err);
    if (st != FR_OK)
        return st;
    size_t i = l->count - 1;
    double *b = &l->bbox[4 * i];
    memcpy(l->px + l->npts, xs, n * sizeof *xs);
    memcpy(l->py + l->npts, ys, n * sizeof *ys);
    for (size_t k = 0; k < n; k++)
        bbox_extend(b, xs[k], ys[k]);
    l->npts += n;
    if (close) {
        l->px[l->npts] = xs[0];
        l->py[l->npts] = ys[0];
        l->npts++;
    }
    l->ring_shell[l->nrings] = shell ? 1 : 0;
    l->nrings++;
    l->pt_start[l->nrings] = l->npts;
    l->ring_start[i + 1] = l->nrings;
    return FR_OK;
}

fr_status geo_layer_set_string(geo_layer *l, size_t col, size_t i, const char *value, fr_error *err)
{
    geo_column *c = &l->cols[col];
    char *copy = NULL;
    if (value) {
        copy = fr_textstore_copy(&l->text, value, strlen(value));
        if (!copy)
            return fr_error_oom_while(err, "copying field '%s'", c->name);
    }
    c->str[i] = copy;
    return FR_OK;
}

void geo_layer_set_number(geo_layer *l, size_t col, size_t i, double value)
{
    l->cols[col].num[i] = value;
}

void geo_layer_set_date(geo_layer *l, size_t col, size_t i, int32_t days)
{
    l->cols[col].date[i] = days;
}

void geo_layer_drop_last(geo_layer *l)
{
    if (l->count == 0)
        return;
    size_t i = l->count - 1;
    for (size_t c = 0; c < l->ncols; c++)
        if (l->cols[c].type == GEO_COL_STRING)
            l->cols[c].str[i] = NULL;
    l->nrings = l->ring_start[i];
    l->npts = l->pt_start[l->nrings];
    l->count--;
}

void geo_layer_drop_points(geo_layer *l)
{
    if (!l || l->kind != GEO_GEOM_POINT)
        return;
    free(l->x);
    free(l->y);
    free(l->bbox);
    l->x = l->y = l->bbox = NULL;
    l->kind = GEO_GEOM_NONE;
}

void geo_layer_drop_numbers(geo_layer *l)
{
    for (size_t c = 0; l && c < l->ncols; c++)
        if (l->cols[c].type == GEO_COL_NUMBER) {
            free(l->cols[c].num);
            l->cols[c].num = NULL;
        }
}

void geo_layer_drop_envelopes(geo_layer *l)
{
    if (!l || l->kind != GEO_GEOM_POLYGON)
        return;
    free(l->bbox);
    l->bbox = NULL;
}

void geo_layer_envelope(const geo_layer *l, size_t i, double e[4])
{
    if (l->bbox) {
        memcpy(e, &l->bbox[4 * i], 4 * sizeof *e);
        return;
    }
    e[0] = e[1] = e[2] = e[3] = NAN;
    if (l->kind != GEO_GEOM_POLYGON)
        return;
    size_t p0 = l->pt_start[l->ring_start[i]], p1 = l->pt_start[l->ring_start[i + 1]];
    for (size_t p = p0; p < p1; p++)
        bbox_extend(e, l->px[p], l->py[p]);
}

int geo_layer_has_geometry(const geo_layer *l, size_t i)
{
    switch (l->kind) {
    case GEO_GEOM_POINT: return !isnan(l->x[i]) && !isnan(l->y[i]);
    case GEO_GEOM_POLYGON: return l->ring_start[i + 1] > l->ring_start[i];
    default: return 0;
    }
}

void geo_layer_compact(geo_layer *l, const unsigned char *keep)
{
    size_t out = 0, ring_out = 0, pt_out = 0;
    for (size_t i = 0; i < l->count; i++) {
        if (!keep[i])
            continue;
        l->fid[out] = l->fid[i];
        memmove(&l->bbox[4 * out], &l->bbox[4 * i], 4 * sizeof *l->bbox);
        if (l->kind == GEO_GEOM_POINT) {
            l->x[out] = l->x[i];
            l->y[out] = l->y[i];
        }
        if (l->kind == GEO_GEOM_POLYGON) {
            size_t r0 = l->ring_start[i], r1 = l->ring_start[i + 1];
            l->ring_start[out] = ring_out;
            for (size_t r = r0; r < r1; r++) {
                size_t p0 = l->pt_start[r], p1 = l->pt_start[r + 1];
                memmove(&l->px[pt_out], &l->px[p0], (p1 - p0) * sizeof *l->px);
                memmove(&l->py[pt_out], &l->py[p0], (p1 - p0) * sizeof *l->py);
                l->ring_shell[ring_out] = l->ring_shell[r];
                l->pt_start[ring_out] = pt_out;
                pt_out += p1 - p0;
                ring_out++;
            }
        }
        for (size_t c = 0; c < l->ncols; c++) {
            geo_column *col = &l->cols[c];
            switch (col->type) {
            case GEO_COL_STRING: col->str[out] = col->str[i]; break;
            case GEO_COL_NUMBER: col->num[out] = col->num[i]; break;
            case GEO_COL_DATE: col->date[out] = col->date[i]; break;
            }
        }
        out++;
    }
    if (l->kind == GEO_GEOM_POLYGON) {
        l->ring_start[out] = ring_out;
        l->pt_start[ring_out] = pt_out;
        l->nrings = ring_out;
        l->npts = pt_out;
    }
    l->count = out;
}

fr_status geo_layer_append(geo_layer *dst, geo_layer *src, fr_error *err)
{
    if (dst->kind != src->kind || dst->ncols != src->ncols)
        return fr_error_set(err, FR_E_INTERNAL, "appending layer '%s' to a layer of another shape", src->name);
    size_t n = src->count, at = dst->count;
    fr_status st = grow_features(dst, at + n, err);
    if (st == FR_OK && dst->kind == GEO_GEOM_POLYGON)
        st = reserve_rings(dst, src->nrings, src->npts, err);
    if (st != FR_OK || n == 0)
        return st;
    memcpy(dst->fid + at, src->fid, n * sizeof *dst->fid);
    memcpy(dst->bbox + 4 * at, src->bbox, 4 * n * sizeof *dst->bbox);
    if (dst->kind == GEO_GEOM_POINT) {
        memcpy(dst->x + at, src->x, n * sizeof *dst->x);
        memcpy(dst->y + at, src->y, n * sizeof *dst->y);
    }
    /* ring and point indices shift by what dst held before */
    size_t r0 = dst->nrings, p0 = dst->npts;
    for (size_t i = 0; i < n; i++)
        dst->ring_start[at + i + 1] = r0 + src->ring_start[i + 1];
    if (src->nrings) {
        memcpy(dst->px + p0, src->px, src->npts * sizeof *dst->px);
        memcpy(dst->py + p0, src->py, src->npts * sizeof *dst->py);
        memcpy(dst->ring_shell + r0, src->ring_shell, src->nrings);
        for (size_t r = 0; r < src->nrings; r++)
            dst->pt_start[r0 + r + 1] = p0 + src->pt_start[r + 1];
    }
    dst->nrings += src->nrings;
    dst->npts += src->npts;
    for (size_t c = 0; c < dst->ncols; c++) {
        geo_column *d = &dst->cols[c], *s = &src->cols[c];
        switch (d->type) {
        case GEO_COL_STRING: memcpy(d->str + at, s->str, n * sizeof *d->str); break;
        case GEO_COL_NUMBER: memcpy(d->num + at, s->num, n * sizeof *d->num); break;
        case GEO_COL_DATE: memcpy(d->date + at, s->date, n * sizeof *d->date); break;
        }
    }
    fr_textstore_take(&dst->text, &src->text); /* the strings move, not their bytes */
    dst->count += n;
    src->count = 0;
    src->nrings = 0;
    src->npts = 0;
    return FR_OK;
}
