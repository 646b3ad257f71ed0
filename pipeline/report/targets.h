/*
 * targets.h — which parcels make the inspection target list: the first
 * `output.target_list_size` by rank, optionally at most so many per zone
 * (`output.capacity_per_zone`: a battalion that can make 50 visits a night
 * gets 50 rows, the next parcels in rank order go to the others).
 */
#ifndef FR_TARGETS_H
#define FR_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define FR_NO_LIMIT (-1L)

typedef struct {
    const int32_t *zone_of;          /* per parcel: feature of the zone layer, -1 = in no zone */
    const char *const *zone_label;   /* per zone feature: its label; NULL = none */
    size_t nzone_features;
    long default_limit;              /* per label not listed below (and for "no zone"); FR_NO_LIMIT */
    const char *const *limit_label;  /* labels with their own limit */
    const long *limit;
    size_t nlimits;
} fr_capacity;

/* Walks order[0 .. n-1] (parcel indexes in rank order) and keeps a parcel
 * unless it is held back (held_back[i] != 0: visited within its revisit
 * window; held_back NULL: none is) or its zone label has already reached
 * its limit (cap NULL: no limits), until max_rows are kept.  Parcels outside every zone, or in a
 * zone without a label, share one group with the default limit.  Zone
 * features with equal labels share one limit.  out needs room for
 * min(n, max_rows) indexes; *nout is how many were kept. */
fr_status fr_targets_select(const size_t *order, size_t n, size_t max_rows, const uint8_t *held_back,
                            const fr_capacity *cap, size_t *out, size_t *nout, fr_error *err);

#endif
