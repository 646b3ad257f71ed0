/*
 * run_inputs.c — the ingest stage: turns each configured layer into a
 * geo_layer in the working CRS.
 *
 * Which logical fields exist, and of which type, is decided here (the
 * config only maps names); geo/read/read.c does the reading.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "progress.h"
#include "read.h"
#include "reproject.h"
#include "validate.h"
#include "run_internal.h"

fr_layer_counts *run_counts(run_ctx *ctx, size_t k)
{
    return &ctx->sum->layers[k];
}

/* Type of a logical field for a role. */
static geo_column_type field_type(const char *role, const char *logical, int *boolean)
{
    *boolean = 0;
    if (!strcmp(logical, "parcel_id") || !strcmp(logical, "address") || !strcmp(logical, "land_use") ||
        !strcmp(logical, "result") || !strcmp(logical, "incident_type") || !strcmp(logical, "name") ||
        !strcmp(logical, "geoid") || !strcmp(logical, "outcome") || !strcmp(logical, "record_id"))
        return GEO_COL_STRING;
    if (!strcmp(logical, "date"))
        return GEO_COL_DATE;
    if (!strcmp(logical, "vacant") || !strcmp(logical, "owner_occupied"))
        *boolean = 1;
    (void)role;
    return GEO_COL_NUMBER;
}

static void read_progress(void *bar, double fraction)
{
    fr_progress_fraction(bar, fraction);
}

static fr_status read_one(run_ctx *ctx, const cfg_layer *cl, size_t counts_index, geo_geom_kind kind,
                          int geometry_required, geo_layer **out, fr_error *err)
{
    int attr_layer = counts_index == LAYER_PARCELS || counts_index == LAYER_BLOCK_GROUPS;
    int of_bgs = counts_index == LAYER_BLOCK_GROUPS;
    size_t nattr = attr_layer ? run_attribute_count(&ctx->cfg, of_bgs) : 0;
    size_t nf = cl->nfields + (cl->zone_field ? 1 : 0) + nattr;
    geo_field_spec *specs = calloc(nf ? nf : 1, sizeof *specs);
    if (!specs)
        return fr_error_oom(err);
    if (nattr)
        run_attribute_specs(&ctx->cfg, of_bgs, specs + nf - nattr);
    for (size_t i = 0; i < cl->nfields; i++) {
        specs[i].name = cl->fields[i].logical;
        specs[i].source_name = cl->fields[i].source;
        specs[i].type = field_type(cl->role, cl->fields[i].logical, &specs[i].boolean);
        specs[i].required_value = !strcmp(cl->fields[i].logical, "date") ||
                                  (counts_index == LAYER_PARCELS && !strcmp(cl->fields[i].logical, "parcel_id"));
    }
    if (cl->zone_field) {
        specs[cl->nfields].name = "zone";
        specs[cl->nfields].source_name = cl->zone_field;
        specs[cl->nfields].type = GEO_COL_STRING;
    }
    geo_read_spec spec = {
        .role = cl->role, .source = cl->source, .source_label = cl->source_label, .layer = cl->layer,
        .where = cl->where, .crs = cl->crs, .wkt_field = cl->geometry.wkt, .x_field = cl->geometry.x,
        .y_field = cl->geometry.y, .open_options = (const char *const *)cl->open_options,
        .date_format = cl->date_format, .kind = kind, .geometry_required = geometry_required,
        .points_allowed = counts_index == LAYER_PARCELS, /* homes as address points or building centroids */
        .fields = specs, .nfields = nf,
        /* required dates after today (UTC) or before 1900 are typos or placeholders */
        .date_bounds = 1, .min_date = fr_days_from_civil(1900, 1, 1), .max_date = (int32_t)(time(NULL) / 86400),
    };
    /* FIRERISK_READ_PARALLEL_MIN: the tests read small GeoPackages over FID
     * ranges too (geo/read/fid_ranges.h); unset, large tables only. */
    const char *pmin = getenv("FIRERISK_READ_PARALLEL_MIN");
    spec.parallel_min_features = pmin ? strtoul(pmin, NULL, 10) : 0;
    struct fr_progress *bar = ctx->opt ? ctx->opt->progress : NULL;
    if (bar) { /* the progress line names the layer and its source */
        char item[600];
        const char *src = cl->source_label ? cl->source_label : cl->source, *slash = strrchr(src, '/');
        snprintf(item, sizeof item, "%s: %s", cl->role, slash && strncmp(src, "PG:", 3) ? slash + 1 : src);
        fr_progress_item(bar, item);
        spec.progress = read_progress;
        spec.progress_arg = bar;
    }
    geo_read_stats stats;
    size_t warn_before = ctx->warnings.count;
    fr_status st = geo_read_layer(&spec, out, &stats, &ctx->rejects, &ctx->warnings, err);
    free(specs);
    fr_layer_counts *c = run_counts(ctx, counts_index);
    snprintf(c->name, sizeof c->name, "%s", cl->role);
    c->present = 1;
    if (st != FR_OK)
        return st;
    c->read = stats.read;
    c->rejected_read = stats.rejected;
    c->kept = stats.kept;
    /* warnings of the read: values kept as missing, text recoded, rings closed */
    size_t unclosed = 0;
    for (size_t i = warn_before; i < ctx->warnings.count; i++) {
        const char *why = ctx->warnings.items[i].reason;
        if (!strcmp(why, "non_utf8_text"))
            c->recoded++;
        else if (!strcmp(why, "unclosed_ring"))
            unclosed++;
        else
            c->warnings++;
    }
    if ((*out)->kind != GEO_GEOM_POLYGON) /* points have nothing to repair */
        return FR_OK;
    size_t repaired = 0, removed = 0;
    st = geo_layer_make_valid(*out, &ctx->rejects, &ctx->warnings, &repaired, &removed, err);
    c->repaired = repaired + unclosed;
    c->rejected_read += removed;
    c->kept -= removed;
    return st;
}

