/*
 * points.h — the transparent points index: the first model, readable by
 * anyone who reads the config.
 *
 *   term t contributes  w_t * clamp(x / cap_t, 0, 1)        (invert: w_t * (1 - clamp(x / cap_t, 0, 1)))
 *   score = sum of contributions / sum of w_t over the terms in use
 *
 * so the score lies in [0, 1].  A missing value (NAN) contributes 0.  A term
 * whose feature the data does not have is left out of the sum and of the
 * denominator, and reported back to the caller (the run summary lists it).
 * The terms' contributions are also the reasons shown for each parcel.
 */
#ifndef MODEL_POINTS_H
#define MODEL_POINTS_H

#include <stddef.h>
#include <stdint.h>

#include "feature_table.h"
#include "status.h"

typedef struct {
    const char *feature;
    double weight;
    double cap;
    int invert;
} model_points_term;

#define MODEL_REASONS 3

typedef struct {
    size_t nparcels;
    double *score;        /* [0, 1] */
    /* Top contributions per parcel, largest first: the feature column
     * index (-1 none), reason_feature[i * MODEL_REASONS + k].  The
     * contributions themselves are not kept: nothing reads them, and at 5M
     * parcels they were 120 MB (docs/PROFILE.md, stop 35); `explain` gives
     * one parcel's (model_points_explain). */
    int32_t *reason_feature;
    /* Terms left out because the table has no such feature (indexes into
     * the terms given). */
    size_t *skipped;
    size_t nskipped;
} model_points_result;

fr_status model_points_score(const model_features *f, const model_points_term *terms, size_t nterms,
                             model_points_result *out, fr_error *err);
void model_points_result_free(model_points_result *r);

/* One term of one parcel's score, for `firerisk explain`. */
typedef struct {
    int used;             /* 0: the data has no such feature (or weight/cap unusable): not in the score */
    double value;         /* the feature's value (NAN missing: contributes 0) */
    double scaled;        /* clamp(value / cap, 0, 1), or 1 minus it with invert */
    double points;        /* weight * scaled */
    double contribution;  /* points / the sum of the weights in use: the terms sum to the score */
} model_points_term_value;

/* The terms of parcel i exactly as model_points_score adds them: out has
 * nterms entries; *total_weight the denominator.  Fails like
 * model_points_score when no term is usable. */
fr_status model_points_explain(const model_features *f, const model_points_term *terms, size_t nterms, size_t i,
                               model_points_term_value *out, double *total_weight, fr_error *err);

#endif
