/*
 * train_model.h — a trained model (logistic or gbdt) with what it was trained on,
 * the fit procedure shared by both, and scoring with per-home reasons.
 *
 * The procedure (docs/MODELS.md): the dataset's last slice (the latest
 * cutoff) is the validation slice.  The model is first fitted on the
 * earlier slices whose label window ends by the validation window's start
 * (a gap of one horizon: with a 2-year horizon and yearly cutoffs the
 * slice just before would share a year of fires with it) and measured on
 * it; for gbdt this also picks the number of trees by early stopping,
 * unless the validation slice holds fewer than min_validation_fires fires
 * (then fallback_trees, with a warning).  Then it is fitted again on every
 * slice (gbdt with that number of trees) and that is the model kept.  Class weights
 * ("balanced": each class weighs half of the rows) are undone in the
 * intercept afterwards, log(w_pos / w_neg) subtracted, so the scores are
 * probabilities again.
 */
#ifndef MODEL_TRAIN_MODEL_H
#define MODEL_TRAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "feature_table.h"
#include "gbdt.h"
#include "logit.h"
#include "points.h"
#include "status.h"
#include "train_data.h"

typedef enum { MODEL_LOGISTIC = 1, MODEL_GBDT = 2 } model_kind;

/* "logistic" / "gbdt" (NULL otherwise), and back (0 when unknown). */
const char *model_kind_name(model_kind k);
model_kind model_kind_parse(const char *name);

typedef struct {
    model_kind kind;
    int balanced;             /* 1: balanced class weights; 0: positive_weight */
    double positive_weight;   /* weight of a fire row when not balanced (1 = none) */
    model_logit_params logit; /* class weights filled in by model_train */
    model_gbdt_params gbdt;   /* gbdt.monotone, gbdt.use as logit's */
    size_t min_validation_fires; /* fewer: no early stopping on the validation slice */
    int fallback_trees;          /* gbdt's trees then */
} model_train_params;

#define MODEL_MAX_CUTOFFS 64

typedef struct {
    /* Set by the caller (the pipeline) before writing the file. */
    char as_of[11];           /* the training date: every label ends by it */
    char horizon[16];
    size_t ncutoffs;
    char cutoffs[MODEL_MAX_CUTOFFS][11]; /* oldest first; the last is the validation slice */
    char cutoff_note[400];    /* how the cutoffs were chosen (training_cutoffs auto), or "" */
    double negative_share;    /* share of the non-fire rows kept (1 = all; their weight is 1 / share) */
    char monotone[1024];      /* the constrained features: "fires_parcel_5y +, building_age -" ("" none) */
    double radius_m;          /* join.radius_m the features were computed with */
    char fire_codes[256];     /* features.fire_codes, e.g. "110-129" */
    char firerisk_version[32];
    /* Set by model_train. */
    size_t rows, positives;   /* the final fit */
    size_t validation_rows, validation_positives;
    size_t validation_fit_rows; /* rows of the fit measured on the validation slice (0: none) */
    double validation_auc;    /* of the fit without the validation slice; NAN when there is none */
    double validation_logloss;
    double pos_weight, neg_weight; /* class weights of the final fit (undone in the intercept) */
    int balanced;
    size_t iterations;        /* logistic: Newton steps; gbdt: trees */
    char dropped[1024];
    /* What the fit could not do as configured and what it did instead, with
     * the figures ("validation slice 2024-01-01 holds 29 homes with a fire
     * ..."); one sentence per line; empty when all went as planned.  The
     * caller may add its own lines before model_train (kept). */
    char warnings[2048];
    double seconds;
} model_info;

typedef struct {
    model_kind kind;
    model_logit logit;        /* kind == MODEL_LOGISTIC */
    model_gbdt gbdt;          /* kind == MODEL_GBDT */
    model_train_params params;
    model_info info;
} model_trained;

/* Fits as described above.  m->info's caller fields are left as they are. */
fr_status model_train(const model_dataset *d, const model_train_params *p, model_trained *m, fr_error *err);

/* The model's features (names and count). */
size_t model_trained_nfeatures(const model_trained *m);
const char *model_trained_feature(const model_trained *m, size_t j);

/* Each model feature's importance (out: nfeatures), as shares summing to 1
 * (all 0 when nothing is known): gbdt, the gain of its splits in the trees
 * kept; logistic, the sum of |coefficient| over its columns (standardised,
 * so comparable across features). */
void model_trained_importance(const model_trained *m, double *out);

/* Log-odds of one parcel; contrib as in model_logit_raw / model_gbdt_raw. */
double model_trained_raw(const model_trained *m, const double *x, double *contrib);

/* The same, with *bias the part no feature owns (logistic: the intercept;
 * gbdt: base score + the roots' values), so that bias + sum(contrib) is the
 * log-odds: the terms `firerisk explain` shows. */
double model_trained_raw_terms(const model_trained *m, const double *x, double *contrib, double *bias);

/* Probability of a fire in the horizon for every parcel of f, and the three
 * largest positive contributions (in log-odds) as reasons (reason_feature =
 * column of f).  Fails with FR_E_INPUT naming
 * the features the model needs and f lacks. */
fr_status model_trained_score(const model_trained *m, const model_features *f, model_points_result *out,
                              fr_error *err);

void model_trained_free(model_trained *m);

#endif
