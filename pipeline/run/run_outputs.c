/*
 * run_outputs.c — the write stage: assembles the output columns from the
 * run's arrays and writes every file into the staging directory that
 * run_guard.c publishes as a whole (outdir.h).  A failed write leaves the
 * previous outputs as they were.
 *
 * Shapefile field names are limited to 10 characters; the mapping from the
 * full names is the table below (documented in docs/OUTPUTS.md).
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "dates.h"
#include "strpool.h"
#include "out_rows.h"
#include "progress.h"
#include "rank.h"
#include "reproject.h"
#include "run_extras.h"
#include "run_internal.h"
#include "write.h"
#include "clock.h"

static const struct {
    const char *name, *short_name;
} short_names[] = {
    {"parcel_id", "parcel_id"},       {"address", "address"},         {"block_group", "block_grp"},
    {"reason_1", "reason_1"},         {"reason_2", "reason_2"},       {"reason_3", "reason_3"},
    {"fires_parcel_1y", "fire_p_1y"}, {"fires_parcel_3y", "fire_p_3y"}, {"fires_parcel_5y", "fire_p_5y"},
    {"calls_parcel_3y", "calls_3y"},  {"fires_near_1y", "fire_n_1y"}, {"fires_near_3y", "fire_n_3y"},
    {"fires_near_5y", "fire_n_5y"},   {"insp_days_since", "insp_days"}, {"insp_count_5y", "insp_n_5y"},
    {"insp_failed_3y", "insp_f_3y"},  {"insp_violations_3y", "insp_v_3y"}, {"building_age", "bldg_age"},
    {"building_sqft", "bldg_sqft"},   {"assessed_value", "assessed"}, {"owner_occupied", "owner_occ"},
    {"station_dist_m", "stn_dist_m"}, {"last_inspection", "last_insp"}, {"list_rank", "list_rank"},
    {"on_list", "on_list"},           {"last_visit", "last_visit"},   {"visit_outcome", "visit_out"},
};

#define REASON_TEXT 80 /* the longest reason text model_explain writes, and room to spare */

typedef struct {
    geo_out_field *f;
    size_t n, cap;
    char (*shorts)[11];
} field_list;

/* Short (<= 10 characters, unique) name for the .dbf: the table above,
 * else the name cut to 10 characters with a numeric suffix if taken. */
static void make_short(field_list *fl, const char *name, char out[11])
{
    for (size_t i = 0; i < sizeof short_names / sizeof short_names[0]; i++)
        if (!strcmp(short_names[i].name, name)) {
            snprintf(out, 11, "%s", short_names[i].short_name);
            return;
        }
    const char *base = name;
    snprintf(out, 11, "%.10s", base);
    for (int suffix = 1;; suffix++) {
        int taken = 0;
        for (size_t k = 0; k < fl->n && !taken; k++)
            taken = !strcasecmp(fl->shorts[k], out);
        if (!taken)
            return;
        char tail[8];
        int tl = snprintf(tail, sizeof tail, "_%d", suffix);
        snprintf(out, 11, "%.*s%s", 10 - tl, base, tail);
    }
}

static geo_out_field *add_field(field_list *fl, const char *name, geo_column_type type, fr_error *err)
{
    if (fl->n == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 32;
        geo_out_field *f = realloc(fl->f, cap * sizeof *f);
        if (!f)
            return fr_error_oom(err), NULL;
        fl->f = f;
        char (*s)[11] = realloc(fl->shorts, cap * sizeof *s);
        if (!s)
            return fr_error_oom(err), NULL;
        fl->shorts = s;
        fl->cap = cap;
    }
    make_short(fl, name, fl->shorts[fl->n]);
    geo_out_field *f = &fl->f[fl->n];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->type = type;
    fl->n++;
    return f;
}

/* After all add_field calls (the shorts array may move while growing). */
static void bind_short_names(field_list *fl)
{
    for (size_t i = 0; i < fl->n; i++)
        fl->f[i].short_name = fl->shorts[i];
}

static int all_integral(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && (v[i] != floor(v[i]) || fabs(v[i]) > 9e15))
            return 0;
    return 1;
}

