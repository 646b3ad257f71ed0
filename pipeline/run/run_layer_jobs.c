/*
 * run_layer_jobs.c — the map layers (ranked_parcels.gpkg, .geojson, .shp
 * and its sidecars) and the tables that do not read the output columns
 * (rejects.csv, matches.csv) as a list of independent jobs, taken in a
 * fixed order of priority by the run's threads as they become free.
 *
 * Why a list and not one section per writer: with fixed sections, 2 threads
 * ran the GeoPackage on one and the GeoJSON then the whole Shapefile on the
 * other, and the GeoPackage's thread idled ~3 s at the end (1M parcels).
 * The Shapefile is now split (geo_shapefile_parts, write.h): its geometry
 * (.shp, .shx) is one job and its .dbf, the formatted fields and most of
 * its CPU, a job per range of rows, so whichever thread is free takes the
 * next piece.  The GeoPackage goes first (the longest, one thread: SQLite),
 * then the GeoJSON (with its nested team when threads > 3), the Shapefile's
 * geometry, the two CSVs, the .dbf's ranges last (short, so the threads
 * finish together).
 *
 * Every job runs to its end even when another failed, as the sections did:
 * which error is reported (the first in the fixed order GeoJSON, Shapefile,
 * GeoPackage, then rejects, matches after the target list's) cannot depend
 * on the threads' timing, and nothing is freed before every job is done
 * (the parallel region's end).  The bytes do not depend on who wrote which
 * job: each file is written start to end, the .dbf by its ranges in turn
 * (write.h).
 */
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filehash.h"
#include "out_buf.h"
#include "out_table.h"
#include "progress.h"
#include "run_extras.h"
#include "run_internal.h"
#include "write.h"

/* .dbf rows per job: about 16 ranges a file (short enough that two threads
 * finish together), a multiple of GEO_OUT_PROGRESS_ROWS so that every row
 * is told to the progress line once (write.h). */
#define DBF_RANGES 16

typedef enum {
    JOB_GPKG,
    JOB_GEOJSON,
    JOB_SHAPEFILE_GDAL, /* output.writer: gdal, the whole Shapefile through the driver */
    JOB_SHAPES,         /* .shp and .shx */
    JOB_DBF_ROWS,       /* rows k0 .. k1-1 of the .dbf */
    JOB_REJECTS,
    JOB_MATCHES,
} job_kind;

typedef struct {
    job_kind kind;
    size_t k0, k1;
    fr_status st;
    fr_error err;
} layer_job;

/* The rows of the map layers written so far, over all of them (the
 * writers run on their own threads and tell geo_out_table.rows_written). */
typedef struct {
    struct fr_progress *bar;
    size_t done, planned;
} rows_progress;

typedef struct {
    run_ctx *ctx;
    const geo_out_table *t;
    const char *dir;
    int gdal, geojson_team;
    geo_shapefile_parts *shp;
    int dbf_left; /* .dbf ranges not yet written */
    fr_status dbf_close_st;
    fr_error dbf_close_err;
    layer_job *jobs;
    size_t njobs;
    const char *const *parcel_id; /* for matches.csv: a copy in parcel order */
    char hashed[8][65]; /* by digest slot, "" if none: the digests taken as the files were written
                           (the GeoJSON, .shp, .shx, .dbf and matches.csv by digest_tap) */
} layer_pool;

static void rows_written(void *ud, size_t rows)
{
    rows_progress *p = ud;
    size_t now;
#pragma omp atomic capture
    now = p->done += rows;
    fr_progress_fraction(p->bar, p->planned ? (double)now / (double)p->planned : 1);
}

/* The files by digest slot: the map layers (0 the GeoPackage, 1 the
 * GeoJSON, 2-6 the Shapefile), then matches.csv (7), the one CSV that grows
 * with the records (180 MB at 5M parcels). */
#define MATCHES_SLOT 7
static const char *const slot_files[8] = {"ranked_parcels.gpkg", "ranked_parcels.geojson", "ranked_parcels.shp",
                                          "ranked_parcels.shx", "ranked_parcels.dbf", "ranked_parcels.prj",
                                          "ranked_parcels.cpg", "matches.csv"};
static const char *const *const gpkg_files = slot_files, *const *const geojson_files = slot_files + 1,
                                *const *const shp_files = slot_files + 2;

