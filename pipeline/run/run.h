/*
 * run.h — `firerisk run`: ingest, join, features, score, write.
 *
 * fr_run() is the whole nightly job.  It locks the output directory first,
 * writes the new outputs into a directory beside it and swaps that in as a
 * whole only when every file (and the run manifest) is complete (outdir.h),
 * so a failed or killed run leaves the previous outputs as they were.
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
    const struct fr_log *log; /* warnings and progress events (log.h); NULL = none */
    struct fr_progress *progress; /* terminal progress bar (progress.h); NULL = none */
    int accept;             /* --accept: publish even when a quality check fails (recorded in the manifest) */
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
    size_t by_id_normalised;               /* point layers: by the normalised parcel id (fallback) */
    size_t by_address, by_address_near;    /* point layers: by address (exact, nearest house number) */
    size_t by_address_building;            /* of by_address: at a building's shared address */
    size_t unmatched;     /* point layers: rejected for want of a parcel */
    size_t used;          /* records used by the run */
    size_t rejected;      /* all rejected records of the layer */
    size_t warnings;      /* records kept with a value treated as missing */
    size_t recoded;       /* text values that were not UTF-8, recoded from Windows-1252 */
    int joined;           /* a point layer matched to the parcels (inspections, incidents, visits) */
} fr_layer_counts;

/* One quality check that failed or came close (run_checks.c): its stable
 * name ("parcel_count", "reject_share:incidents"...) and its figures. */
#define FR_MAX_CHECK_NOTES 64 /* more than the checks of a run can number (2 per layer of FR_MAX_LAYERS,
                                  6 methods x 2 point layers, and the rest): none is ever dropped */
typedef struct {
    char name[64];
    char text[448];
} fr_check_note;

typedef struct {
    int enabled;          /* checks.enabled */
    int compared;         /* a published run's manifest was found to compare with */
    int accepted;         /* failed, published anyway with --accept */
    size_t nfailed, nnotable;
    fr_check_note failed[FR_MAX_CHECK_NOTES];  /* beyond a limit: the run is held */
    fr_check_note notable[FR_MAX_CHECK_NOTES]; /* past half a limit: warning events */
} fr_check_results;

typedef enum { FR_STAGE_READ, FR_STAGE_JOIN, FR_STAGE_FEATURES, FR_STAGE_SCORE, FR_STAGE_WRITE, FR_STAGE_COUNT } fr_stage;

typedef struct {
    fr_layer_counts layers[FR_MAX_LAYERS];
    size_t nlayers;
    double seconds[FR_STAGE_COUNT];
    char working_crs[128];  /* e.g. "EPSG:32616 (UTM zone of the parcels)" */
    double homes_points_tolerance_m; /* > 0: the homes are points, matched within this (join.tolerance_m) */
    char as_of[11];
    char out_dir[1024];
    size_t parcels_written;
    size_t targets_written;
    int visit_rule;          /* the revisit rule ran (inspections or visits configured) */
    int revisit_after_days, failed_revisit_days;
    size_t held_back;        /* homes among the ranking left off the list as visited within the window */
    size_t held_back_failed; /* ... of which the last visit failed (the shorter window) */
    size_t held_back_skipped;/* held-back homes ranked above the last target (the list passed over them) */
    char implausible[1024];  /* "  feature  N parcels outside LO to HI unit (e.g. V)" lines (run_plausible.c) */
    size_t implausible_features;
    size_t total_rejects;
    char skipped_terms[512]; /* points-index terms without data */
    char model[512];         /* the model that scored: "points index" or the model file and its training */
    char backtest[1024];     /* headline of backtest.json in the output directory, or "" */
    char reject_reasons[2048]; /* "layer reason count" lines */
    char unmatched_streets[2048]; /* "layer  STREET (n), ..." lines: the most frequent streets
                                     of the records left unmatched (run_match.c) */
    int address_index_built;      /* a layer joined by address: the parcels' addresses were indexed */
    size_t addresses_indexed;     /* parcels whose address has a house number and a street */
    size_t addresses_unusable;    /* parcels whose address text lacks either (not matchable by address) */
    size_t addresses_sharing;     /* parcels whose address another parcel has too */
    size_t addresses_in_buildings; /* of those, parcels in a building (within join.tolerance_m) */
    size_t buildings;             /* buildings: addresses shared by parcels at one place */
    fr_check_results checks;      /* the quality gates (run_checks.c) */
} fr_run_summary;

fr_status fr_run(const fr_run_options *opt, fr_run_summary *summary, fr_error *err);

/* `firerisk match`: reads the layers and joins inspections and incidents to
 * the parcels as fr_run does, then writes matches.csv, rejects.csv and
 * match_summary.txt into opt->out_dir (default "match"), and nothing else
 * (run_match_only.c).  as_of and progress are not used. */
fr_status fr_match(const fr_run_options *opt, fr_run_summary *summary, fr_error *err);

/* The summary as the one screen printed on stderr (and saved as
 * run_summary.txt). */
void fr_summary_print(const fr_run_summary *s, FILE *fp);

/* The matching block of the summary: per point layer, the share of the
 * kept records matched by each method, and the streets most often left
 * unmatched (summary_match.c). */
void fr_summary_print_matching(const fr_run_summary *s, FILE *fp);

/* The quality checks' block of the summary: passed, or each failed and
 * notable check with its figures, and whether the run was held or accepted
 * (summary.c). */
void fr_summary_print_checks(const fr_run_summary *s, FILE *fp);

#endif
