/*
 * run_internal.h — the state of one `firerisk run`, shared by the stage
 * files of pipeline/ (run.c, run_inputs.c, run_outputs.c).  Not a public
 * interface.
 *
 * Ownership: run_ctx owns everything it points to; run_ctx_free() releases
 * it all.
 */
#ifndef FR_RUN_INTERNAL_H
#define FR_RUN_INTERNAL_H

#include "config.h"
#include "feature_table.h"
#include "filehash.h"
#include "join.h"
#include "layer.h"
#include "points.h"
#include "read.h"
#include "rejects.h"
#include "run.h"
#include "study_area.h"
#include "write.h"

enum { LAYER_PARCELS, LAYER_INSPECTIONS, LAYER_INCIDENTS, LAYER_STATIONS, LAYER_BLOCK_GROUPS, LAYER_ADDRESSES,
       LAYER_VISITS, LAYER_ZONES };

/* The revisit rule's decision for every parcel (run_visits.c). */
typedef struct {
    int32_t *last_visit;           /* date of the last visit on or before as_of (inspection or visit), or
                                      GEO_DATE_MISSING */
    uint8_t *last_failed;          /* that visit failed (a failed inspection, a failed visit outcome) */
    uint8_t *held_back;            /* 1: visited within the revisit window, left off the target list */
    int64_t *last_record;          /* the record of that visit: index into insp (>= 0) or -(visit index) - 1 */
} run_visit_rule;

typedef struct {
    fr_config cfg;
    int32_t as_of;
    char *working_wkt;
    char *out_dir;

    geo_layer *parcels, *insp, *inc, *stations, *bgs, *visits;
    geo_layer **zones;             /* cfg.layers.nzones */
    geo_rejects rejects, warnings;

    geo_id_index *ids;
    geo_id_index *ids_exact; /* the duplicates check's index of the exact ids, until the join completes it */
    geo_parcel_index *pix;
    geo_match *insp_match, *inc_match, *visit_match;
    geo_address_index *addr;       /* parcels by address, built when a layer joins by address */
    geo_layer *addrlist;           /* layers.addresses: the master address list, or NULL */
    geo_address_index *known;      /* its addresses indexed (with the parcels' index), or NULL */
    uint8_t *inc_is_fire;
    int8_t *insp_failed;

    int skip_scales;               /* no neighbourhood history at several scales (run_scales_needed) */
    double *rx, *ry;               /* representative point of each parcel (working CRS) */
    uint32_t *near;                /* fires within radius, by window bucket */
    double *station_dist;
    int32_t *bg_of;                /* block group of each parcel, -1 none */
    int32_t **zone_of;             /* per zone layer: zone index of each parcel */
    int32_t *location;             /* homes with the same number share a point (run_colocated.c) */
    char **context_names;          /* "bg_<attr>" */
    double **context_values;
    size_t ncontext;

    model_features feats;
    const uint8_t *feature_rows;   /* not owned; set: only these parcels' scale features (training's
                                      sample) */
    const uint8_t *rows_only;      /* not owned; set: only these parcels' features and neighbourhood
                                      counts, the rest zero (the rows changes.csv explains) */
    int feature_inputs_released;   /* run_release_feature_inputs ran: no feature can be made again */
    struct {                       /* the previous run's as_of, from the manifest it left in the output
                                      directory, read once (run_changes_previous) */
        int read, found;
        int32_t day;
        char text[11];
    } previous;
    model_points_result points;
    model_points_term *terms;
    size_t nterms;

    size_t *order;
    int32_t *rank;
    uint8_t *tier;

    run_visit_rule visit;          /* who is due a visit (run_visits.c) */
    int32_t *list_rank;            /* per parcel: row of the target list (1-based), 0 = not on it */

    fr_run_summary *sum;
    const fr_run_options *opt;
    const struct fr_log *log;      /* opt->log: warnings and progress (may be NULL) */
    struct run_guard *guard;       /* lock, staging, input hashes, manifest (run_guard.c) */
    fr_file_digest digests[8];     /* map layers and matches.csv hashed as their writers finished (run_layer_jobs.c) */
    size_t ndigests;
    struct {                       /* the parcels' median centre and extent, working CRS (run_study.c) */
        int ready;
        double cx, cy, half_m, extent[4];
    } study;
} run_ctx;