/* The GeoJSON, .shp, .shx, .dbf and matches.csv hashed from their bytes as
 * their writers write them (geo_out_tap, out_buf.h) instead of read back once
 * written: the GeoJSON's read-back was 1 GB (1M parcels), and with nothing
 * to read back the writers write past the page cache (out_direct.h). */
typedef struct {
    size_t slot;
    fr_sha256_pieces *sha;
} digest_tap_file;

static void *digest_tap_open(void *ud, const char *path)
{
    (void)ud;
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    static const size_t tapped[] = {1, 2, 3, 4, MATCHES_SLOT}; /* the GeoJSON, .shp, .shx, .dbf, matches.csv */
    for (size_t t = 0; t < sizeof tapped / sizeof *tapped; t++) {
        size_t s = tapped[t];
        if (strcmp(name, slot_files[s]))
            continue;
        digest_tap_file *f = malloc(sizeof *f);
        if (f && !(f->sha = fr_sha256_pieces_new())) {
            free(f);
            f = NULL;
        }
        if (f) /* else read back by seal_files */
            f->slot = s;
        return f;
    }
    return NULL;
}

static void digest_tap_bytes(void *state, const void *p, size_t n)
{
    digest_tap_file *f = state;
    fr_sha256_pieces_add_bytes(f->sha, p, n);
}

static void digest_tap_close(void *ud, void *state, const char *path, int whole)
{
    (void)path;
    layer_pool *pool = ud;
    digest_tap_file *f = state;
    if (whole)
        fr_sha256_pieces_end(f->sha, pool->hashed[f->slot]);
    else
        fr_sha256_pieces_free(f->sha);
    free(f);
}

/* A map layer's files (or matches.csv) once written, by the thread that finished them while
 * the other jobs still run: hashed for the manifest (ctx->digests from slot
 * on; the digest taken as the file was written, or read back here), handed
 * to the kernel's writeback without waiting for it, and let out of the page
 * cache as far as written back (geo_out_drop_cache: nobody reads them again
 * in this run; the pages still dirty stay).  Not an fsync: run_guard_flush
 * fsyncs every staged file before anything is published, and waiting here
 * (0.8 s for the GeoJSON of 1M parcels) held a thread the CPU work needed.
 * A failure here is left to publishing, which hashes every file it does not
 * find done. */
static void seal_files(layer_pool *pool, const char *const *names, size_t n, size_t slot)
{
    for (size_t k = 0; k < n; k++) {
        fr_file_digest *d = &pool->ctx->digests[slot + k];
        const char *hex = pool->hashed[slot + k][0] ? pool->hashed[slot + k] : NULL;
        /* the GeoPackage, written past the page cache, is read back past it too */
        int uncached = slot + k == 0 && !pool->t->buffered_io;
        if ((hex        ? fr_file_digest_known(pool->dir, names[k], hex, d)
             : uncached ? fr_file_digest_take_uncached(pool->dir, names[k], d)
                        : fr_file_digest_take(pool->dir, names[k], d)) != 0)
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", pool->dir, names[k]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            geo_out_writeback(fd, 0, 0);
            geo_out_drop_cache(fd, 0, 0);
            close(fd);
        }
    }
}

/* A .dbf range formatted: the last range to finish closes the file, and
 * seals it when every range was written. */
static void dbf_range_done(layer_pool *pool)
{
    int left;
#pragma omp atomic capture seq_cst
    left = --pool->dbf_left;
    if (left)
        return;
    int ok = 1;
    for (size_t j = 0; j < pool->njobs; j++)
        ok &= pool->jobs[j].kind != JOB_DBF_ROWS || pool->jobs[j].st == FR_OK;
    pool->dbf_close_st = geo_shapefile_parts_dbf_close(pool->shp, &pool->dbf_close_err);
    if (ok && pool->dbf_close_st == FR_OK)
        seal_files(pool, shp_files + 2, 1, 4);
}

