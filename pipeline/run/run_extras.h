/*
 * run_extras.h — the analyst outputs of the write stage, called by
 * run_outputs.c: the target list's rows (capacity per zone), the
 * GeoPackage (ranked parcels, rejects, run metadata, stored QGIS style),
 * the .qml style beside the GeoJSON and Shapefile, changes.csv (against
 * the previous run's targets.csv) and report.html.  Every file goes into
 * the staging directory `tmp` the write stage already uses.
 */
#ifndef FR_RUN_EXTRAS_H
#define FR_RUN_EXTRAS_H

#include <stddef.h>

#include "changes.h"
#include "zone_lists.h"
#include "run_internal.h"
#include "write.h"


/* The rows of the target list: parcel indexes in list order (the first
 * output.target_list_size by rank, at most output.capacity_per_zone per
 * zone label when configured).  *rows is the caller's to free. */
fr_status run_extras_target_rows(run_ctx *ctx, size_t **rows, size_t *nrows, fr_error *err);

/* Refuses, before any file is written, a Shapefile of nrows whose .shp or
 * .dbf (shp_bytes, dbf_bytes: geo_shapefile_parts_sizes) would pass the
 * format's 2 GB limit, naming the config key that turns it off (the writer
 * would refuse too, but only after the other files). */
fr_status run_extras_check_shapefile(uint64_t shp_bytes, uint64_t dbf_bytes, size_t nrows, fr_error *err);

/* ranked_parcels.gpkg at path: `ranked` is the table of the GeoJSON (long
 * names).  Reads ctx only, so it may run beside the other writers. */
fr_status run_extras_gpkg(const run_ctx *ctx, const geo_out_table *ranked, const char *path, fr_error *err);

/* changes.csv's rows: tonight's target list (rows, in list order) against
 * the previous run's targets.csv in the output directory, and why each
 * row entered or left (run_changes.c).  Called before the output columns
 * are built: a previous run of another as_of has its features recomputed
 * as of that date, a second feature table, which then meets the write
 * stage at its smallest.  The caller frees ch (fr_changes_free). */
fr_status run_extras_changes(run_ctx *ctx, const size_t *rows, size_t nrows, fr_changes *ch, fr_error *err);

/* In tmp: ranked_parcels.qml (when a GeoJSON or Shapefile is written and
 * output.style), changes.csv (ch, from run_extras_changes), and report.html
 * (output.report).  targets is the target list as written; write_started
 * is fr_clock_seconds() at the start of the write stage. */
fr_status run_extras_finish(run_ctx *ctx, const char *tmp, const geo_out_table *targets, const fr_changes *ch,
                            double write_started, fr_error *err);

/* The zone layer the per-zone lists and counts are by: the capacity zone
 * (output.capacity_per_zone.zone), else the first of layers.zones.
 * Returns 0 and fills *z, or -1 when no zone is configured. */
int run_extras_list_zone(const run_ctx *ctx, fr_zone_layer *z);

/* targets_by_zone.csv in dir (when a zone is configured): the rows of
 * targets (the target list as written) sorted by zone label, list order
 * within a label, with the columns `zone` (the label) and `zone_row` (the
 * row within that zone's list) before targets.csv's. */
fr_status run_extras_zone_targets(const run_ctx *ctx, const geo_out_table *targets, const char *dir,
                                  fr_error *err);

/* run_changes.c: the reason of every row of ch (changes.csv): the
 * features as of the previous run's date (recomputed; the run's own
 * features are left as they were), the revisit rule, the capacity zone.
 * rows: the target list's rows. */
fr_status run_changes_explain(run_ctx *ctx, const size_t *rows, size_t nrows, fr_changes *ch, fr_error *err);

#endif
