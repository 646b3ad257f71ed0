/*
 * run_extras.c — the analyst outputs of the write stage (see run_extras.h):
 * glue between the run's arrays and the modules that do the work
 * (targets.c, geo/write/write_gpkg.c, style_qml.c, changes.c, report_html.c).
 */
#include "run_extras.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "changes.h"
#include "dates.h"
#include "rank.h"
#include "report.h"
#include "run_equity.h"
#include "style_qml.h"
#include "targets.h"
#include "write_gpkg.h"
#include "clock.h"

#define REPORT_TOP_ROWS 25
#define REPORT_CHANGE_ROWS 25

/* ---- target rows ------------------------------------------------------- */

fr_status run_extras_target_rows(run_ctx *ctx, size_t **rows, size_t *nrows, fr_error *err)
{
    size_t n = ctx->parcels->count, max = (size_t)ctx->cfg.output.target_list_size;
    size_t room = max < n ? max : n;
    *nrows = 0;
    *rows = malloc((room ? room : 1) * sizeof **rows);
    if (!*rows)
        return fr_error_oom_while(err, "selecting the target list");
    const cfg_capacity *o = &ctx->cfg.output.capacity_per_zone;
    if (!strcmp(ctx->cfg.targets.allocation, "proportional")) { /* across block groups (run_equity.c) */
        free(*rows);
        return run_equity_target_rows(ctx, rows, nrows, err);
    }
    if (!o->zone)
        return fr_targets_select(ctx->order, n, max, ctx->visit.held_back, NULL, *rows, nrows, err);
    size_t z = 0;
    while (z < ctx->cfg.layers.nzones && strcmp(ctx->cfg.layers.zones[z].role, o->zone))
        z++;
    if (z == ctx->cfg.layers.nzones || !ctx->zone_of || !ctx->zones[z])
        return fr_error_set(err, FR_E_INTERNAL, "capacity zone '%s' was not joined", o->zone);
    const char **labels = malloc((o->nlimits ? o->nlimits : 1) * sizeof *labels);
    long *limits = malloc((o->nlimits ? o->nlimits : 1) * sizeof *limits);
    if (!labels || !limits) {
        free(labels);
        free(limits);
        return fr_error_oom_while(err, "selecting the target list");
    }
    for (size_t k = 0; k < o->nlimits; k++) {
        labels[k] = o->limits[k].label;
        limits[k] = o->limits[k].limit;
    }
    const geo_layer *zl = ctx->zones[z];
    fr_capacity cap = {
        .zone_of = ctx->zone_of[z],
        .zone_label = (const char *const *)zl->cols[0].str, /* the zone's label column (run_inputs.c) */
        .nzone_features = zl->count,
        .default_limit = o->default_limit == CFG_NO_LIMIT ? FR_NO_LIMIT : o->default_limit,
        .limit_label = labels,
        .limit = limits,
        .nlimits = o->nlimits,
    };
    fr_status st = fr_targets_select(ctx->order, n, max, ctx->visit.held_back, &cap, *rows, nrows, err);
    free(labels);
    free(limits);
    return st;
}

/* ---- per zone --------------------------------------------------------- */

int run_extras_list_zone(const run_ctx *ctx, fr_zone_layer *z)
{
    const char *name = ctx->cfg.output.capacity_per_zone.zone;
    for (size_t k = 0; k < ctx->cfg.layers.nzones && ctx->zone_of; k++) {
        if (name && strcmp(ctx->cfg.layers.zones[k].role, name))
            continue;
        *z = (fr_zone_layer){ctx->cfg.layers.zones[k].role, ctx->zone_of[k],
                             (const char *const *)ctx->zones[k]->cols[0].str, ctx->zones[k]->count};
        return 0;
    }
    return -1;
}

fr_status run_extras_zone_targets(const run_ctx *ctx, const geo_out_table *targets, const char *dir, fr_error *err)
{
    fr_zone_layer z;
    if (run_extras_list_zone(ctx, &z) != 0)
        return FR_OK;
    size_t n = ctx->parcels->count, m = n ? n : 1;
    size_t *sorted = malloc((targets->nrows ? targets->nrows : 1) * sizeof *sorted);
    double *zone_row = malloc(m * sizeof *zone_row);
    const char **label = malloc(m * sizeof *label);
    geo_out_field *fields = calloc(targets->nfields + 2, sizeof *fields);
    fr_status st = sorted && zone_row && label && fields ? FR_OK : fr_error_oom_while(err, "listing targets by zone");
    if (st == FR_OK)
        st = fr_zone_sort_rows(&z, targets->order, targets->nrows, sorted, zone_row, err);
    if (st == FR_OK) {
        for (size_t i = 0; i < n; i++)
            label[i] = fr_zone_label(&z, i);
        fields[0] = (geo_out_field){.name = "zone", .short_name = "zone", .type = GEO_COL_STRING, .str = label};
        fields[1] = (geo_out_field){.name = "zone_row", .short_name = "zone_row", .type = GEO_COL_NUMBER,
                                    .num = zone_row, .is_integer = 1};
        memcpy(fields + 2, targets->fields, targets->nfields * sizeof *fields);
        geo_out_table t = *targets;
        t.fields = fields;
        t.nfields = targets->nfields + 2;
        t.order = sorted;
        char path[4200];
        snprintf(path, sizeof path, "%s/targets_by_zone.csv", dir);
        st = geo_write_csv(&t, path, err);
    }
    free(sorted);
    free(zone_row);
    free(label);
    free(fields);
    return st;
}

