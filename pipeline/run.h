/*
 * run.h — `firerisk run`: ingest, join, features, score, write.
 *
 * fr_run() is the whole nightly job.  It touches the output directory only
 * after every stage before writing has succeeded, writes into a temporary
 * directory beside the outputs and renames the finished files into place,
 * so a failed run leaves the previous outputs as they were.
 */
#ifndef FR_RUN_H
#define FR_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

typedef struct {
    const char *config_path;
    const char *out_dir;    /* overrides output.dir; NULL = config or "out" */
    const char *as_of;      /* overrides as_of (YYYY-MM-DD); NULL = config or today */
    int threads;            /* 0 = OpenMP default */
} fr_run_options;

#define FR_MAX_LAYERS 16

typedef struct {
    char name[48];
    int present;
    size_t read;          /* features the source returned */
    size_t rejected_read; /* rejected while reading (geometry, values, CRS) */
    size_t duplicates;    /* parcels: rejected duplicate ids */
    size_t repaired;      /* invalid polygons repaired */
    size_t kept;          /* after reading and de-duplication */
    size_t by_id, by_contains, by_nearest; /* point layers: how records matched */
    size_t unmatched;     /* point layers: rejected for want of a parcel */
    size_t used;          /* records used by the run */
    size_t rejected;      /* all rejected records of the layer */
    size_t warnings;      /* records kept with a value treated as missing */
} fr_layer_counts;

typedef enum { FR_STAGE_READ, FR_STAGE_JOIN, FR_STAGE_FEATURES, FR_STAGE_SCORE, FR_STAGE_WRITE, FR_STAGE_COUNT } fr_stage;

typedef struct {
    fr_layer_counts layers[FR_MAX_LAYERS];
    size_t nlayers;
    double seconds[FR_STAGE_COUNT];
    char working_crs[128];  /* e.g. "EPSG:32616 (UTM zone of the parcels)" */
    char as_of[11];
    char out_dir[1024];
    size_t parcels_written;
    size_t targets_written;
    size_t total_rejects;
    char skipped_terms[512]; /* points-index terms without data */
    char reject_reasons[2048]; /* "layer reason count" lines */
} fr_run_summary;

fr_status fr_run(const fr_run_options *opt, fr_run_summary *summary, fr_error *err);

/* The summary as the one screen printed on stderr (and saved as
 * run_summary.txt). */
void fr_summary_print(const fr_run_summary *s, FILE *fp);

#endif