static void run_job(layer_pool *pool, layer_job *job)
{
    run_ctx *ctx = pool->ctx;
    const geo_out_table *t = pool->t;
    char path[4200];
    switch (job->kind) {
    case JOB_GPKG:
        snprintf(path, sizeof path, "%s/ranked_parcels.gpkg", pool->dir);
        if ((job->st = run_extras_gpkg(ctx, t, path, &job->err)) == FR_OK)
            seal_files(pool, gpkg_files, 1, 0);
        break;
    case JOB_GEOJSON: {
        snprintf(path, sizeof path, "%s/ranked_parcels.geojson", pool->dir);
        int team = omp_get_max_threads();
        omp_set_num_threads(pool->geojson_team); /* its chunks' nested team */
        job->st = (pool->gdal ? geo_write_geojson_gdal : geo_write_geojson)(t, path, &job->err);
        omp_set_num_threads(team);
        if (job->st == FR_OK)
            seal_files(pool, geojson_files, 1, 1);
        break;
    }
    case JOB_SHAPEFILE_GDAL:
        snprintf(path, sizeof path, "%s/ranked_parcels.shp", pool->dir);
        if ((job->st = geo_write_shapefile_gdal(t, path, &job->err)) == FR_OK)
            seal_files(pool, shp_files, 5, 2);
        break;
    case JOB_SHAPES:
        if ((job->st = geo_shapefile_parts_shapes(pool->shp, &job->err)) == FR_OK)
            seal_files(pool, shp_files, 2, 2);
        break;
    case JOB_DBF_ROWS:
        job->st = geo_shapefile_parts_dbf_rows(pool->shp, job->k0, job->k1, &job->err);
        dbf_range_done(pool);
        break;
    case JOB_REJECTS:
        snprintf(path, sizeof path, "%s/rejects.csv", pool->dir);
        job->st = geo_write_rejects_csv(&ctx->rejects, path, &job->err);
        break;
    case JOB_MATCHES: /* the join audit (run_match.c) */
        snprintf(path, sizeof path, "%s/matches.csv", pool->dir);
        job->st = run_write_matches(ctx, pool->parcel_id, path, pool->t->tap, !pool->t->buffered_io, &job->err);
        if (job->st == FR_OK)
            seal_files(pool, slot_files + MATCHES_SLOT, 1, MATCHES_SLOT);
        break;
    }
}

static void add_job(layer_pool *pool, job_kind kind, size_t k0, size_t k1)
{
    pool->jobs[pool->njobs++] = (layer_job){.kind = kind, .k0 = k0, .k1 = k1};
}

/* The first failure among the jobs of kind in list order: its status, and
 * its error in *err. */
static fr_status first_failure(const layer_pool *pool, job_kind kind, fr_error *err)
{
    for (size_t j = 0; j < pool->njobs; j++)
        if (pool->jobs[j].kind == kind && pool->jobs[j].st != FR_OK) {
            *err = pool->jobs[j].err;
            return pool->jobs[j].st;
        }
    return FR_OK;
}

/* The Shapefile's status: its start (begin_st), its geometry, its .dbf's
 * ranges in row order, the .dbf's close. */
static fr_status shapefile_failure(const layer_pool *pool, fr_status begin_st, const fr_error *begin_err,
                                   fr_error *err)
{
    if (begin_st != FR_OK) {
        *err = *begin_err;
        return begin_st;
    }
    fr_status st = first_failure(pool, JOB_SHAPEFILE_GDAL, err);
    if (st == FR_OK)
        st = first_failure(pool, JOB_SHAPES, err);
    if (st == FR_OK)
        st = first_failure(pool, JOB_DBF_ROWS, err);
    if (st == FR_OK && (st = pool->dbf_close_st) != FR_OK)
        *err = pool->dbf_close_err;
    return st;
}