/* ---- Shapefile size ----------------------------------------------------- */

fr_status run_extras_check_shapefile(uint64_t shp, uint64_t dbf, size_t nrows, fr_error *err)
{
    if (shp <= GEO_WRITE_SHAPEFILE_MAX_BYTES && dbf <= GEO_WRITE_SHAPEFILE_MAX_BYTES)
        return FR_OK;
    return fr_error_set(err, FR_E_OUTPUT,
                        "ranked_parcels%s would be %.2f GB for %zu parcels, over the Shapefile format's 2 GB "
                        "limit: set output.shapefile: false (the GeoPackage and the GeoJSON hold the same "
                        "layer without that limit); no output was written",
                        shp > dbf ? ".shp" : ".dbf", (double)(shp > dbf ? shp : dbf) / (1024.0 * 1024 * 1024),
                        nrows);
}

/* ---- GeoPackage -------------------------------------------------------- */

typedef struct {
    geo_gpkg_meta *items;
    size_t n, cap;
    int oom;
} meta_list;

static void meta_add(meta_list *m, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void meta_add(meta_list *m, const char *key, const char *fmt, ...)
{
    if (m->oom)
        return;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        geo_gpkg_meta *it = realloc(m->items, cap * sizeof *it);
        if (!it) {
            m->oom = 1;
            return;
        }
        m->items = it;
        m->cap = cap;
    }
    char value[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        m->oom = 1;
        return;
    }
    m->items[m->n++] = (geo_gpkg_meta){k, v};
}

static void meta_free(meta_list *m)
{
    for (size_t k = 0; k < m->n; k++) {
        free((char *)m->items[k].key);
        free((char *)m->items[k].value);
    }
    free(m->items);
}

/* What an analyst needs to know where the layer came from; no clock time,
 * so that the file stays byte-identical from run to run. */
static void build_meta(const run_ctx *ctx, meta_list *m)
{
    const fr_run_summary *s = ctx->sum;
    const fr_config *cfg = &ctx->cfg;
    meta_add(m, "producer", "firerisk %s", FIRERISK_VERSION);
    meta_add(m, "as_of", "%s", s->as_of);
    meta_add(m, "working_crs", "%s", s->working_crs);
    meta_add(m, "config", "%s", cfg->path ? cfg->path : "");
    meta_add(m, "model", "%s", cfg->score.model);
    meta_add(m, "parcels", "%zu", ctx->parcels->count);
    meta_add(m, "target_list_size", "%ld", cfg->output.target_list_size);
    meta_add(m, "tier_high_share", "%g", cfg->score.tiers.high);
    meta_add(m, "tier_medium_share", "%g", cfg->score.tiers.medium);
    meta_add(m, "join_tolerance_m", "%g", cfg->join.tolerance_m);
    meta_add(m, "join_radius_m", "%g", cfg->join.radius_m);
    meta_add(m, "rejected_records", "%zu", s->total_rejects);
    if (s->skipped_terms[0])
        meta_add(m, "score_terms_without_data", "%s", s->skipped_terms);
    for (size_t k = 0; k < s->nlayers; k++) {
        const fr_layer_counts *c = &s->layers[k];
        if (!c->present)
            continue;
        char key[96];
        snprintf(key, sizeof key, "layer.%s.read", c->name);
        meta_add(m, key, "%zu", c->read);
        snprintf(key, sizeof key, "layer.%s.rejected", c->name);
        meta_add(m, key, "%zu", c->rejected);
        snprintf(key, sizeof key, "layer.%s.kept", c->name);
        meta_add(m, key, "%zu", c->kept);
        snprintf(key, sizeof key, "layer.%s.used", c->name);
        meta_add(m, key, "%zu", c->used);
    }
}

