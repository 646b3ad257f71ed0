/*
 * rejects.c — append, count and free rejected records (see rejects.h).
 */
#include "rejects.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fr_status geo_rejects_add(geo_rejects *r, const char *layer, int64_t fid, const char *field,
                          const char *reason, const char *detail_fmt, ...)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        geo_reject *items = realloc(r->items, cap * sizeof *items);
        if (!items)
            return FR_E_MEMORY;
        r->items = items;
        r->cap = cap;
    }
    char detail[1024];
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof detail, detail_fmt, ap);
    va_end(ap);
    geo_reject *it = &r->items[r->count];
    it->layer = strdup(layer ? layer : "");
    it->fid = fid;
    it->field = field ? strdup(field) : NULL;
    it->reason = strdup(reason ? reason : "");
    it->detail = strdup(detail);
    it->record_id = it->address = NULL;
    if (!it->layer || (field && !it->field) || !it->reason || !it->detail) {
        free(it->layer);
        free(it->field);
        free(it->reason);
        free(it->detail);
        return FR_E_MEMORY;
    }
    r->count++;
    return FR_OK;
}

fr_status geo_rejects_tag(geo_rejects *r, size_t i, const char *record_id, const char *address)
{
    geo_reject *it = &r->items[i];
    char *id = record_id ? strdup(record_id) : NULL, *ad = address ? strdup(address) : NULL;
    if ((record_id && !id) || (address && !ad)) {
        free(id);
        free(ad);
        return FR_E_MEMORY;
    }
    if (id) {
        free(it->record_id);
        it->record_id = id;
    }
    if (ad) {
        free(it->address);
        it->address = ad;
    }
    return FR_OK;
}

size_t geo_rejects_count(const geo_rejects *r, const char *layer, const char *reason)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].layer, layer) == 0 && (!reason || strcmp(r->items[i].reason, reason) == 0))
            n++;
    return n;
}

void geo_rejects_clear(geo_rejects *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->items[i].layer);
        free(r->items[i].field);
        free(r->items[i].reason);
        free(r->items[i].detail);
        free(r->items[i].record_id);
        free(r->items[i].address);
    }
    free(r->items);
    r->items = NULL;
    r->count = r->cap = 0;
}

fr_status geo_rejects_move(geo_rejects *dst, geo_rejects *src)
{
    if (dst->count + src->count > dst->cap) {
        size_t cap = dst->cap ? dst->cap : 64;
        while (cap < dst->count + src->count)
            cap *= 2;
        geo_reject *items = realloc(dst->items, cap * sizeof *items);
        if (!items)
            return FR_E_MEMORY;
        dst->items = items;
        dst->cap = cap;
    }
    if (src->count)
        memcpy(dst->items + dst->count, src->items, src->count * sizeof *src->items);
    dst->count += src->count;
    free(src->items);
    src->items = NULL;
    src->count = src->cap = 0;
    return FR_OK;
}
