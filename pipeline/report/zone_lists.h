/*
 * zone_lists.h — the target list per zone (battalion, district): counts per
 * zone label for the report (parcels, high tier, targets, homes held back
 * by the revisit rule), and the list's rows sorted by zone label for
 * targets_by_zone.csv, so that each battalion prints its own page.
 */
#ifndef FR_ZONE_LISTS_H
#define FR_ZONE_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    const char *name;                  /* the zone layer's name (its output column) */
    const int32_t *zone_of;            /* per parcel: zone feature, -1 = in no zone */
    const char *const *feature_label;  /* per zone feature: its label, NULL = none */
    size_t nfeatures;
} fr_zone_layer;

typedef struct {
    const char *label;                 /* NULL: parcels in no zone (or a zone without a label) */
    size_t parcels, high, targets, held_back;
} fr_zone_count;

/* Counts per distinct label of z over n parcels (tier[i] 0 = high;
 * list_rank[i] > 0 on the list; held_back may be NULL), sorted by label
 * (byte-wise), "no zone" last when any.  *out is the caller's to free. */
fr_status fr_zone_counts(const fr_zone_layer *z, size_t n, const uint8_t *tier, const int32_t *list_rank,
                         const uint8_t *held_back, fr_zone_count **out, size_t *nout, fr_error *err);

/* The label of parcel i (NULL: none). */
const char *fr_zone_label(const fr_zone_layer *z, size_t i);

/* rows[0..nrows-1] (the target list's parcels in list order) into sorted:
 * by label (byte-wise, no zone last), list order within a label; and
 * zone_row[parcel] = its row within its label's list (1-based).  zone_row
 * has one entry per parcel. */
fr_status fr_zone_sort_rows(const fr_zone_layer *z, const size_t *rows, size_t nrows, size_t *sorted,
                            double *zone_row, fr_error *err);

#endif
