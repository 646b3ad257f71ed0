/*
 * feature_table.h — the per-parcel feature table, computed as of a reference
 * date from plain arrays (the joins' results), never from GDAL or GEOS.
 *
 * Leakage rule: a record dated on or after as_of never contributes; the
 * windows "past N years" are [as_of minus N calendar years, as_of).
 * Missing values are NAN and stay NAN: each model decides what missing
 * means (documented with the model).
 */
#ifndef MODEL_FEATURES_H
#define MODEL_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "neighbourhood.h"
#include "status.h"

/* Window buckets for records near a parcel: 0 = past year, 1 = 1-3 years
 * ago, 2 = 3-5 years ago; -1 = outside the 5 years or not before as_of. */
#define MODEL_WINDOW_BUCKETS 3
int model_window_bucket(int32_t date, int32_t as_of);

/* The same buckets with their first days worked out once, for loops over
 * many records (the calendar arithmetic of model_window_bucket costs more
 * than the rest of such a loop). */
typedef struct {
    int32_t as_of, past_1y, past_3y, past_5y; /* first day of each window */
} model_windows;
model_windows model_windows_at(int32_t as_of);
static inline int model_windows_bucket(const model_windows *w, int32_t date)
{
    if (date >= w->as_of || date < w->past_5y) /* FR_DATE_MISSING is below any real day */
        return -1;
    return date >= w->past_1y ? 0 : date >= w->past_3y ? 1 : 2;
}

typedef struct {
    size_t nparcels;
    int32_t as_of;

    /* Parcel attributes (nparcels each), NULL when the config maps no such field. */
    const double *year_built, *building_sqft, *units, *assessed_value, *vacant, *owner_occupied;

    /* Inspections: parcel index (-1 unmatched), date, failed (1 failed, 0
     * passed, -1 unknown), violations (NAN unknown; NULL not mapped). */
    size_t ninsp;
    const int32_t *insp_parcel, *insp_date;
    const int8_t *insp_failed;
    const double *insp_violations;
    int has_inspections;

    /* Incidents: parcel index (-1 unmatched), date, whether a qualifying fire. */
    size_t ninc;
    const int32_t *inc_parcel, *inc_date;
    const uint8_t *inc_is_fire;
    int has_incidents;

    /* Fires within the radius of each parcel by window bucket
     * (nparcels * MODEL_WINDOW_BUCKETS, parcel-major), or NULL. */
    const uint32_t *near_counts;

    const double *station_dist_m; /* or NULL */

    /* Neighbourhood history at several scales (neighbourhood.h): the
     * scales (NULL or none: no such columns), each parcel's point and the
     * incidents as points. */
    const model_scales *scales;
    const double *parcel_x, *parcel_y;
    model_incident_points inc_points;
    /* The parcels whose scale columns are wanted (nonzero), or NULL: all.
     * The others get NAN there.  These columns cost most of the table
     * (a kernel sum per fire near every home), and training keeps only a
     * sample of the non-fire rows: it asks for the rows it keeps. */
    const uint8_t *scales_only;

    /* The only parcels whose features are wanted (nonzero), or NULL: all.
     * Every column is then filled for these rows only; the others' values
     * are zero and their memory is never touched (the table is calloc'd,
     * not filled).  For changes.csv's "then", which reads a few hundred
     * rows of a table as of another day: at 5M parcels the whole table was
     * 640 MB of new memory and seconds of the nightly run.  The record
     * loops and the per-location sums still read every record, so each
     * wanted row's values are those the whole table would hold.  Implies
     * scales_only. */
    const uint8_t *rows_only;

    /* Co-located homes (apartments, condos stacked on one point or one
     * footprint): each home's location number (homes with the same number
     * share a point), or NULL.  When some location holds several homes:
     * homes_at_location, and fires_location_5y (fires matched to any home
     * of the location: a fire in the building is every unit's history). */
    const int32_t *location;

    /* Context attributes (e.g. of the block group), each nparcels long. */
    size_t ncontext;
    const char *const *context_names;
    const double *const *context_values;
} model_feature_input;

typedef struct {
    size_t nparcels, nfeatures;
    char **names;    /* owned */
    double *values;  /* column-major: values[f * nparcels + i]; owned */
} model_features;

/* Builds the table with every feature whose inputs exist.  The names are
 * documented in docs/FEATURES.md. */
fr_status model_features_build(const model_feature_input *in, model_features *out, fr_error *err);
void model_features_free(model_features *f);

/* Column index by name, or -1. */
int model_features_find(const model_features *f, const char *name);

#endif
