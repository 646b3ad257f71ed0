/*
 * join_common.c — candidate lists and lowest-record errors for the parallel
 * joins (see join_common.h).
 */
#include "join_common.h"

#include <stdlib.h>
#include <string.h>

int geo_join_common_collect_item(int32_t item, void *userdata)
{
    geo_join_common_cands *c = userdata;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        int32_t *v = realloc(c->v, cap * sizeof *v);
        if (!v) {
            c->oom = 1;
            return 1;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = item;
    return 0;
}

static int join_common_cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void geo_join_common_cands_sort(geo_join_common_cands *c)
{
    if (c->n < 16) { /* the usual case: a few candidates */
        for (size_t i = 1; i < c->n; i++) {
            int32_t v = c->v[i];
            size_t j = i;
            while (j > 0 && c->v[j - 1] > v) {
                c->v[j] = c->v[j - 1];
                j--;
            }
            c->v[j] = v;
        }
        return;
    }
    qsort(c->v, c->n, sizeof *c->v, join_common_cmp_i32);
}

void geo_join_common_cands_free(geo_join_common_cands *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}

void geo_join_common_err_init(geo_join_common_err *e)
{
    e->rec = SIZE_MAX;
    e->err.status = FR_OK;
    e->err.message[0] = '\0';
}

void geo_join_common_err_keep(geo_join_common_err *e, size_t rec, const fr_error *err)
{
    if (rec < e->rec) {
        e->rec = rec;
        e->err = *err;
    }
}

fr_status geo_join_common_err_merge(const geo_join_common_err *e, int n, fr_error *err)
{
    const geo_join_common_err *best = NULL;
    for (int t = 0; t < n; t++)
        if (e[t].rec != SIZE_MAX && (!best || e[t].rec < best->rec))
            best = &e[t];
    if (!best)
        return FR_OK;
    if (err)
        *err = best->err;
    return best->err.status;
}