static fr_style_options style_options(const run_ctx *ctx)
{
    fr_style_options so = {
        .tier_high = ctx->cfg.score.tiers.high,
        .tier_medium = ctx->cfg.score.tiers.medium,
        .has_address = geo_layer_find_column(ctx->parcels, "address") >= 0,
        .points = ctx->parcels->kind == GEO_GEOM_POINT,
    };
    return so;
}

fr_status run_extras_gpkg(const run_ctx *ctx, const geo_out_table *ranked, const char *path, fr_error *err)
{
    meta_list meta = {0};
    build_meta(ctx, &meta);
    char *qml = NULL;
    fr_status st = meta.oom ? fr_error_oom_while(err, "preparing the GeoPackage") : FR_OK;
    if (st == FR_OK && ctx->cfg.output.style) {
        fr_style_options so = style_options(ctx);
        st = fr_style_qml(&so, &qml, err);
    }
    char stamp[32], desc[128];
    snprintf(stamp, sizeof stamp, "%sT00:00:00.000Z", ctx->sum->as_of); /* the GeoPackage spec format */
    snprintf(desc, sizeof desc, "firerisk: every parcel ranked by fire risk as of %s", ctx->sum->as_of);
    geo_gpkg_spec spec = {
        .ranked = ranked,
        .ranked_description = desc,
        .spatial_index = ctx->cfg.output.geopackage_spatial_index,
        .rejects = &ctx->rejects,
        .meta = meta.items,
        .nmeta = meta.n,
        .style_qml = qml,
        .style_name = FR_STYLE_NAME,
        .style_description = "firerisk: parcels coloured by tier (high, medium, low)",
        .timestamp = stamp,
    };
    /* output.writer: gdal takes GDAL's GPKG driver (the reference) */
    if (st == FR_OK)
        st = (strcmp(ctx->cfg.output.writer, "gdal") ? geo_write_gpkg : geo_write_gpkg_gdal)(&spec, path, err);
    free(qml);
    meta_free(&meta);
    return st;
}

/* ---- changes and report ----------------------------------------------- */

static fr_status find_parcels(void *c, const char *const *ids, size_t n, long *out, fr_error *err)
{
    const run_ctx *ctx = c;
    return geo_id_find_many(ctx->parcels, geo_layer_find_column(ctx->parcels, "parcel_id"), ids, n, out, err);
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the files in dir (sorted), plus "report.html". */
static fr_status list_files(const char *dir, char ***out, size_t *n, fr_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return fr_error_set(err, FR_E_OUTPUT, "cannot list %s", dir);
    size_t cap = 32;
    char **v = malloc(cap * sizeof *v);
    int has_report = 0;
    struct dirent *e;
    fr_status st = v ? FR_OK : FR_E_MEMORY;
    while (st == FR_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n + 2 > cap) {
            char **g = realloc(v, (cap *= 2) * sizeof *g);
            if (!g) {
                st = FR_E_MEMORY;
                break;
            }
            v = g;
        }
        has_report |= !strcmp(e->d_name, "report.html");
        if (!(v[(*n)++] = strdup(e->d_name)))
            st = FR_E_MEMORY;
    }
    closedir(d);
    if (st == FR_OK && !has_report && !(v[(*n)++] = strdup("report.html")))
        st = FR_E_MEMORY;
    if (st != FR_OK) {
        for (size_t k = 0; v && k < *n; k++)
            free(v[k]);
        free(v);
        *n = 0;
        return fr_error_oom_while(err, "listing %s", dir);
    }
    qsort(v, *n, sizeof *v, cmp_str);
    *out = v;
    return FR_OK;
}