/* run_inputs.c: reads every configured layer into ctx, reprojected into the
 * working CRS, parcels de-duplicated. */
fr_status run_read_inputs(run_ctx *ctx, fr_error *err);

/* The duplicate-id check's index of the exact ids (ctx->ids_exact) made
 * ctx->ids, for geo_parcel_prepare to complete (or build anew when parcels
 * were dropped since); any earlier ctx->ids is freed. */
void run_ids_for_join(run_ctx *ctx);

/* run_outputs.c: writes the ranked outputs into ctx->out_dir atomically. */
fr_status run_write_outputs(run_ctx *ctx, fr_error *err);

/* The staged layers copied into output.named_geopackage and output.postgis,
 * when set (run_publish.c); before the output directory is swapped in. */
fr_status run_publish_named(run_ctx *ctx, fr_error *err);

/* run_guard.c: the output directory locked and checked, inputs listed
 * and hashed in the background (before reading); inputs re-checked after
 * reading; accounting checked, manifest written and the staging directory
 * swapped into place (after writing). */
fr_status run_guard_begin(run_ctx *ctx, fr_error *err);
void run_guard_after_read(run_ctx *ctx);
fr_status run_guard_staging(run_ctx *ctx, const char **dir, fr_error *err);
/* The long part of publishing, done at the end of the write stage so that
 * the stage's time counts it: every staged file hashed for the manifest
 * and flushed to disk (run_guard_publish then finds both done). */
fr_status run_guard_flush(run_ctx *ctx, fr_error *err);
fr_status run_guard_publish(run_ctx *ctx, fr_error *err);
const char *run_guard_out_path(const run_ctx *ctx);
void run_guard_free(run_ctx *ctx);

/* run.c: the join stage, and the features recomputed as of another date
 * (neighbourhood counts included), for train and backtest; releases all. */
fr_status run_join(run_ctx *ctx, fr_error *err);
/* The context of a run, match or train: zeroed, options, summary and
 * threads set, the configuration loaded. */
fr_status run_ctx_open(run_ctx *ctx, const fr_run_options *opt, fr_run_summary *summary, fr_error *err);
/* run.c: the features and score stages of `run` (for `explain`). */
fr_status run_features_and_score(run_ctx *ctx, fr_error *err);
/* The used and rejected totals per layer and the reject reasons of the summary. */
void run_account(run_ctx *ctx);
fr_status run_features_as_of(run_ctx *ctx, int32_t as_of, fr_error *err);
/* Releases what only the features read (stage_features, and
 * run_features_as_of for changes.csv's "then"): the parcels' spatial index
 * and envelopes, the record layers' points, the parcels' number fields,
 * the neighbourhood counts, the station distances, the locations and the
 * context columns; no feature can be computed afterwards
 * (ctx->feature_inputs_released).  `run` calls it as soon as their last
 * reader is done: right after the features stage when changes.csv needs no
 * "then" (run_changes_need_then), else in the write stage once the changes
 * are made.  What comes after (the score stage, the columns, the writers)
 * then reuses these pages.  Calling it again does nothing. */
void run_release_feature_inputs(run_ctx *ctx);
/* run_changes.c: 1 when the output directory holds a previous run as of
 * another day than ctx->as_of: then changes.csv's reasons recompute the
 * features as of that day (run_changes_explain), and their inputs must stay
 * until they have. */
int run_changes_need_then(run_ctx *ctx);
void run_ctx_free(run_ctx *ctx);

/* score_model.c: scoring with score.model_file when score.model is logistic
 * or gbdt (fills ctx->points like the points index), and the model and
 * backtest lines of the summary. */
int run_uses_model_file(const run_ctx *ctx);
fr_status run_score_model_file(run_ctx *ctx, fr_error *err);
void run_describe_model(run_ctx *ctx);