/* Reprojects a layer into the working CRS and counts what could not be. */
static fr_status to_working(run_ctx *ctx, geo_layer *l, size_t counts_index, fr_error *err)
{
    size_t removed = 0, from = ctx->rejects.count;
    geo_source_points src; /* point layers: the source x/y, to spot lon/lat swapped */
    run_id_copies ids = {0}; /* record ids and addresses of the records this may reject (run_record_ids.c) */
    fr_status st = geo_source_points_keep(l, &src, err);
    if (st == FR_OK && l->kind == GEO_GEOM_POINT)
        st = run_ids_keep(l, &ids, err);
    if (st == FR_OK)
        st = geo_reproject_layer(l, ctx->working_wkt, &ctx->rejects, &removed, err);
    fr_layer_counts *c = run_counts(ctx, counts_index);
    c->rejected_read += removed;
    c->kept -= removed;
    if (st == FR_OK && counts_index != LAYER_PARCELS)
        st = run_study_points(ctx, l, counts_index, &src, err);
    if (st == FR_OK)
        st = run_ids_tag(ctx, from, l->name, &ids, err);
    run_ids_free(&ids);
    geo_source_points_free(&src);
    return st;
}

/* Parcels with an id seen before are rejected (the first keeps it). */
static fr_status drop_duplicate_ids(run_ctx *ctx, fr_error *err)
{
    geo_layer *p = ctx->parcels;
    int id_col = geo_layer_find_column(p, "parcel_id");
    size_t *dups = NULL, ndups = 0;
    geo_id_index_free(ctx->ids_exact);
    ctx->ids_exact = NULL;
    fr_status st = geo_id_duplicates(p, id_col, &dups, &ndups, &ctx->ids_exact, err); /* for the join */
    if (st != FR_OK)
        return st;
    if (ndups) {
        unsigned char *keep = malloc(p->count);
        if (!keep) {
            free(dups);
            return fr_error_oom(err);
        }
        memset(keep, 1, p->count);
        for (size_t k = 0; k < ndups && st == FR_OK; k++) {
            size_t i = dups[k];
            keep[i] = 0;
            if (geo_rejects_add(&ctx->rejects, "parcels", p->fid[i], p->cols[id_col].source_name,
                                "duplicate_parcel_id", "%s, layer '%s', feature %lld: parcel id '%s' already used by an earlier feature",
                                p->source, p->source_layer ? p->source_layer : "", (long long)p->fid[i],
                                p->cols[id_col].str[i]) != FR_OK)
                st = fr_error_oom(err);
        }
        geo_layer_compact(p, keep);
        free(keep);
    }
    free(dups);
    fr_layer_counts *c = run_counts(ctx, LAYER_PARCELS);
    c->duplicates = ndups;
    c->kept -= ndups;
    return st;
}

