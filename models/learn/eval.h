/*
 * eval.h — how good a ranking is, from scores (probabilities or any
 * risk score) and 0/1 outcomes.
 *
 *   AUC          Mann-Whitney: (sum of the ranks of the positives - P(P+1)/2) / (P N),
 *                tied scores share their average rank (so a constant score gets 0.5);
 *   at k         precision = fires among the first k / k, recall = / all fires;
 *   lift         share of all fires in each tenth of the ranking (decile 1 = the riskiest);
 *   calibration  mean score and observed fire rate in each decile (meaningful
 *                when the scores are probabilities).
 * "The ranking" is firerisk's: score descending, ties broken by parcel id
 * (byte-wise), as in the outputs, so the top k is the target list.
 * Decile d holds ranks floor(d n / 10) .. floor((d + 1) n / 10) - 1.
 */
#ifndef MODEL_EVAL_H
#define MODEL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MODEL_DECILES 10

typedef struct {
    double value;            /* a count, or a percentage of the parcels */
    int percent;
} model_eval_k;

typedef struct {
    size_t k;                /* resolved count */
    char label[24];          /* "500", "1%" */
    size_t hits;
    double precision, recall;
} model_eval_at;

typedef struct {
    size_t n, positives;
    double auc;
    size_t nat;
    model_eval_at *at;       /* owned */
    double lift[MODEL_DECILES];         /* share of fires in the decile */
    double mean_score[MODEL_DECILES];   /* calibration: mean score */
    double fire_rate[MODEL_DECILES];    /* calibration: observed rate */
} model_eval_result;

/* AUC alone (NAN when one class is absent). */
fr_status model_eval_auc(const double *score, const uint8_t *y, size_t n, double *auc, fr_error *err);

/* The AUC per location when homes share one (location[i], 0..; -1 none):
 * a location scores the highest score of its homes and burned when any of
 * them did.  *nloc receives the number of locations judged. */
fr_status model_eval_location_auc(const double *score, const uint8_t *y, const int32_t *location, size_t n,
                                  double *auc, size_t *nloc, fr_error *err);

/* Everything above.  ids (NULL allowed) break ties in the ranking.  Fails
 * with FR_E_INPUT when there is no positive or no negative outcome, and
 * FR_E_INTERNAL on a NAN score. */
fr_status model_eval(const double *score, const uint8_t *y, const char *const *ids, size_t n,
                     const model_eval_k *ks, size_t nks, model_eval_result *out, fr_error *err);
void model_eval_result_free(model_eval_result *r);

/* Parses "500" or "1%" / "0.5%".  Returns 0 or -1. */
int model_eval_k_parse(const char *text, model_eval_k *k);
void model_eval_k_format(const model_eval_k *k, char *buf, size_t size);

#endif
