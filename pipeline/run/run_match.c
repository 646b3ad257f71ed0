/*
 * run_match.c — the join of inspections and incidents to parcels, as the
 * run configures it: the steps of layers.<role>.join (default parcel_id,
 * address, contains, nearest), the address index built once when a layer
 * joins by address, the per-method counts of the summary, a reject with
 * its reason for every record left unmatched, the most frequent streets of
 * those records (so that an analyst can fix the source), and matches.csv,
 * the audit of every record's match.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address_norm.h"
#include "run_internal.h"
#include "write.h"

#define TOP_STREETS 8

static const cfg_layer *layer_config(const run_ctx *ctx, size_t counts_index)
{
    return counts_index == LAYER_INSPECTIONS ? &ctx->cfg.layers.inspections
           : counts_index == LAYER_VISITS    ? &ctx->cfg.layers.visits
                                             : &ctx->cfg.layers.incidents;
}

/* The steps of the layer: configured, else every one in the default order. */
static void match_spec(run_ctx *ctx, const geo_layer *l, const cfg_layer *cl, geo_match_spec *spec)
{
    static const uint8_t by_cfg[] = {GEO_MATCH_NONE, GEO_MATCH_ID, GEO_MATCH_ADDRESS, GEO_MATCH_CONTAINS,
                                     GEO_MATCH_NEAREST};
    memset(spec, 0, sizeof *spec);
    if (cl->njoin_steps) {
        for (int k = 0; k < cl->njoin_steps && k < GEO_MATCH_MAX_STEPS; k++)
            spec->steps[spec->nsteps++] = by_cfg[cl->join_steps[k]];
    } else {
        const uint8_t def[] = {GEO_MATCH_ID, GEO_MATCH_ADDRESS, GEO_MATCH_CONTAINS, GEO_MATCH_NEAREST};
        memcpy(spec->steps, def, sizeof def);
        spec->nsteps = 4;
    }
    spec->ids = ctx->ids;
    spec->id_col = geo_layer_find_column(l, "parcel_id");
    spec->address_col = geo_layer_find_column(l, "address");
    spec->address_range = cl->address_range;
    spec->tolerance_m = ctx->cfg.join.tolerance_m;
}

static int spec_has(const geo_match_spec *spec, int step)
{
    for (int k = 0; k < spec->nsteps; k++)
        if (spec->steps[k] == step)
            return 1;
    return 0;
}

/* The parcels' address index, built on first use; NULL (and the address
 * step skipped) when the parcels map no address. */
static fr_status address_index(run_ctx *ctx, const geo_address_index **out, fr_error *err)
{
    *out = NULL;
    int pc = geo_layer_find_column(ctx->parcels, "address");
    if (pc < 0)
        return FR_OK;
    if (!ctx->addr) {
        fr_status st = geo_address_index_build(ctx->parcels, pc, &ctx->addr, err);
        if (st != FR_OK)
            return st;
        /* parcels sharing an address at one place are a building (condos,
         * apartments): a record at that address matches the building */
        st = geo_address_index_buildings(ctx->addr, ctx->rx, ctx->ry, ctx->cfg.join.tolerance_m, err);
        if (st != FR_OK)
            return st;
        ctx->sum->address_index_built = 1;
        ctx->sum->addresses_indexed = geo_address_index_parcels(ctx->addr, &ctx->sum->addresses_unusable);
        int32_t nb;
        geo_address_index_building_of(ctx->addr, &nb, &ctx->sum->addresses_sharing,
                                      &ctx->sum->addresses_in_buildings);
        ctx->sum->buildings = (size_t)nb;
        int kc = ctx->addrlist ? geo_layer_find_column(ctx->addrlist, "address") : -1;
        if (kc >= 0) {
            st = geo_address_index_build(ctx->addrlist, kc, &ctx->known, err);
            if (st != FR_OK)
                return st;
        }
    }
    *out = ctx->addr;
    return FR_OK;
}

/* The reject of an unmatched record: reason, field and a message naming
 * file, layer, feature and field. */