fr_status run_write_layer_jobs(run_ctx *ctx, const geo_out_table *t, int gdal, const char *dir,
                               run_side_tables *side, fr_error *err)
{
    const cfg_output *o = &ctx->cfg.output;
    layer_pool pool = {.ctx = ctx, .dir = dir, .gdal = gdal, .parcel_id = side->parcel_id};
    /* the progress line: the files, and the share of their features written */
    struct fr_progress *bar = ctx->opt ? ctx->opt->progress : NULL;
    rows_progress rp = {.bar = bar, .planned = (size_t)(o->geopackage + o->shapefile + o->geojson) * t->nrows};
    geo_out_table ranked = *t;
    const geo_out_tap tap = {digest_tap_open, digest_tap_bytes, digest_tap_close, &pool};
    ranked.tap = &tap;
    if (bar) {
        ranked.rows_written = rows_written;
        ranked.rows_written_ud = &rp;
    }
    pool.t = &ranked;
    fr_progress_item(bar, "ranked_parcels.*");
    fr_progress_fraction(bar, 0);
    memset(ctx->digests, 0, sizeof ctx->digests);
    ctx->ndigests = 8;

    /* The Shapefile's checks and .dbf layout before anything is written: a
     * Shapefile over the format's 2 GB stops the run with no output
     * (run_extras_check_shapefile). */
    fr_status st = FR_OK, begin_st = FR_OK;
    fr_error begin_err = {0};
    if (o->shapefile) {
        char path[4200];
        snprintf(path, sizeof path, "%s/ranked_parcels.shp", dir);
        uint64_t shp_bytes = 0, dbf_bytes = 0;
        st = geo_shapefile_parts_plan(&ranked, path, &pool.shp, err);
        if (st == FR_OK) {
            geo_shapefile_parts_sizes(pool.shp, &shp_bytes, &dbf_bytes);
            st = run_extras_check_shapefile(shp_bytes, dbf_bytes, t->nrows, err);
        }
        if (st != FR_OK) {
            geo_shapefile_parts_free(pool.shp);
            return st;
        }
        if (!gdal && (begin_st = geo_shapefile_parts_begin(pool.shp, &begin_err)) == FR_OK)
            seal_files(&pool, shp_files + 3, 2, 5);
    }
    size_t range = (t->nrows + DBF_RANGES - 1) / DBF_RANGES;
    range = (range + GEO_OUT_PROGRESS_ROWS - 1) / GEO_OUT_PROGRESS_ROWS * GEO_OUT_PROGRESS_ROWS;
    pool.jobs = calloc(DBF_RANGES + 8, sizeof *pool.jobs);
    if (!pool.jobs) {
        geo_shapefile_parts_free(pool.shp);
        return fr_error_oom_while(err, "writing the map layers");
    }
    const int shp_parts = o->shapefile && !gdal && begin_st == FR_OK; /* the geometry and .dbf ranges as jobs */
    if (o->geopackage)
        add_job(&pool, JOB_GPKG, 0, 0);
    if (o->geojson)
        add_job(&pool, JOB_GEOJSON, 0, 0);
    if (o->shapefile && gdal)
        add_job(&pool, JOB_SHAPEFILE_GDAL, 0, 0);
    if (shp_parts)
        add_job(&pool, JOB_SHAPES, 0, 0);
    /* the CSVs (matches.csv ~0.9 s on one thread at 1M) before the .dbf's
     * short ranges, which then even out the threads' ends */
    add_job(&pool, JOB_REJECTS, 0, 0);
    add_job(&pool, JOB_MATCHES, 0, 0);
    if (shp_parts) {
        size_t k0 = 0;
        do { /* one range at least: its end closes the .dbf */
            size_t k1 = t->nrows - k0 < range ? t->nrows : k0 + range;
            add_job(&pool, JOB_DBF_ROWS, k0, k1);
            pool.dbf_left++;
            k0 = k1;
        } while (k0 < t->nrows);
    }

    /* The run's threads and no more (--threads N): up to three take jobs,
     * and the GeoJSON's chunks are formatted by a nested team of the threads
     * the two others leave. */
    const int nth = omp_get_max_threads(), workers = nth < 3 ? nth : 3;
    pool.geojson_team = nth > 3 ? nth - 2 : 1;
    int levels = omp_get_max_active_levels();
    omp_set_max_active_levels(levels < 2 ? 2 : levels);
    size_t next = 0;
#pragma omp parallel num_threads(workers)
    for (;;) {
        size_t j;
#pragma omp atomic capture
        j = next++;
        if (j >= pool.njobs)
            break;
        run_job(&pool, &pool.jobs[j]);
    }
    omp_set_max_active_levels(levels);

    fr_error e1 = {0}, e2 = {0}, e3 = {0};
    fr_status s1 = first_failure(&pool, JOB_GEOJSON, &e1), s2 = shapefile_failure(&pool, begin_st, &begin_err, &e2),
              s3 = first_failure(&pool, JOB_GPKG, &e3);
    st = s1 != FR_OK ? s1 : s2 != FR_OK ? s2 : s3;
    if (st != FR_OK)
        *err = s1 != FR_OK ? e1 : s2 != FR_OK ? e2 : e3;
    side->rejects_st = first_failure(&pool, JOB_REJECTS, &side->rejects_err);
    side->matches_st = first_failure(&pool, JOB_MATCHES, &side->matches_err);
    free(pool.jobs);
    geo_shapefile_parts_free(pool.shp);
    return st;
}