/* .dbf width of an integer column: the digits its largest value needs (at
 * least 4), instead of the driver's 18, which would make the .dbf of a
 * million parcels several hundred megabytes larger. */
static int integer_width(const double *v, size_t n)
{
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    char buf[32];
    int w_hi = snprintf(buf, sizeof buf, "%.0f", hi), w_lo = snprintf(buf, sizeof buf, "%.0f", lo);
    int w = w_hi > w_lo ? w_hi : w_lo;
    return w < 4 ? 4 : w;
}

typedef struct {
    double *rank;
    const char **tier;
    fr_strpool *reason_pool;     /* per thread: the distinct reason texts (reason[] points into them) */
    int npools;
    const char **reason[MODEL_REASONS];
    const char ***zone_label;    /* per zone layer */
    const char **block_group;
    double *lon, *lat;           /* filled for the target list's parcels only (target_lonlat) */
    const char **empty;          /* all NULL */
    int32_t *last_insp;          /* date of the last inspection (as_of - insp_days_since), or NULL */
    double *on_list, *list_rank; /* 1/0; row of the target list (NAN off it) */
    const char **visit_outcome;  /* "completed", "failed" or NULL; the column only with the revisit rule */
} out_columns;

static void free_columns(out_columns *c, size_t nzones)
{
    free(c->rank);
    free(c->tier);
    for (int t = 0; t < c->npools; t++)
        fr_strpool_free(&c->reason_pool[t]);
    free(c->reason_pool);
    for (int k = 0; k < MODEL_REASONS; k++)
        free(c->reason[k]);
    if (c->zone_label)
        for (size_t z = 0; z < nzones; z++)
            free(c->zone_label[z]);
    free(c->zone_label);
    free(c->block_group);
    free(c->lon);
    free(c->lat);
    free(c->empty);
    free(c->last_insp);
    free(c->on_list);
    free(c->list_rank);
    free(c->visit_outcome);
}

/* The reason texts of one thread: the interned phrase of each (feature,
 * value) it has seen lately.  Why a cache: 3 phrases per parcel were each
 * formatted by model_explain (snprintf, sscanf of the feature's name) and
 * hashed into the pool, ~2.5 s of CPU at 1M parcels, while most reasons are
 * counts and flags with a few distinct values.  Direct-mapped and fixed in
 * size: a continuous value (a distance) misses and is formatted as before.
 * The text is model_explain's either way, so the outputs cannot change. */
#define REASON_MEMO_SLOTS 4096
typedef struct {
    fr_strpool *pool;
    struct {
        uint64_t bits;
        int32_t fcol;
        const char *text; /* NULL: an empty slot */
    } slot[REASON_MEMO_SLOTS];
} reason_memo;

static const char *reason_text(reason_memo *m, const run_ctx *ctx, int32_t fcol, double value, int year)
{
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    uint64_t h = (bits ^ ((uint64_t)(uint32_t)fcol * 0x9E3779B97F4A7C15ULL)) * 0xFF51AFD7ED558CCDULL;
    size_t s = (size_t)(h >> 52) & (REASON_MEMO_SLOTS - 1);
    if (m->slot[s].text && m->slot[s].fcol == fcol && m->slot[s].bits == bits)
        return m->slot[s].text;
    char buf[REASON_TEXT];
    run_reason_phrase(ctx, ctx->feats.names[fcol], value, year, buf, sizeof buf);
    /* a few thousand distinct texts among 3 per parcel: stored once each */
    const char *text = fr_strpool_intern(m->pool, buf);
    if (text) {
        m->slot[s].bits = bits;
        m->slot[s].fcol = fcol;
        m->slot[s].text = text;
    }
    return text;
}

/* lon and lat of the target list's parcels, the only rows of the only
 * table that prints them (targets.csv, the zone lists and the report read
 * the target table's rows): a few hundred points reprojected instead of
 * every parcel's, which at 5M parcels was 0.5 CPU-s and 80 MB of memory
 * new to the run (docs/PROFILE.md, stop 35).  The other parcels' entries
 * stay as calloc left them, never read and never touched. */