static fr_status reject(run_ctx *ctx, const geo_layer *l, const geo_match_spec *spec, size_t k,
                        const geo_match *m)
{
    const char *id = spec->id_col >= 0 ? l->cols[spec->id_col].str[k] : NULL;
    const char *address = spec->address_col >= 0 ? l->cols[spec->address_col].str[k] : NULL;
    const char *field = NULL;
    char what[600];
    geo_address a;
    geo_address_parse(address, &a);
    switch (m->why) {
    case GEO_UNMATCHED_UNKNOWN_ID:
        field = l->cols[spec->id_col].source_name;
        snprintf(what, sizeof what, "its parcel id '%s' is not among the parcels and nothing else matched",
                 id ? id : "");
        break;
    case GEO_UNMATCHED_AMBIGUOUS_ID:
        field = l->cols[spec->id_col].source_name;
        snprintf(what, sizeof what,
                 "its parcel id '%.200s' is no parcel's as written, and written alike (leading zeros, case, "
                 "decimals) it is several parcels' ids; refused rather than guessed",
                 id ? id : "");
        break;
    case GEO_UNMATCHED_BEYOND_TOLERANCE: {
        /* the earlier steps' failures too: an unknown id is worth naming */
        char also[300] = "";
        if (id && *id && spec_has(spec, GEO_MATCH_ID))
            snprintf(also, sizeof also, "; its parcel id '%.200s' is not among the parcels either", id);
        if (!isnan(m->distance_m))
            snprintf(what, sizeof what, "no parcel within the tolerance of %g m (nearest parcel %.1f m away)%s",
                     spec->tolerance_m, m->distance_m, also);
        else
            snprintf(what, sizeof what, "no parcel within the tolerance of %g m%s", spec->tolerance_m, also);
        break;
    }
    case GEO_UNMATCHED_ADDRESS_INCOMPLETE:
        field = l->cols[spec->address_col].source_name;
        snprintf(what, sizeof what, "its address '%.200s' has no %s", address ? address : "",
                 a.num_lo < 0 ? "house number" : "street");
        break;
    case GEO_UNMATCHED_UNKNOWN_STREET:
        field = l->cols[spec->address_col].source_name;
        snprintf(what, sizeof what, "no parcel address is on the street '%.120s' (address '%.200s')", a.street,
                 address ? address : "");
        break;
    case GEO_UNMATCHED_NO_HOUSE_NUMBER:
        field = l->cols[spec->address_col].source_name;
        snprintf(what, sizeof what,
                 "no parcel on '%.120s' has the house number %s, nor one on the same side within %d (address '%.200s')",
                 a.street, a.number, (int)spec->address_range, address ? address : "");
        break;
    case GEO_UNMATCHED_AMBIGUOUS_ADDRESS:
        field = l->cols[spec->address_col].source_name;
        snprintf(what, sizeof what,
                 "the address '%.200s' (%s %s) fits several parcels equally well; refused rather than guessed",
                 address ? address : "", a.number, a.street);
        break;
    case GEO_UNMATCHED_NOT_A_HOME:
        field = l->cols[spec->address_col].source_name;
        snprintf(what, sizeof what,
                 "the address '%.200s' (%s %s) is on the master address list (layers.addresses) and no parcel "
                 "has it: not a home",
                 address ? address : "", a.number, a.street);
        break;
    case GEO_UNMATCHED_UNIT_MISMATCH:
        field = l->cols[spec->address_col].source_name;
        snprintf(what, sizeof what,
                 "the parcels at '%.200s' (%s %s) all have another unit than '%.40s'; refused rather than guessed",
                 address ? address : "", a.number, a.street, a.unit);
        break;
    default:
        snprintf(what, sizeof what, "it has neither a parcel id, an address nor a location");
    }
    fr_status st = geo_rejects_add(&ctx->rejects, l->name, l->fid[k], field, geo_unmatched_reason_name(m->why),
                                   "%s, layer '%s', feature %lld%s%s%s: not matched to a parcel: %s", l->source,
                                   l->source_layer ? l->source_layer : "", (long long)l->fid[k],
                                   field ? ", field '" : "", field ? field : "", field ? "'" : "", what);
    return st == FR_OK ? run_tag_reject(ctx, l, k) : st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    const char *street;
    size_t n;
} street_count;

static int cmp_count(const void *a, const void *b)
{
    const street_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->street, y->street);
}

/* One summary line: the most frequent streets of the unmatched records
 * that carry an address with a street ("E OAK STRET (12), MAIN (4)"). */