static fr_status choose_working_crs(run_ctx *ctx, fr_error *err)
{
    if (ctx->cfg.working_crs) {
        snprintf(ctx->sum->working_crs, sizeof ctx->sum->working_crs, "%s (configured)", ctx->cfg.working_crs);
        return geo_crs_wkt(ctx->cfg.working_crs, "working_crs", 1, &ctx->working_wkt, err);
    }
    int epsg = 0;
    fr_status st = geo_utm_for_layer(ctx->parcels, &ctx->working_wkt, &epsg, err);
    if (st == FR_OK)
        snprintf(ctx->sum->working_crs, sizeof ctx->sum->working_crs, "EPSG:%d (UTM zone of the parcels)", epsg);
    return st;
}

void run_ids_for_join(run_ctx *ctx)
{
    geo_id_index_free(ctx->ids);
    ctx->ids = ctx->ids_exact;
    ctx->ids_exact = NULL;
}

fr_status run_read_inputs(run_ctx *ctx, fr_error *err)
{
    fr_config *cfg = &ctx->cfg;
    ctx->sum->nlayers = LAYER_ZONES + cfg->layers.nzones;
    fr_status st = read_one(ctx, &cfg->layers.parcels, LAYER_PARCELS, GEO_GEOM_POLYGON, 1, &ctx->parcels, err);
    if (st == FR_OK && ctx->parcels->kind == GEO_GEOM_POINT) /* address points or building centroids */
        ctx->sum->homes_points_tolerance_m = cfg->join.tolerance_m > 0 ? cfg->join.tolerance_m : -1;
    if (st == FR_OK)
        st = drop_duplicate_ids(ctx, err);
    if (st == FR_OK)
        st = run_study_parcels(ctx, err);
    if (st == FR_OK && ctx->parcels->count == 0)
        st = run_no_parcels_error(ctx, err);
    if (st == FR_OK)
        st = choose_working_crs(ctx, err);
    if (st == FR_OK)
        st = to_working(ctx, ctx->parcels, LAYER_PARCELS, err);
    if (st == FR_OK && cfg->layers.inspections.present) {
        st = read_one(ctx, &cfg->layers.inspections, LAYER_INSPECTIONS, GEO_GEOM_POINT, 0, &ctx->insp, err);
        if (st == FR_OK)
            st = to_working(ctx, ctx->insp, LAYER_INSPECTIONS, err);
    }
    if (st == FR_OK && cfg->layers.incidents.present) {
        st = read_one(ctx, &cfg->layers.incidents, LAYER_INCIDENTS, GEO_GEOM_POINT, 0, &ctx->inc, err);
        if (st == FR_OK)
            st = to_working(ctx, ctx->inc, LAYER_INCIDENTS, err);
    }
    if (st == FR_OK && cfg->layers.visits.present) {
        st = read_one(ctx, &cfg->layers.visits, LAYER_VISITS, GEO_GEOM_POINT, 0, &ctx->visits, err);
        if (st == FR_OK)
            st = run_visits_check_outcomes(ctx, err); /* unknown outcomes rejected (run_visits.c) */
        if (st == FR_OK)
            st = to_working(ctx, ctx->visits, LAYER_VISITS, err);
    }
    if (st == FR_OK && cfg->layers.stations.present) {
        st = read_one(ctx, &cfg->layers.stations, LAYER_STATIONS, GEO_GEOM_POINT, 1, &ctx->stations, err);
        if (st == FR_OK)
            st = to_working(ctx, ctx->stations, LAYER_STATIONS, err);
    }
    if (st == FR_OK && cfg->layers.block_groups.present) {
        st = read_one(ctx, &cfg->layers.block_groups, LAYER_BLOCK_GROUPS, GEO_GEOM_POLYGON, 1, &ctx->bgs, err);
        if (st == FR_OK)
            st = to_working(ctx, ctx->bgs, LAYER_BLOCK_GROUPS, err);
    }
    if (st == FR_OK && cfg->layers.addresses.present) /* addresses only: no geometry used */
        st = read_one(ctx, &cfg->layers.addresses, LAYER_ADDRESSES, GEO_GEOM_POINT, 0, &ctx->addrlist, err);
    if (st == FR_OK && cfg->layers.nzones) {
        ctx->zones = calloc(cfg->layers.nzones, sizeof *ctx->zones);
        if (!ctx->zones)
            st = fr_error_oom(err);
        for (size_t z = 0; z < cfg->layers.nzones && st == FR_OK; z++) {
            st = read_one(ctx, &cfg->layers.zones[z], LAYER_ZONES + z, GEO_GEOM_POLYGON, 1, &ctx->zones[z], err);
            if (st == FR_OK)
                st = to_working(ctx, ctx->zones[z], LAYER_ZONES + z, err);
        }
    }
    return st;
}