static fr_status target_lonlat(run_ctx *ctx, out_columns *c, const size_t *rows, size_t nrows, fr_error *err)
{
    size_t m = nrows ? nrows : 1;
    double *xy = malloc(4 * m * sizeof *xy);
    if (!xy)
        return fr_error_oom_while(err, "preparing outputs: the targets' lon/lat");
    double *x = xy, *y = xy + m, *lon = xy + 2 * m, *lat = xy + 3 * m;
    for (size_t r = 0; r < nrows; r++) {
        x[r] = ctx->rx[rows[r]];
        y[r] = ctx->ry[rows[r]];
    }
    fr_status st = geo_to_lonlat(ctx->parcels->srs_wkt, nrows, x, y, lon, lat, err);
    for (size_t r = 0; st == FR_OK && r < nrows; r++) {
        c->lon[rows[r]] = lon[r];
        c->lat[rows[r]] = lat[r];
    }
    free(xy);
    return st;
}

static fr_status build_columns(run_ctx *ctx, out_columns *c, const size_t *target_rows, size_t ntarget_rows,
                               fr_error *err)
{
    size_t n = ctx->parcels->count, nz = ctx->cfg.layers.nzones;
    size_t m = n ? n : 1;
    c->rank = malloc(m * sizeof *c->rank);
    c->tier = malloc(m * sizeof *c->tier);
    c->npools = omp_get_max_threads();
    c->reason_pool = calloc((size_t)c->npools, sizeof *c->reason_pool);
    for (int k = 0; k < MODEL_REASONS; k++)
        c->reason[k] = malloc(m * sizeof *c->reason[k]);
    c->zone_label = calloc(nz ? nz : 1, sizeof *c->zone_label);
    c->lon = calloc(m, sizeof *c->lon);
    c->lat = calloc(m, sizeof *c->lat);
    c->empty = calloc(m, sizeof *c->empty);
    c->on_list = malloc(m * sizeof *c->on_list);
    c->list_rank = malloc(m * sizeof *c->list_rank);
    c->visit_outcome = calloc(m, sizeof *c->visit_outcome);
    if (!c->on_list || !c->list_rank || !c->visit_outcome || !c->empty || !c->rank || !c->tier || !c->reason_pool || !c->reason[0] || !c->reason[1] || !c->reason[2] ||
        !c->zone_label || !c->lon || !c->lat)
        return fr_error_oom_while(err, "preparing outputs");
    int y, mo, d;
    fr_civil_from_days(ctx->as_of, &y, &mo, &d);
    int oom = 0;
#pragma omp parallel num_threads(c->npools) reduction(| : oom)
    {
        /* on the heap: 96 KB is much for a worker thread's stack */
        reason_memo *memo = calloc(1, sizeof *memo);
        if (memo)
            memo->pool = &c->reason_pool[omp_get_thread_num()];
        oom |= !memo;
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            c->rank[i] = ctx->rank[i];
            c->tier[i] = model_tier_name((model_tier)ctx->tier[i]);
            c->on_list[i] = ctx->list_rank[i] > 0;
            c->list_rank[i] = ctx->list_rank[i] > 0 ? ctx->list_rank[i] : NAN;
            if (ctx->visit.last_visit[i] != GEO_DATE_MISSING)
                c->visit_outcome[i] = ctx->visit.last_failed[i] ? "failed" : "completed";
            for (int k = 0; k < MODEL_REASONS; k++) {
                int32_t fcol = ctx->points.reason_feature[i * MODEL_REASONS + k];
                c->reason[k][i] = NULL;
                if (fcol < 0 || !memo)
                    continue;
                c->reason[k][i] = reason_text(memo, ctx, fcol, ctx->feats.values[(size_t)fcol * n + i], y);
                oom |= !c->reason[k][i];
            }
        }
        free(memo);
    }
    if (oom)
        return fr_error_oom_while(err, "preparing outputs: the reason texts");
    for (size_t z = 0; z < nz; z++) {
        c->zone_label[z] = malloc(m * sizeof **c->zone_label);
        if (!c->zone_label[z])
            return fr_error_oom_while(err, "preparing outputs");
        const geo_layer *zl = ctx->zones[z];
        for (size_t i = 0; i < n; i++)
            c->zone_label[z][i] = ctx->zone_of[z][i] >= 0 ? zl->cols[0].str[ctx->zone_of[z][i]] : NULL;
    }
    if (ctx->bgs && geo_layer_find_column(ctx->bgs, "geoid") >= 0) {
        int gc = geo_layer_find_column(ctx->bgs, "geoid");
        c->block_group = malloc(m * sizeof *c->block_group);
        if (!c->block_group)
            return fr_error_oom_while(err, "preparing outputs");
        for (size_t i = 0; i < n; i++)
            c->block_group[i] = ctx->bg_of[i] >= 0 ? ctx->bgs->cols[gc].str[ctx->bg_of[i]] : NULL;
    }
    int dc = model_features_find(&ctx->feats, "insp_days_since");
    if (dc >= 0) {
        /* The date itself, as a Date column (a .dbf D field, a GeoPackage
         * DATE, an ISO date in GeoJSON and CSV) for filtering in QGIS. */
        const double *days = ctx->feats.values + (size_t)dc * n;
        c->last_insp = malloc(m * sizeof *c->last_insp);
        if (!c->last_insp)
            return fr_error_oom_while(err, "preparing outputs");
        for (size_t i = 0; i < n; i++)
            c->last_insp[i] = isnan(days[i]) ? GEO_DATE_MISSING : ctx->as_of - (int32_t)days[i];
    }
    return target_lonlat(ctx, c, target_rows, ntarget_rows, err);
}