/* run_study.c: records outside the study area (join.study_area_km around
 * the parcels' median centre) are rejected; parcels in their source CRS
 * before the working CRS is chosen, point layers once in the working CRS
 * (src: their source coordinates, to spot lon/lat swapped). */
fr_status run_study_parcels(run_ctx *ctx, fr_error *err);
fr_status run_study_points(run_ctx *ctx, geo_layer *l, size_t counts_index, const geo_source_points *src,
                           fr_error *err);

/* run_explain.c: the phrase of a feature's value, as the outputs' reasons
 * and `firerisk explain` word it (model_explain with the run's as_of year
 * `year`, radius and the term's inversion). */
void run_reason_phrase(const run_ctx *ctx, const char *feature, double value, int year, char *buf, size_t size);

/* run_study.c: the error when no parcel is left, with the reasons they
 * were rejected (the run stops before rejects.csv could be written). */
fr_status run_no_parcels_error(run_ctx *ctx, fr_error *err);

/* run_match.c: matches a point layer (LAYER_INSPECTIONS or
 * LAYER_INCIDENTS) to the parcels with its join steps (layers.<role>.join),
 * counts the methods, rejects what stays unmatched and lists its most
 * frequent streets in the summary; and writes matches.csv. */
fr_status run_match_layer(run_ctx *ctx, geo_layer *l, size_t counts_index, geo_match **out, fr_error *err);

/* run_buildings.c: the records matched to a building (address_building)
 * counted for every home of it: in's inspection and incident arrays are
 * replaced by spread copies that s owns (one entry per record and parcel
 * of its building); unchanged when no record matched a building. */
typedef struct {
    int32_t *insp_parcel, *insp_date;
    int8_t *insp_failed;
    double *insp_violations;
    int32_t *inc_parcel, *inc_date;
    uint8_t *inc_is_fire;
} run_spread;
fr_status run_building_spread(const run_ctx *ctx, model_feature_input *in, run_spread *s, fr_error *err);
void run_spread_free(run_spread *s);
/* matches.csv; parcel_id: the parcels' ids in parcel order, NULL for
 * their column (which the write stage has in rank order meanwhile). */
fr_status run_write_matches(run_ctx *ctx, const char *const *parcel_id, const char *path,
                            const struct geo_out_tap *tap, int direct, fr_error *err);

/* run_layer_jobs.c: ranked_parcels.gpkg, .geojson and .shp (and its
 * sidecars) from table t (values in rank order) into dir, with rejects.csv
 * and matches.csv, as jobs that the run's threads take as they become free;
 * each map layer's files sealed (hashed for ctx->digests) by the thread
 * that finished them.  Returns the first failure of the map layers in the
 * order GeoJSON, Shapefile, GeoPackage (a Shapefile over 2 GB before any
 * file is written); the two tables' statuses go to *side, for the caller
 * to report after the target list's, as before they were jobs. */
typedef struct {
    const char *const *parcel_id; /* in: the parcel ids in parcel order, for matches.csv */
    fr_status rejects_st, matches_st;
    fr_error rejects_err, matches_err;
} run_side_tables;
fr_status run_write_layer_jobs(run_ctx *ctx, const geo_out_table *t, int gdal, const char *dir,
                               run_side_tables *side, fr_error *err);

/* run_checks.c: the quality gates, judged before the outputs are written
 * (so that the summary and the report explain them) against absolute
 * limits and the last published run's manifest; fills ctx->sum->checks
 * and logs the notable ones as warnings.  run_checks_hold: after writing,
 * when a check failed and --accept was not given: the run_held event, the
 * staging directory kept for inspection, FR_E_HELD. */
fr_status run_checks_judge(run_ctx *ctx, fr_error *err);
fr_status run_checks_hold(run_ctx *ctx, fr_error *err);

/* run_guard.c: keeps the staging directory of a held run beside the
 * target (its path in *kept) instead of publishing it. */
fr_status run_guard_hold(run_ctx *ctx, const char **kept, fr_error *err);

