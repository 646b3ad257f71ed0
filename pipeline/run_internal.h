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
#include "join.h"
#include "layer.h"
#include "points.h"
#include "rejects.h"
#include "run.h"

enum { LAYER_PARCELS, LAYER_INSPECTIONS, LAYER_INCIDENTS, LAYER_STATIONS, LAYER_BLOCK_GROUPS, LAYER_ZONES };

typedef struct {
    fr_config cfg;
    int32_t as_of;
    char *working_wkt;
    char *out_dir;

    geo_layer *parcels, *insp, *inc, *stations, *bgs;
    geo_layer **zones;             /* cfg.nzones */
    geo_rejects rejects, warnings;

    geo_id_index *ids;
    geo_parcel_index *pix;
    geo_match *insp_match, *inc_match;
    uint8_t *inc_is_fire;
    int8_t *insp_failed;

    double *rx, *ry;               /* representative point of each parcel (working CRS) */
    uint32_t *near;                /* fires within radius, by window bucket */
    double *station_dist;
    int32_t *bg_of;                /* block group of each parcel, -1 none */
    int32_t **zone_of;             /* per zone layer: zone index of each parcel */
    char **context_names;          /* "bg_<attr>" */
    double **context_values;
    size_t ncontext;

    model_features feats;
    model_points_result points;
    model_points_term *terms;
    size_t nterms;

    size_t *order;
    int32_t *rank;
    uint8_t *tier;

    fr_run_summary *sum;
} run_ctx;

/* run_inputs.c: reads every configured layer into ctx, reprojected into the
 * working CRS, parcels de-duplicated. */
fr_status run_read_inputs(run_ctx *ctx, fr_error *err);

/* run_outputs.c: writes the ranked outputs into ctx->out_dir atomically. */
fr_status run_write_outputs(run_ctx *ctx, fr_error *err);

/* Counts of layer k in the summary (k: LAYER_* or LAYER_ZONES + i). */
fr_layer_counts *run_counts(run_ctx *ctx, size_t k);

#endif
