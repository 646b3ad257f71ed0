/*
 * logit.h — L2-regularised logistic regression, fitted by Newton's method
 * (IRLS) on standardised columns, deterministic at any thread count.
 *
 * Design columns, from each input feature x (statistics of the training
 * rows, unweighted):
 *   linear   z = (x - mean) / sd
 *   log1p    z = (log1p(max(x, 0)) - mean) / sd   when x >= 0 everywhere and max(x) > 1
 *            (counts, areas, distances: their effect flattens as they grow)
 *   missing  z = (m - share) / sqrt(share (1 - share)), m = 1 when x is missing,
 *            present when some but not all training values are missing
 * A missing x is imputed with the mean (its linear and log1p z are 0) and
 * the missing column says that it was missing.  A feature whose observed
 * values are constant has no linear or log1p column; a feature with no
 * column at all (constant and never missing, or always missing) is dropped
 * and listed in the fit's report.
 *
 * Objective: sum_i w_i logloss_i + l2/2 |beta|^2 (intercept not penalised),
 * w = class weights.  Sums over rows go into per-chunk partials (4096 rows
 * per chunk, fixed), added in chunk order: the same bits at any thread count.
 */
#ifndef MODEL_LOGIT_H
#define MODEL_LOGIT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "train_data.h"

typedef enum { MODEL_COL_LINEAR = 0, MODEL_COL_LOG1P = 1, MODEL_COL_MISSING = 2 } model_column_kind;

typedef struct {
    int32_t feature;          /* index into model_logit.names */
    model_column_kind kind;
    double center, scale;     /* z = (t(x) - center) / scale */
    double coef;
} model_logit_column;

typedef struct {
    size_t nfeatures;
    char **names;             /* owned */
    size_t ncolumns;
    model_logit_column *columns; /* owned */
    double intercept;
} model_logit;

typedef struct {
    double l2;                /* > 0 */
    int max_iterations;       /* Newton steps */
    double pos_weight, neg_weight; /* class weights */
    /* Per dataset feature (NULL: none): +1 the feature's linear and log1p
     * coefficients may not be negative, -1 not positive (its missing column
     * is free).  A column whose fitted coefficient breaks its sign is held
     * at 0 and the model refitted. */
    const int8_t *monotone;
    const uint8_t *use;       /* per dataset feature (NULL: all): 0 leaves it out of the model */
} model_logit_params;

typedef struct {
    int iterations;
    int converged;
    double objective;
    char dropped[1024];       /* "name (constant), name (all missing)" or "" */
} model_logit_report;

/* Fits on dataset rows `rows` (nrows of them).  *m is owned by the caller
 * afterwards (model_logit_free).  Fails with FR_E_INPUT when no feature is
 * usable or the rows hold a single class. */
fr_status model_logit_train(const model_dataset *d, const uint32_t *rows, size_t nrows, const model_logit_params *p,
                            model_logit *m, model_logit_report *report, fr_error *err);

/* Log-odds of one parcel; x holds the values of the model's features in the
 * model's order (NAN missing).  contrib (nfeatures, or NULL) receives each
 * feature's share: the sum of coef * z over its columns. */
double model_logit_raw(const model_logit *m, const double *x, double *contrib);

/* The transformed, standardised value of column c for x. */
double model_logit_z(const model_logit_column *c, double x);

void model_logit_free(model_logit *m);

#endif
