/*
 * run_record_ids.c — the records' own ids (fields.record_id) and their
 * addresses as read, on every reject of inspections, incidents and visits,
 * so that rejects.csv joins back to the dispatch or inspection system
 * (the reader tags what it rejects itself, geo/read/read.c).  Records
 * rejected after reading leave their layer when it is compacted, so the
 * stages that may reject them (reprojection, the study area) take a copy of
 * the two texts first and tag their rejects from it by feature id.
 */
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

fr_status run_tag_reject(run_ctx *ctx, const geo_layer *l, size_t k)
{
    int rc = geo_layer_find_column(l, "record_id"), ac = geo_layer_find_column(l, "address");
    const char *id = rc >= 0 ? l->cols[rc].str[k] : NULL, *address = ac >= 0 ? l->cols[ac].str[k] : NULL;
    if ((!id && !address) || !ctx->rejects.count)
        return FR_OK;
    return geo_rejects_tag(&ctx->rejects, ctx->rejects.count - 1, id, address);
}

static int cmp_fid(const void *a, const void *b)
{
    const run_id_copy *x = a, *y = b;
    return x->fid < y->fid ? -1 : x->fid > y->fid;
}

fr_status run_ids_keep(const geo_layer *l, run_id_copies *c, fr_error *err)
{
    memset(c, 0, sizeof *c);
    int rc = geo_layer_find_column(l, "record_id"), ac = geo_layer_find_column(l, "address");
    if ((rc < 0 && ac < 0) || !l->count)
        return FR_OK;
    c->items = calloc(l->count, sizeof *c->items);
    if (!c->items)
        return fr_error_oom_while(err, "keeping the record ids of %s", l->name);
    for (size_t k = 0; k < l->count; k++) {
        const char *id = rc >= 0 ? l->cols[rc].str[k] : NULL, *address = ac >= 0 ? l->cols[ac].str[k] : NULL;
        run_id_copy *it = &c->items[c->n++];
        it->fid = l->fid[k];
        it->record_id = id ? strdup(id) : NULL;
        it->address = address ? strdup(address) : NULL;
        if ((id && !it->record_id) || (address && !it->address)) {
            run_ids_free(c);
            return fr_error_oom_while(err, "keeping the record ids of %s", l->name);
        }
    }
    qsort(c->items, c->n, sizeof *c->items, cmp_fid);
    return FR_OK;
}

fr_status run_ids_tag(run_ctx *ctx, size_t from, const char *layer, const run_id_copies *c, fr_error *err)
{
    for (size_t i = from; c->n && i < ctx->rejects.count; i++) {
        const geo_reject *r = &ctx->rejects.items[i];
        if (strcmp(r->layer, layer))
            continue;
        run_id_copy key = {.fid = r->fid};
        const run_id_copy *it = bsearch(&key, c->items, c->n, sizeof *c->items, cmp_fid);
        if (it && geo_rejects_tag(&ctx->rejects, i, it->record_id, it->address) != FR_OK)
            return fr_error_oom_while(err, "tagging the rejects of %s", layer);
    }
    return FR_OK;
}

void run_ids_free(run_id_copies *c)
{
    for (size_t k = 0; k < c->n; k++) {
        free(c->items[k].record_id);
        free(c->items[k].address);
    }
    free(c->items);
    memset(c, 0, sizeof *c);
}