static fr_status unmatched_streets(run_ctx *ctx, const geo_layer *l, const geo_match_spec *spec,
                                   const geo_match *m, int found, fr_error *err)
{
    if (spec->address_col < 0)
        return FR_OK;
    size_t n = 0;
    for (size_t k = 0; k < l->count; k++)
        n += m[k].parcel < 0 && l->cols[spec->address_col].str[k] && (m[k].street >= 0) == found;
    if (n == 0)
        return FR_OK;
    char **streets = calloc(n, sizeof *streets);
    street_count *counts = calloc(n, sizeof *counts);
    fr_status st = streets && counts ? FR_OK : fr_error_oom(err);
    size_t ns = 0;
    for (size_t k = 0; k < l->count && st == FR_OK; k++) {
        const char *text = l->cols[spec->address_col].str[k];
        if (m[k].parcel >= 0 || !text || (m[k].street >= 0) != found)
            continue;
        /* the street the parcels have, as they write it; else as read */
        geo_address a;
        char name[GEO_ADDR_STREET_MAX];
        if (found)
            geo_address_index_street(ctx->addr, m[k].street, name, sizeof name);
        else
            geo_address_parse(text, &a);
        const char *street = found ? name : a.street;
        if (!street[0])
            continue;
        if (!(streets[ns++] = strdup(street)))
            st = fr_error_oom(err);
    }
    size_t nc = 0;
    if (st == FR_OK) {
        qsort(streets, ns, sizeof *streets, cmp_str);
        for (size_t i = 0; i < ns; i++) {
            if (nc && !strcmp(counts[nc - 1].street, streets[i]))
                counts[nc - 1].n++;
            else
                counts[nc++] = (street_count){streets[i], 1};
        }
        qsort(counts, nc, sizeof *counts, cmp_count);
    }
    char *out = ctx->sum->unmatched_streets;
    size_t size = sizeof ctx->sum->unmatched_streets, used = strlen(out);
    for (size_t i = 0; i < nc && i < TOP_STREETS && st == FR_OK; i++) {
        int w = snprintf(out + used, size - used, "%s%s (%zu)", i ? ", " : "", counts[i].street, counts[i].n);
        if (i == 0 && w >= 0 && (size_t)w < size - used) {
            /* the layer name first */
            char line[240];
            snprintf(line, sizeof line, "  %-14s %s %s", l->name,
                     found ? "on parcel streets (number, unit or ambiguity):" : "streets the parcels lack:",
                     out + used);
            w = snprintf(out + used, size - used, "%s", line);
        }
        if (w < 0 || (size_t)w >= size - used) {
            out[used] = '\0';
            break;
        }
        used += (size_t)w;
    }
    if (st == FR_OK && nc && used + 2 < size) {
        if (nc > TOP_STREETS)
            used += (size_t)snprintf(out + used, size - used, ", ... (%zu streets)", nc);
        if (used + 2 < size)
            snprintf(out + used, size - used, "\n");
    }
    for (size_t i = 0; streets && i < ns; i++)
        free(streets[i]);
    free(streets);
    free(counts);
    return st;
}

fr_status run_match_layer(run_ctx *ctx, geo_layer *l, size_t counts_index, geo_match **out, fr_error *err)
{
    *out = malloc((l->count ? l->count : 1) * sizeof **out);
    if (!*out)
        return fr_error_oom_while(err, "matching %s", l->name);
    geo_match_spec spec;
    match_spec(ctx, l, layer_config(ctx, counts_index), &spec);
    fr_status st = FR_OK;
    if (spec.address_col >= 0 && spec_has(&spec, GEO_MATCH_ADDRESS))
        st = address_index(ctx, &spec.addresses, err);
    if (st == FR_OK && !spec.addresses)
        spec.address_col = -1; /* no parcel addresses: the address step has nothing to match */
    spec.known_addresses = ctx->known;
    if (st == FR_OK)
        st = geo_match_records(ctx->pix, l, &spec, *out, err);
    if (st != FR_OK)
        return st;
    fr_layer_counts *c = run_counts(ctx, counts_index);
    c->joined = 1;
    for (size_t k = 0; k < l->count; k++) {
        const geo_match *m = &(*out)[k];
        switch (m->method) {
        case GEO_MATCH_ID: c->by_id++; break;
        case GEO_MATCH_ID_NORMALISED: c->by_id_normalised++; break;
        case GEO_MATCH_ADDRESS: c->by_address++; break;
        case GEO_MATCH_ADDRESS_BUILDING: c->by_address++; c->by_address_building++; break;
        case GEO_MATCH_ADDRESS_NEAR: c->by_address_near++; break;
        case GEO_MATCH_CONTAINS: c->by_contains++; break;
        case GEO_MATCH_NEAREST: c->by_nearest++; break;
        default:
            c->unmatched++;
            if (reject(ctx, l, &spec, k, m) != FR_OK)
                return fr_error_oom(err);
        }
    }
    st = unmatched_streets(ctx, l, &spec, *out, 0, err);
    return st == FR_OK ? unmatched_streets(ctx, l, &spec, *out, 1, err) : st;
}

fr_status run_write_matches(run_ctx *ctx, const char *const *parcel_id, const char *path,
                            const struct geo_out_tap *tap, int direct, fr_error *err)
{
    geo_match_audit a[3];
    size_t n = 0;
    geo_layer *ls[3] = {ctx->insp, ctx->inc, ctx->visits};
    geo_match *ms[3] = {ctx->insp_match, ctx->inc_match, ctx->visit_match};
    for (int i = 0; i < 3; i++) {
        if (!ls[i] || !ms[i])
            continue;
        int ac = geo_layer_find_column(ls[i], "address"), rc = geo_layer_find_column(ls[i], "record_id");
        a[n++] = (geo_match_audit){ls[i]->name, ls[i], ms[i],
                                   ac >= 0 ? (const char *const *)ls[i]->cols[ac].str : NULL, ctx->addr,
                                   rc >= 0 ? (const char *const *)ls[i]->cols[rc].str : NULL};
    }
    int pc = geo_layer_find_column(ctx->parcels, "parcel_id");
    if (!parcel_id)
        parcel_id = (const char *const *)ctx->parcels->cols[pc].str;
    return geo_write_matches_csv(a, n, parcel_id, path, tap, direct, err);
}