/* run_visits.c: visits whose outcome is in neither targets.done_outcomes
 * nor targets.failed_outcomes are rejected (unknown_outcome), after
 * reading; and the revisit rule (targets.revisit_after_days,
 * failed_revisit_days) over the matched inspections and visits, into
 * ctx->visit, with the held-back counts in the summary. */
fr_status run_visits_check_outcomes(run_ctx *ctx, fr_error *err);
fr_status run_visits_rule(run_ctx *ctx, fr_error *err);
/* The revisit rule, then the ranking (ctx->order, rank, tier; rank.h):
 * equal scores ordered by fires_parcel_5y, fires_near_5y, days since the
 * last visit (never visited first), parcel id. */
fr_status run_visits_rank(run_ctx *ctx, fr_error *err);
void run_visit_rule_free(run_visit_rule *v);
/* 1 when outcome is one of targets.failed_outcomes, 0 one of done_outcomes
 * (or NULL: no outcome mapped, the visit was made), -1 neither. */
int run_visit_outcome_failed(const run_ctx *ctx, const char *outcome);

/* run_record_ids.c: the record id (fields.record_id) and the address as
 * read on rejects.  run_tag_reject tags the last reject with record k of l;
 * run_ids_keep copies a layer's texts by feature id before a stage that
 * may reject and compact, run_ids_tag tags that layer's rejects from
 * index `from` on with them. */
typedef struct {
    int64_t fid;
    char *record_id, *address;
} run_id_copy;
typedef struct {
    run_id_copy *items;
    size_t n;
} run_id_copies;
fr_status run_tag_reject(run_ctx *ctx, const geo_layer *l, size_t k);
fr_status run_ids_keep(const geo_layer *l, run_id_copies *c, fr_error *err);
fr_status run_ids_tag(run_ctx *ctx, size_t from, const char *layer, const run_id_copies *c, fr_error *err);
void run_ids_free(run_id_copies *c);

/* run_plausible.c: features with values outside the sane range of their
 * kind, listed in ctx->sum->implausible. */
void run_check_plausible(run_ctx *ctx);

/* Counts of layer k in the summary (k: LAYER_* or LAYER_ZONES + i). */
fr_layer_counts *run_counts(run_ctx *ctx, size_t k);

/* The scales of the neighbourhood history (features.history_radii_m,
 * kernel_bandwidths_m, kernel_half_life_days) and the matched incidents as
 * points (run_scales.c); *xy holds their coordinates (caller frees). */
fr_status run_scales_input(const run_ctx *ctx, model_scales *s, model_incident_points *pts, double **xy,
                           fr_error *err);
/* Whether `run` needs those columns (output.neighbourhood_fields): always,
 * or in auto when the scoring model reads one of them (a score.weights
 * term naming one, a score.model_file whose features include one).  A
 * model file that cannot be read counts as needing them: scoring then says
 * why it cannot be read. */
int run_scales_needed(const run_ctx *ctx);

/* Parcel and block-group attributes as features (features.parcel_numeric,
 * parcel_categorical, block_group_numeric, block_group_categorical;
 * run_attributes.c): how many fields the parcels layer (block_groups 0) or
 * the block groups layer (1) reads for them, their read specs (logical
 * names "attr:<field>"), and after the join their columns appended to the
 * context columns: the numbers as read, and one 0/1 column per level of
 * each categorical field (models/score/categories.h); a block group's
 * columns are named bg_<field> and bg_<field>=<level>. */
size_t run_attribute_count(const fr_config *cfg, int block_groups);
#define RUN_MAX_ATTRIBUTES FR_MAX_ATTRIBUTES
void run_attribute_specs(const fr_config *cfg, int block_groups, geo_field_spec *specs);
fr_status run_attribute_context(run_ctx *ctx, fr_error *err);

/* Numbers the homes' locations: homes whose representative points agree
 * to the centimetre share one (ctx->location; -1 without a point). */
fr_status run_locations(run_ctx *ctx, fr_error *err);

#endif