/* The target list's fields in every format: on_list, list_rank, and with
 * the revisit rule (inspections or visits) last_visit and visit_outcome, so
 * that a held-back home (ranked, not on the list) shows why. */
static fr_status list_fields(run_ctx *ctx, out_columns *c, field_list *fl, fr_error *err)
{
    size_t n = ctx->parcels->count;
    geo_out_field *f;
    if (!(f = add_field(fl, "on_list", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = c->on_list;
    f->is_integer = 1;
    f->width = 4;
    if (!(f = add_field(fl, "list_rank", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = c->list_rank;
    f->is_integer = 1;
    f->width = integer_width(c->list_rank, n);
    if (!ctx->sum->visit_rule)
        return FR_OK;
    if (!(f = add_field(fl, "last_visit", GEO_COL_DATE, err)))
        return err->status;
    f->date = ctx->visit.last_visit;
    if (!(f = add_field(fl, "visit_outcome", GEO_COL_STRING, err)))
        return err->status;
    f->str = c->visit_outcome;
    return FR_OK;
}

/* Fields of the ranked layers (GeoJSON, Shapefile): everything an analyst
 * may want to colour or filter by. */
static fr_status ranked_fields(run_ctx *ctx, out_columns *c, field_list *fl, fr_error *err)
{
    geo_layer *p = ctx->parcels;
    geo_out_field *f;
    fr_status st;
    if (!(f = add_field(fl, "rank", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = c->rank;
    f->is_integer = 1;
    f->width = integer_width(c->rank, p->count);
    if (!(f = add_field(fl, "parcel_id", GEO_COL_STRING, err)))
        return err->status;
    f->str = (const char *const *)p->cols[geo_layer_find_column(p, "parcel_id")].str;
    int ac = geo_layer_find_column(p, "address");
    if (ac >= 0) {
        if (!(f = add_field(fl, "address", GEO_COL_STRING, err)))
            return err->status;
        f->str = (const char *const *)p->cols[ac].str;
    }
    if (!(f = add_field(fl, "score", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = ctx->points.score;
    f->width = 12;
    f->precision = 8;
    if (!(f = add_field(fl, "tier", GEO_COL_STRING, err)))
        return err->status;
    f->str = c->tier;
    if ((st = list_fields(ctx, c, fl, err)) != FR_OK)
        return st;
    static const char *const reason_names[MODEL_REASONS] = {"reason_1", "reason_2", "reason_3"};
    for (int k = 0; k < MODEL_REASONS; k++) {
        if (!(f = add_field(fl, reason_names[k], GEO_COL_STRING, err)))
            return err->status;
        f->str = c->reason[k];
    }
    for (size_t z = 0; z < ctx->cfg.layers.nzones; z++) {
        if (!(f = add_field(fl, ctx->cfg.layers.zones[z].role, GEO_COL_STRING, err)))
            return err->status;
        f->str = c->zone_label[z];
    }
    if (c->block_group) {
        if (!(f = add_field(fl, "block_group", GEO_COL_STRING, err)))
            return err->status;
        f->str = c->block_group;
    }
    int lc = geo_layer_find_column(p, "land_use");
    if (lc >= 0) {
        if (!(f = add_field(fl, "land_use", GEO_COL_STRING, err)))
            return err->status;
        f->str = (const char *const *)p->cols[lc].str;
    }
    for (size_t k = 0; k < ctx->feats.nfeatures; k++) {
        if (!(f = add_field(fl, ctx->feats.names[k], GEO_COL_NUMBER, err)))
            return err->status;
        f->num = ctx->feats.values + k * p->count;
        f->is_integer = all_integral(f->num, p->count);
        if (f->is_integer)
            f->width = integer_width(f->num, p->count);
        else {
            f->width = 18;
            f->precision = 6;
        }
    }
    if (c->last_insp) {
        if (!(f = add_field(fl, "last_inspection", GEO_COL_DATE, err)))
            return err->status;
        f->date = c->last_insp;
    }
    bind_short_names(fl);
    return FR_OK;
}

/* Fields of the inspection target list: what an inspector needs on a line. */
static fr_status target_fields(run_ctx *ctx, out_columns *c, field_list *fl, fr_error *err)
{
    geo_layer *p = ctx->parcels;
    geo_out_field *f;
    fr_status st;
    if (!(f = add_field(fl, "rank", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = c->rank;
    f->is_integer = 1;
    if (!(f = add_field(fl, "parcel_id", GEO_COL_STRING, err)))
        return err->status;
    f->str = (const char *const *)p->cols[geo_layer_find_column(p, "parcel_id")].str;
    int ac = geo_layer_find_column(p, "address");
    if (!(f = add_field(fl, "address", GEO_COL_STRING, err)))
        return err->status;
    /* Always present on the inspector's list, empty when not mapped. */
    f->str = ac >= 0 ? (const char *const *)p->cols[ac].str : c->empty;
    if (!(f = add_field(fl, "score", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = ctx->points.score;
    if (!(f = add_field(fl, "tier", GEO_COL_STRING, err)))
        return err->status;
    f->str = c->tier;
    if ((st = list_fields(ctx, c, fl, err)) != FR_OK)
        return st;
    for (size_t z = 0; z < ctx->cfg.layers.nzones; z++) {
        if (!(f = add_field(fl, ctx->cfg.layers.zones[z].role, GEO_COL_STRING, err)))
            return err->status;
        f->str = c->zone_label[z];
    }
    static const char *const reason_names[MODEL_REASONS] = {"reason_1", "reason_2", "reason_3"};
    for (int k = 0; k < MODEL_REASONS; k++) {
        if (!(f = add_field(fl, reason_names[k], GEO_COL_STRING, err)))
            return err->status;
        f->str = c->reason[k];
    }
    int dc = model_features_find(&ctx->feats, "insp_days_since");
    if (dc >= 0) {
        if (!(f = add_field(fl, "insp_days_since", GEO_COL_NUMBER, err)))
            return err->status;
        f->num = ctx->feats.values + (size_t)dc * p->count;
        f->is_integer = 1;
    }
    if (c->last_insp) {
        if (!(f = add_field(fl, "last_inspection", GEO_COL_DATE, err)))
            return err->status;
        f->date = c->last_insp;
    }
    if (!(f = add_field(fl, "lon", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = c->lon;
    if (!(f = add_field(fl, "lat", GEO_COL_NUMBER, err)))
        return err->status;
    f->num = c->lat;
    bind_short_names(fl);
    return FR_OK;
}

static fr_status write_summary_file(run_ctx *ctx, const char *path, fr_error *err)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write %s: %s", path, strerror(errno));
    fr_summary_print(ctx->sum, fp);
    if (fclose(fp) != 0)
        return fr_error_set(err, FR_E_OUTPUT, "cannot write %s: %s", path, strerror(errno));
    return FR_OK;
}

/* The map layers from the ranked table with its values moved into rank
 * order first (out_rows.h): each writer then reads ~45 columns
 * sequentially instead of at random; the geometry stays in parcel order.
 * Nothing else runs meanwhile but the layers' jobs (run_layer_jobs.c):
 * the GeoPackage's other tables, the rejects and the run's metadata are
 * not among those columns, and matches.csv, which prints parcel ids, gets
 * a copy of them in parcel order.  The columns are moved back into parcel
 * order for the target list, the changes and the report before this
 * returns, also after a failed write.  Memory: one column per thread of
 * scratch, freed before the writers start, and the ids' copy (8 bytes a
 * parcel). */
static fr_status write_in_row_order(run_ctx *ctx, const geo_out_table *ranked, int gdal, const char *dir,
                                    run_side_tables *side, fr_error *err)
{
    size_t n = ctx->parcels->count;
    int pc = geo_layer_find_column(ctx->parcels, "parcel_id");
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids)
        return fr_error_oom_while(err, "writing matches.csv");
    memcpy(ids, ctx->parcels->cols[pc].str, n * sizeof *ids);
    side->parcel_id = ids;
    geo_out_table rows = *ranked;
    fr_status st = geo_out_table_values_to_rows(&rows, err);
    if (st != FR_OK) {
        free(ids);
        return st;
    }
    geo_out_table_hugepages(&rows); /* the geometry: still read at random (out_table.h) */
    st = run_write_layer_jobs(ctx, &rows, gdal, dir, side, err);
    free(ids);
    side->parcel_id = NULL;
    fr_error back_err = {0};
    fr_status back = geo_out_table_values_to_parcels(&rows, &back_err);
    if (st == FR_OK && back != FR_OK)
        *err = back_err, st = back;
    return st;
}

/* The tables beside the map layers: targets.csv (the rows of *target_table,
 * which the report and the changes use afterwards) and the zone targets,
 * then the statuses of rejects.csv and matches.csv (written beside the map
 * layers) in that order. */
static fr_status write_tables(run_ctx *ctx, geo_out_table *target_table, const char *dir,
                              const run_side_tables *side, fr_error *err)
{
    char path[4200];
    fr_progress_item(ctx->opt ? ctx->opt->progress : NULL, "targets...");
    snprintf(path, sizeof path, "%s/targets.csv", dir);
    fr_status st = geo_write_csv(target_table, path, err);
    ctx->sum->targets_written = target_table->nrows;
    ctx->sum->parcels_written = ctx->parcels->count;
    if (st == FR_OK) /* the same rows sorted by zone (run_extras.c) */
        st = run_extras_zone_targets(ctx, target_table, dir, err);
    if (st == FR_OK && (st = side->rejects_st) != FR_OK)
        *err = side->rejects_err;
    if (st == FR_OK && (st = side->matches_st) != FR_OK)
        *err = side->matches_err;
    return st;
}

/* list_rank of every parcel, and the held-back homes the list passed over
 * (ranked above its last row) for the summary. */
static fr_status mark_list(run_ctx *ctx, const size_t *rows, size_t nrows, fr_error *err)
{
    size_t n = ctx->parcels->count;
    ctx->list_rank = calloc(n ? n : 1, sizeof *ctx->list_rank);
    if (!ctx->list_rank)
        return fr_error_oom_while(err, "marking the target list");
    for (size_t r = 0; r < nrows; r++)
        ctx->list_rank[rows[r]] = (int32_t)(r + 1);
    int32_t last = nrows ? ctx->rank[rows[nrows - 1]] : 0;
    for (size_t i = 0; i < n; i++)
        ctx->sum->held_back_skipped += ctx->visit.held_back[i] && ctx->rank[i] < last;
    return FR_OK;
}

fr_status run_write_outputs(run_ctx *ctx, fr_error *err)
{
    double write_started = fr_clock_seconds();
    out_columns cols;
    memset(&cols, 0, sizeof cols);
    field_list ranked = {0}, targets = {0};
    size_t *target_rows = NULL, ntarget_rows = 0;
    int gdal = !strcmp(ctx->cfg.output.writer, "gdal");
    /* The target list first: every format says who is on it (list_rank).
     * The first target_list_size by rank, passing over homes visited
     * within their revisit window, or fewer per zone with
     * output.capacity_per_zone (run_extras.c). */
    fr_status st = run_extras_target_rows(ctx, &target_rows, &ntarget_rows, err);
    if (st == FR_OK)
        st = mark_list(ctx, target_rows, ntarget_rows, err);
    fr_changes ch = {0}; /* changes.csv: before the columns, see run_extras_changes */
    if (st == FR_OK)
        st = run_extras_changes(ctx, target_rows, ntarget_rows, &ch, err);
    /* The features' inputs (the parcels' spatial index among them) have
     * served their last use, the features as of the previous run's day for
     * the changes (released any earlier, the "then" side of changes.csv
     * came out wrong, docs/PROFILE.md stop 35), unless the run released
     * them after the features stage already (run.c): freed before the
     * columns and the writers claim their memory, which then reuses its
     * pages.  Why it matters: on a VM that hands free memory back to its
     * host, a page new to the process costs 1.5-10 us to clear
     * (docs/PROFILE.md, stop 31). */
    run_release_feature_inputs(ctx);
    if (st == FR_OK)
        st = build_columns(ctx, &cols, target_rows, ntarget_rows, err);
    if (st == FR_OK)
        st = ranked_fields(ctx, &cols, &ranked, err);
    if (st == FR_OK)
        st = target_fields(ctx, &cols, &targets, err);
    /* The staging directory beside the output directory (run_guard.c,
     * outdir.c): published as a whole after the manifest, or removed. */
    const char *staging = NULL;
    if (st == FR_OK)
        st = run_guard_staging(ctx, &staging, err);
    char as_of[11];
    fr_format_date(ctx->as_of, as_of);
    geo_out_table ranked_table = {.parcels = ctx->parcels, .order = ctx->order, .nrows = ctx->parcels->count,
                                  .fields = ranked.f, .nfields = ranked.n, .layer_name = "ranked_parcels",
                                  .dbf_date = as_of, .coordinate_precision = ctx->cfg.output.coordinate_precision,
                                  .buffered_io = !ctx->cfg.output.direct_io};
    /* The GeoJSON's vertices are reprojected to lon/lat by the threads that
     * format its chunks (write_geojson.c), not into arrays of every vertex
     * beforehand: 112 MB less at the write stage's peak for 1M parcels. */
    run_side_tables side = {0};
    if (st == FR_OK)
        st = write_in_row_order(ctx, &ranked_table, gdal, staging, &side, err);
    geo_out_table target_table = ranked_table;
    if (st == FR_OK) {
        target_table.fields = targets.f;
        target_table.nfields = targets.n;
        target_table.order = target_rows;
        target_table.nrows = ntarget_rows;
        st = write_tables(ctx, &target_table, staging, &side, err);
    }
    /* The .qml style, changes.csv and report.html (run_extras.c). */
    if (st == FR_OK)
        st = run_extras_finish(ctx, staging, &target_table, &ch, write_started, err);
    /* The analyst's GeoPackage or PostGIS tables (run_publish.c), then the
     * staged files hashed for the manifest and flushed to disk: publishing's
     * long part, counted in this stage (a held run publishes nothing, so it
     * skips the flush). */
    if (st == FR_OK)
        st = run_publish_named(ctx, err);
    if (st == FR_OK && !(ctx->sum->checks.nfailed && !(ctx->opt && ctx->opt->accept)))
        st = run_guard_flush(ctx, err);
    /* run_summary.txt last, with the write stage's time up to it: the
     * figures stderr prints afterwards (fr_run keeps them); what follows
     * (the summary, the manifest, the swap) takes milliseconds. */
    if (st == FR_OK) {
        char path[4200];
        ctx->sum->seconds[FR_STAGE_WRITE] = fr_clock_seconds() - write_started;
        snprintf(path, sizeof path, "%s/run_summary.txt", staging);
        st = write_summary_file(ctx, path, err);
    }
    fr_changes_free(&ch);
    free(target_rows);
    free(ranked.f);
    free(ranked.shorts);
    free(targets.f);
    free(targets.shorts);
    free_columns(&cols, ctx->cfg.layers.nzones);
    return st;
}
