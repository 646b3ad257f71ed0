/*
 * run_equity.h — the equity of the target list in a run (docs/EQUITY.md):
 * the proportional allocation of the list across block groups
 * (targets.allocation: proportional), and, per block group and per zone
 * layer, equity.csv, equity.gpkg (the block groups coloured by targets ÷
 * risk, styled for QGIS) and the report's equity section.
 */
#ifndef FR_RUN_EQUITY_H
#define FR_RUN_EQUITY_H

#include <stddef.h>

#include "run_internal.h"

/* The rows of a proportional list (parcel indexes in rank order); *rows is
 * the caller's to free.  Needs ctx->bg_of (layers.block_groups). */
fr_status run_equity_target_rows(run_ctx *ctx, size_t **rows, size_t *nrows, fr_error *err);

/* Writes equity.csv (and equity.gpkg with the block groups) into dir after
 * the target list is marked (ctx->list_rank), and returns the report's
 * equity section in *html (the caller frees; NULL when there is no area
 * layer: no block groups and no zones, and then no file is written). */
fr_status run_equity_write(run_ctx *ctx, const char *dir, char **html, fr_error *err);

/* The QGIS style of the equity layer: a graduated renderer on
 * targets_to_risk, classes cut at 1/ratio, 1 and ratio (the caller frees). */
fr_status run_equity_style_qml(double ratio, char **out, fr_error *err);

#define FR_EQUITY_STYLE_FIELD "targets_to_risk"

#endif