static fr_status write_report(run_ctx *ctx, const char *tmp, const geo_out_table *targets, const fr_changes *ch,
                              const char *equity_html, double write_started, fr_error *err)
{
    geo_layer *p = ctx->parcels;
    size_t n = p->count;
    char path[4200], backtest[4200];
    /* backtest.json: this run's (written into the staging directory by the
     * models stage) or the one already in the output directory. */
    const char *bt = NULL;
    snprintf(backtest, sizeof backtest, "%s/backtest.json", tmp);
    if (file_exists(backtest))
        bt = backtest;
    else {
        snprintf(backtest, sizeof backtest, "%s/backtest.json", ctx->out_dir);
        if (file_exists(backtest))
            bt = backtest;
    }
    char **files = NULL;
    size_t nfiles = 0;
    fr_status st = list_files(tmp, &files, &nfiles, err);
    if (st != FR_OK)
        return st;
    fr_report_input in = {
        .sum = ctx->sum,
        .cfg = &ctx->cfg,
        .rejects = &ctx->rejects,
        .nparcels = n,
        .targets = targets,
        .top_rows = REPORT_TOP_ROWS,
        .changes = ch,
        .changes_rows = REPORT_CHANGE_ROWS,
        .backtest_path = bt,
        .files = (const char *const *)files,
        .nfiles = nfiles,
        .extra_sections = equity_html,
    };
    for (size_t i = 0; i < n; i++)
        if (ctx->tier[i] < 3)
            in.tier_count[ctx->tier[i]]++;
    int ac = geo_layer_find_column(p, "address");
    in.map = (fr_report_map){
        .n = n,
        .x = ctx->rx,
        .y = ctx->ry,
        .tier = ctx->tier,
        .rank = ctx->rank,
        .id = (const char *const *)p->cols[geo_layer_find_column(p, "parcel_id")].str,
        .address = ac >= 0 ? (const char *const *)p->cols[ac].str : NULL,
        .targets = targets->order,
        .ntargets = targets->nrows,
    };
    if (ctx->stations && ctx->stations->kind == GEO_GEOM_POINT) {
        int nc = geo_layer_find_column(ctx->stations, "name");
        in.map.sx = ctx->stations->x;
        in.map.sy = ctx->stations->y;
        in.map.nstations = ctx->stations->count;
        in.map.station_name = nc >= 0 ? (const char *const *)ctx->stations->cols[nc].str : NULL;
    }
    fr_zone_layer zl;
    fr_zone_count *zc = NULL;
    if (run_extras_list_zone(ctx, &zl) == 0) {
        st = fr_zone_counts(&zl, n, ctx->tier, ctx->list_rank, ctx->visit.held_back, &zc, &in.nzone_counts, err);
        in.zone_name = zl.name;
        in.zone_counts = zc;
    }
    in.write_seconds = fr_clock_seconds() - write_started;
    snprintf(path, sizeof path, "%s/report.html", tmp);
    if (st == FR_OK)
        st = fr_report_write(&in, path, err);
    free(zc);
    for (size_t k = 0; k < nfiles; k++)
        free(files[k]);
    free(files);
    return st;
}

fr_status run_extras_changes(run_ctx *ctx, const size_t *rows, size_t nrows, fr_changes *ch, fr_error *err)
{
    size_t n = ctx->parcels->count;
    geo_layer *p = ctx->parcels;
    int ic = geo_layer_find_column(p, "parcel_id"), ac = geo_layer_find_column(p, "address");
    if (ic < 0)
        return fr_error_set(err, FR_E_INTERNAL, "the parcels lack parcel_id");
    /* the tier names by parcel, as the outputs write them (static texts) */
    const char **tier = malloc((n ? n : 1) * sizeof *tier);
    if (!tier)
        return fr_error_oom_while(err, "comparing with the previous target list");
    for (size_t i = 0; i < n; i++)
        tier[i] = model_tier_name((model_tier)ctx->tier[i]);
    fr_changes_current cur = {
        .nrows = nrows,
        .rows = rows,
        .id = (const char *const *)p->cols[ic].str,
        .address = ac >= 0 ? (const char *const *)p->cols[ac].str : NULL,
        .tier = tier,
        .rank = ctx->rank,
        .score = ctx->points.score,
        .find_all = find_parcels,
        .find_ctx = ctx,
    };
    char previous[4200];
    snprintf(previous, sizeof previous, "%s/targets.csv", ctx->out_dir);
    fr_status st = fr_changes_compute(previous, &cur, ch, err);
    free(tier);
    if (st == FR_OK) /* why each row entered or left (run_changes.c) */
        st = run_changes_explain(ctx, rows, nrows, ch, err);
    return st;
}

fr_status run_extras_finish(run_ctx *ctx, const char *tmp, const geo_out_table *targets, const fr_changes *ch,
                            double write_started, fr_error *err)
{
    char path[4200];
    fr_status st = FR_OK;
    if (ctx->cfg.output.style && (ctx->cfg.output.geojson || ctx->cfg.output.shapefile)) {
        /* QGIS loads <name>.qml beside <name>.shp or <name>.geojson by itself. */
        fr_style_options so = style_options(ctx);
        snprintf(path, sizeof path, "%s/ranked_parcels.qml", tmp);
        st = fr_style_write_qml(&so, path, err);
    }
    if (st == FR_OK) {
        snprintf(path, sizeof path, "%s/changes.csv", tmp);
        st = fr_changes_write_csv(ch, path, err);
    }
    char *equity_html = NULL; /* equity.csv, equity.gpkg and the report's section (run_equity.c) */
    if (st == FR_OK)
        st = run_equity_write(ctx, tmp, &equity_html, err);
    if (st == FR_OK && ctx->cfg.output.report)
        st = write_report(ctx, tmp, targets, ch, equity_html, write_started, err);
    free(equity_html);
    return st;
}
