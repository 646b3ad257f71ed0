/*
 * run_buildings.c — run_building_spread (run_internal.h): the features'
 * hook for buildings.  A record matched to a building (address_building:
 * condominium or apartment parcels sharing one address at one place,
 * geo_address_index_buildings) counts for every home of the building, so
 * the feature input gets one copy of the record per parcel of it; every
 * other record is handed on as it is.  The models see plain arrays and
 * know nothing of buildings.
 */
#include <stdlib.h>
#include <string.h>

#include "run_internal.h"

/* Parcels of each building, in parcel order: first[b] .. first[b + 1] of
 * members. */
typedef struct {
    size_t *first;
    int32_t *members;
} building_lists;

static fr_status lists_build(const int32_t *building_of, size_t nparcels, int32_t nb, building_lists *bl,
                             fr_error *err)
{
    bl->first = calloc((size_t)nb + 1, sizeof *bl->first);
    bl->members = malloc((nparcels ? nparcels : 1) * sizeof *bl->members);
    if (!bl->first || !bl->members)
        return fr_error_oom_while(err, "listing the parcels of each building");
    for (size_t i = 0; i < nparcels; i++)
        if (building_of[i] >= 0)
            bl->first[building_of[i] + 1]++;
    for (int32_t b = 0; b < nb; b++)
        bl->first[b + 1] += bl->first[b];
    size_t *fill = calloc((size_t)nb + 1, sizeof *fill);
    if (!fill)
        return fr_error_oom_while(err, "listing the parcels of each building");
    for (size_t i = 0; i < nparcels; i++)
        if (building_of[i] >= 0)
            bl->members[bl->first[building_of[i]] + fill[building_of[i]]++] = (int32_t)i;
    free(fill);
    return FR_OK;
}

/* One layer's records spread: parcel, and the record each entry copies. */
static fr_status spread_layer(const geo_match *m, size_t n, const int32_t *parcel_in, const int32_t *building_of,
                              const building_lists *bl, int32_t **parcel, size_t **src, size_t *nout, fr_error *err)
{
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        int32_t b = m[k].method == GEO_MATCH_ADDRESS_BUILDING && parcel_in[k] >= 0 ? building_of[parcel_in[k]] : -1;
        total += b >= 0 ? bl->first[b + 1] - bl->first[b] : 1;
    }
    *parcel = malloc((total ? total : 1) * sizeof **parcel);
    *src = malloc((total ? total : 1) * sizeof **src);
    if (!*parcel || !*src)
        return fr_error_oom_while(err, "spreading the records of buildings to their homes");
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        int32_t b = m[k].method == GEO_MATCH_ADDRESS_BUILDING && parcel_in[k] >= 0 ? building_of[parcel_in[k]] : -1;
        if (b < 0) {
            (*parcel)[o] = parcel_in[k];
            (*src)[o++] = k;
            continue;
        }
        for (size_t j = bl->first[b]; j < bl->first[b + 1]; j++) {
            (*parcel)[o] = bl->members[j];
            (*src)[o++] = k;
        }
    }
    *nout = total;
    return FR_OK;
}

/* dst[i] = from[src[i]] for arrays of elements of `size` bytes; *dst
 * stays NULL when from is NULL (the field is not mapped). */
static fr_status gather(void **dst, const void *from, size_t size, const size_t *src, size_t n, fr_error *err)
{
    *dst = NULL;
    if (!from)
        return FR_OK;
    unsigned char *d = malloc((n ? n : 1) * size);
    if (!d)
        return fr_error_oom_while(err, "spreading the records of buildings to their homes");
    for (size_t i = 0; i < n; i++)
        memcpy(d + i * size, (const unsigned char *)from + src[i] * size, size);
    *dst = d;
    return FR_OK;
}

static fr_status gather_insp(model_feature_input *in, run_spread *s, const size_t *src, size_t n, fr_error *err)
{
    fr_status st = gather((void **)&s->insp_date, in->insp_date, sizeof *in->insp_date, src, n, err);
    if (st == FR_OK)
        st = gather((void **)&s->insp_failed, in->insp_failed, sizeof *in->insp_failed, src, n, err);
    if (st == FR_OK)
        st = gather((void **)&s->insp_violations, in->insp_violations, sizeof *in->insp_violations, src, n, err);
    if (st == FR_OK) {
        in->ninsp = n;
        in->insp_parcel = s->insp_parcel;
        in->insp_date = s->insp_date;
        in->insp_failed = s->insp_failed;
        in->insp_violations = s->insp_violations;
    }
    return st;
}

static fr_status gather_inc(model_feature_input *in, run_spread *s, const size_t *src, size_t n, fr_error *err)
{
    fr_status st = gather((void **)&s->inc_date, in->inc_date, sizeof *in->inc_date, src, n, err);
    if (st == FR_OK)
        st = gather((void **)&s->inc_is_fire, in->inc_is_fire, sizeof *in->inc_is_fire, src, n, err);
    if (st == FR_OK) {
        in->ninc = n;
        in->inc_parcel = s->inc_parcel;
        in->inc_date = s->inc_date;
        in->inc_is_fire = s->inc_is_fire;
    }
    return st;
}

fr_status run_building_spread(const run_ctx *ctx, model_feature_input *in, run_spread *s, fr_error *err)
{
    memset(s, 0, sizeof *s);
    int32_t nb = 0;
    const int32_t *building_of = geo_address_index_building_of(ctx->addr, &nb, NULL, NULL);
    if (!building_of || nb == 0)
        return FR_OK;
    building_lists bl = {0};
    fr_status st = lists_build(building_of, ctx->parcels->count, nb, &bl, err);
    size_t *src = NULL, n = 0;
    if (st == FR_OK && ctx->insp && ctx->insp_match) {
        st = spread_layer(ctx->insp_match, in->ninsp, in->insp_parcel, building_of, &bl, &s->insp_parcel, &src, &n,
                          err);
        if (st == FR_OK)
            st = gather_insp(in, s, src, n, err);
        free(src);
        src = NULL;
    }
    if (st == FR_OK && ctx->inc && ctx->inc_match) {
        st = spread_layer(ctx->inc_match, in->ninc, in->inc_parcel, building_of, &bl, &s->inc_parcel, &src, &n, err);
        if (st == FR_OK)
            st = gather_inc(in, s, src, n, err);
        free(src);
    }
    free(bl.first);
    free(bl.members);
    return st;
}

void run_spread_free(run_spread *s)
{
    free(s->insp_parcel);
    free(s->insp_date);
    free(s->insp_failed);
    free(s->insp_violations);
    free(s->inc_parcel);
    free(s->inc_date);
    free(s->inc_is_fire);
    memset(s, 0, sizeof *s);
}
