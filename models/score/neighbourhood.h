/*
 * neighbourhood.h — neighbourhood fire history at several scales: fires and
 * calls within each of a list of radii, and a time-decayed Gaussian kernel
 * density of the fires (docs/FEATURES.md).
 *
 * On real data the fires near a home carry most of the signal, and one
 * radius with hard windows (fires_near_*) carries less of it than several
 * scales and a smooth kernel do (issue 13: a 250 m kernel of earlier fires
 * ranked a city's homes at 0.68 AUC where the models reached 0.62-0.64).
 *
 * Distances are between points: the parcel's representative point and the
 * incident's point, in the working CRS (metres).  The incidents are put in
 * a uniform grid of cells once; each parcel then visits the cells around
 * it, in parallel (every parcel's sums run in one fixed order, so the
 * values are the same at any thread count).
 */
#ifndef MODEL_NEIGHBOURHOOD_H
#define MODEL_NEIGHBOURHOOD_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MODEL_MAX_SCALES 8

typedef struct {
    size_t nradii;
    double radii_m[MODEL_MAX_SCALES];      /* fires_<r>m_5y and calls_<r>m_3y */
    size_t nbandwidths;
    double bandwidths_m[MODEL_MAX_SCALES]; /* fire_kernel_<b>m */
    double half_life_days;                 /* the kernel's weight halves every half_life days */
} model_scales;

/* The incidents as points (NAN x: no point, skipped), with their date and
 * whether a qualifying fire. */
typedef struct {
    size_t n;
    const double *x, *y;
    const int32_t *date;
    const uint8_t *is_fire;
} model_incident_points;

/* The column names, in the order model_neighbourhood_fill writes them:
 * fires_<r>m_5y for each radius, calls_<r>m_3y for each radius,
 * fire_kernel_<b>m for each bandwidth (r, b as whole metres).  names[k]
 * has room for 32 characters.  Returns the count. */
size_t model_neighbourhood_names(const model_scales *s, char names[][32]);

/* Fills the columns (cols[k] each nparcels long) as of as_of: counts of
 * fires in [as_of - 5 years, as_of) and of calls (any incident) in
 * [as_of - 3 years, as_of) within each radius of the parcel's point
 * (px, py; NAN: the parcel's values are missing), and for each bandwidth
 * b the sum over the fires of the past 5 years within 3 b of
 * exp(-d^2 / (2 b^2)) * 2^(-age_days / half_life_days). */
fr_status model_neighbourhood_fill(const model_scales *s, const double *px, const double *py, size_t nparcels,
                                   const model_incident_points *inc, int32_t as_of, double *const *cols,
                                   fr_error *err);

#endif
